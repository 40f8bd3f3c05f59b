from django.urls import include, path, re_path

from gateway import verification
from gateway.alerts import views as cap
from gateway.api import api
from gateway.api.docs import redoc_page
from gateway.conversation.public_urls import urlpatterns as conversation_public
from gateway.hooks import email as email_hooks
from gateway.hooks import whatsapp as whatsapp_hooks
from gateway.media import public as media
from gateway.messaging.views import unsubscribe_page

urlpatterns = [
    path("api/redoc", redoc_page(api), name="api-redoc"),
    path("api/", api.urls),
    path("hooks/twilio/", include("gateway.hooks.urls")),
    path("hooks/twilio/", include("gateway.conversation.hook_urls")),
    path("hooks/whatsapp", whatsapp_hooks.webhook, name="whatsapp_webhook"),
    path(
        "hooks/email/<int:account_id>/<str:esp>/tracking/",
        email_hooks.tracking,
        name="email_tracking_webhook",
    ),
    path("u/<str:token>", unsubscribe_page, name="unsubscribe"),
    path("cap/<slug:slug>.atom", cap.feed, name="cap_feed"),
    path("cap/alerts/<str:identifier>.xml", cap.alert, name="cap_alert"),
    path("console/", include("gateway.console.urls")),
    path("i18n/", include("django.conf.urls.i18n")),  # the language switch (set_language)
    path("inscription/", include("gateway.public.urls")),
    path("v/<str:code>", verification.verification, name="verification"),
    path(
        "v/<str:code>/notice-<str:locale>.pdf",
        verification.archived_notice,
        name="verification_notice",
    ),
    *conversation_public,
    re_path(
        r"^v/(?P<code>[^/]+)/(?P<kind>captions)\.(?P<locale>[a-z_]{2,12})\.vtt$",
        media.video_text,
        name="verification_captions",
    ),
    re_path(
        r"^v/(?P<code>[^/]+)/(?P<kind>transcript)\.(?P<locale>[a-z_]{2,12})\.txt$",
        media.video_text,
        name="verification_transcript",
    ),
    path("v/<str:code>/<str:name>", media.media_file, name="verification_media"),
]
