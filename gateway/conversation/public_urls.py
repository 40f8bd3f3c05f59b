from django.urls import path

from gateway.conversation import public

urlpatterns = [
    path("v/<str:code>/consultation", public.poll_page, name="poll-public"),
    path(
        "v/<str:code>/consultation/resultats",
        public.poll_results_page,
        name="poll-public-results",
    ),
    path("v/<str:code>/question", public.question_page, name="question-ask"),
    path("v/<str:code>/question/<str:token>", public.question_answer_page, name="question-public"),
]
