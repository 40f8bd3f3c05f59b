"""Twilio SMS and voice channels (one folder: client, errors and two channels)."""

from channels.twilio.errors import TwilioCredentialsError
from channels.twilio.sms import TwilioSMSChannel
from channels.twilio.voice import TwilioVoiceChannel

__all__ = ["TwilioCredentialsError", "TwilioSMSChannel", "TwilioVoiceChannel"]
