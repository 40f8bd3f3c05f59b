from django.urls import path

from gateway.api import api

urlpatterns = [
    path("api/", api.urls),
]
