from django.urls import path

from gateway.conversation import voice

app_name = "conversation_hooks"

urlpatterns = [
    path("voice/incoming", voice.incoming_call, name="incoming_call"),
    path("voice/poll/<int:poll_id>", voice.poll_keypad, name="poll_keypad"),
]
