from django.urls import include, path

from gateway import verification
from gateway.api import api
from gateway.api.docs import redoc_page
from gateway.hooks import whatsapp as whatsapp_hooks
from gateway.messaging.views import unsubscribe_page

urlpatterns = [
    path("api/redoc", redoc_page(api), name="api-redoc"),
    path("api/", api.urls),
    path("hooks/twilio/", include("gateway.hooks.urls")),
    path("hooks/whatsapp", whatsapp_hooks.webhook, name="whatsapp_webhook"),
    path("u/<str:token>", unsubscribe_page, name="unsubscribe"),
    path("console/", include("gateway.console.urls")),
    path("i18n/", include("django.conf.urls.i18n")),  # the language switch (set_language)
    path("inscription/", include("gateway.public.urls")),
    path("v/<str:code>", verification.verification, name="verification"),
    path(
        "v/<str:code>/notice-<str:locale>.pdf",
        verification.archived_notice,
        name="verification_notice",
    ),
]
