"""The conversation's console pages, mounted in the console's namespace (`console:polls`…)."""

from django.urls import path

from gateway.conversation import views

urlpatterns = [
    path("polls/", views.polls, name="polls"),
    path("announcements/<int:announcement_id>/poll/", views.poll_edit, name="poll-edit"),
    path(
        "announcements/<int:announcement_id>/poll/results/",
        views.poll_results,
        name="poll-results",
    ),
    path(
        "announcements/<int:announcement_id>/poll/results.csv",
        views.poll_csv,
        name="poll-csv",
    ),
    path("moderation/", views.moderation_queue, name="moderation"),
    path("moderation/<int:review_id>/", views.moderation_decide, name="moderation-decide"),
    path("moderation/words/", views.moderation_words, name="moderation-words"),
    path("questions/", views.question_list, name="questions"),
    path("questions/<int:question_id>/", views.question_act, name="question-act"),
]
