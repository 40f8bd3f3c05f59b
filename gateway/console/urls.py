from django.contrib.auth import views as auth_views
from django.urls import path, re_path

from gateway.accounts import console as accounts
from gateway.console.views import (
    announcements,
    citizens,
    compose,
    dashboard,
    entry,
    login,
    prints,
    reach,
    replies,
    subscribers,
)
from gateway.console.views import settings as settings_views
from gateway.media import console as media

app_name = "console"

urlpatterns = [
    path("login/", login.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", announcements.home, name="home"),
    path("approvals/", announcements.approvals, name="approvals"),
    path("announcements/new/", compose.compose, name="compose"),
    path("preview/", compose.preview_partial, name="preview"),
    path("preview/audio.wav", compose.preview_audio, name="preview-audio"),
    re_path(
        r"^preview/page/(?P<form>notice|letter)/(?P<key>[0-9a-f]{64})\.png$",
        compose.preview_page,
        name="preview-page",
    ),
    re_path(
        r"^preview/page/(?P<form>notice|letter)/(?P<key>[0-9a-f]{64})\.pdf$",
        compose.preview_pdf,
        name="preview-pdf",
    ),
    path("preview/card.jpg", media.card_image, name="preview-card"),
    path("preview/video/", media.start_video, name="preview-video"),
    path("preview/video/<int:job_id>/", media.video_status, name="preview-video-status"),
    re_path(
        r"^preview/video/(?P<job_id>\d+)\.(?P<kind>mp4|vtt)$",
        media.video_file,
        name="preview-video-file",
    ),
    path("announcements/<int:announcement_id>/", announcements.detail, name="announcement"),
    path("announcements/<int:announcement_id>/edit/", announcements.edit, name="edit"),
    path(
        "announcements/<int:announcement_id>/confirm-cancel/",
        announcements.cancel_confirm,
        name="cancel-confirm",
    ),
    path(
        "announcements/<int:announcement_id>/audio.wav",
        compose.announcement_audio,
        name="announcement-audio",
    ),
    re_path(
        r"^announcements/(?P<announcement_id>\d+)/(?P<action>submit|approve|reject|schedule|publish|cancel)/$",
        announcements.act,
        name="act",
    ),
    path("announcements/<int:announcement_id>/reach/", reach.reach, name="reach"),
    path("announcements/<int:announcement_id>/notice.pdf", prints.notice_pdf, name="notice-pdf"),
    path("announcements/<int:announcement_id>/notice.png", prints.notice_png, name="notice-png"),
    path("announcements/<int:announcement_id>/letter.pdf", prints.letter_pdf, name="letter-pdf"),
    path("announcements/<int:announcement_id>/letters.zip", prints.letters_zip, name="letters-zip"),
    path("print/", prints.print_page, name="print"),
    path("print/weekly-letters.zip", prints.weekly_letters_zip, name="weekly-letters-zip"),
    path("announcements/<int:announcement_id>/dashboard/", dashboard.dashboard, name="dashboard"),
    path(
        "announcements/<int:announcement_id>/dashboard/live/",
        dashboard.dashboard_live,
        name="dashboard-live",
    ),
    path(
        "announcements/<int:announcement_id>/report.csv",
        dashboard.report_csv,
        name="report-csv",
    ),
    path(
        "announcements/<int:announcement_id>/deliveries.csv",
        dashboard.deliveries_csv,
        name="deliveries-csv",
    ),
    path("subscribers/", subscribers.subscribers, name="subscribers"),
    path("subscribers/paper-form/", entry.paper_form, name="paper-form"),
    path("subscribers/import/", entry.import_csv, name="import"),
    path("subscribers/<str:reference>/", citizens.citizen, name="citizen"),
    path("subscribers/<str:reference>/edit/", citizens.citizen_edit, name="citizen-edit"),
    path("subscribers/<str:reference>/export.json", citizens.citizen_export, name="citizen-export"),
    path("subscribers/<str:reference>/erase/", citizens.citizen_erase, name="citizen-erase"),
    path("replies/", replies.replies, name="replies"),
    path("weekly-notice.pdf", subscribers.weekly_notice_pdf, name="weekly-notice"),
    path("settings/", settings_views.organisation, name="settings"),
    path("settings/logo/", settings_views.logo, name="settings-logo"),
    path("settings/logo.img", settings_views.logo_image, name="settings-logo-image"),
    path("settings/topics/", settings_views.topics, name="settings-topics"),
    path("settings/members/", settings_views.members, name="settings-members"),
    path(
        "settings/members/<int:membership_id>/",
        settings_views.member_change,
        name="settings-member",
    ),
    path("settings/keys/", settings_views.keys, name="settings-keys"),
    path(
        "settings/keys/<int:key_id>/revoke/", settings_views.key_revoke, name="settings-key-revoke"
    ),
    path("invitation/<str:uid>/<str:token>/", settings_views.invitation, name="invitation"),
    path("settings/accounts/", accounts.accounts, name="accounts"),
    path("settings/accounts/new/<str:kind>/", accounts.add, name="account-add"),
    path("settings/accounts/<int:account_id>/", accounts.edit, name="account"),
    path("settings/accounts/<int:account_id>/test/", accounts.test, name="account-test"),
    re_path(
        r"^settings/accounts/(?P<account_id>\d+)/(?P<action>enable|disable|remove)/$",
        accounts.switch,
        name="account-switch",
    ),
]

from gateway.conversation.console_urls import urlpatterns as conversation_urls  # noqa: E402

urlpatterns += conversation_urls
