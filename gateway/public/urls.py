from django.urls import path

from gateway.public import signup

app_name = "signup"

urlpatterns = [
    path("", signup.start, name="start"),
    path("code/", signup.verify, name="code"),
    path("preferences/<str:token>/", signup.preferences, name="preferences"),
    path("courriel/<str:token>/", signup.email_link, name="email"),
]
