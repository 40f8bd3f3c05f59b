from django.urls import include, path

from gateway.api import api

urlpatterns = [
    path("api/", api.urls),
    path("hooks/twilio/", include("gateway.hooks.urls")),
    path("console/", include("gateway.console.urls")),
    path("i18n/", include("django.conf.urls.i18n")),  # the language switch (set_language)
    path("inscription/", include("gateway.public.urls")),
]
