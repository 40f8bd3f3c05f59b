"""Who answers, as a keyed hash: a phone answers a poll once and a sender can be blocked,
without the phone number being copied into more tables (nor ever logged)."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def _key(kind: str, value: str) -> str:
    secret = f"crieur.conversation.{kind}:{settings.SECRET_KEY}".encode()
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()


def voter_of_phone(phone: str) -> str:
    return _key("phone", phone)


def voter_of_citizen(citizen_id: int) -> str:
    """A citizen without a phone (reached by a signed link, e.g. in an e-mail)."""
    return _key("citizen", str(citizen_id))


def sender_of_phone(phone: str) -> str:
    return _key("sender", phone)


def sender_of_account(network: str, account_id: str) -> str:
    return _key("sender", f"{network}:{account_id}")
