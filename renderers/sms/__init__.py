"""SMS: encoding and segments as carriers bill them, smart encoding, and the SMS rendition."""

from renderers.sms.gsm import CAPACITY, GSM_BASIC, GSM_EXTENSION, SMSAnalysis, analyse, is_gsm
from renderers.sms.render import SMSConfig, compose_sms, render_sms
from renderers.sms.smart import SmartPolicy, apply_policy, smart_encode

__all__ = [
    "CAPACITY",
    "GSM_BASIC",
    "GSM_EXTENSION",
    "SMSAnalysis",
    "SMSConfig",
    "SmartPolicy",
    "analyse",
    "apply_policy",
    "compose_sms",
    "is_gsm",
    "render_sms",
    "smart_encode",
]
