from django.urls import include, path

from gateway.api import api

urlpatterns = [
    path("api/", api.urls),
    path("hooks/twilio/", include("gateway.hooks.urls")),
    path("inscription/", include("gateway.public.urls")),
]
