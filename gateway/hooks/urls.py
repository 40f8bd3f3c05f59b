from django.urls import path

from gateway.hooks import twilio

app_name = "twilio_hooks"

urlpatterns = [
    path("status", twilio.status, name="status"),
    path("sms", twilio.inbound_sms, name="sms"),
    path("voice/<int:delivery_id>", twilio.voice, name="voice"),
    path("voice/<int:delivery_id>/menu", twilio.voice_menu, name="voice_menu"),
]
