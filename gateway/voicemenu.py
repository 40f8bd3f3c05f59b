"""The keypad menu's action URL, so every view of a call shows the flow the webhook serves.

A call's menu posts to `/hooks/twilio/voice/<delivery id>/menu`. Where no call exists yet (an
archived rendition, a preview, `crieur render`) the delivery id is a placeholder, replaced by
the real one for each outbox call. Django-free: `crieur render` runs without a database.
"""

from __future__ import annotations

MENU_PATH = "/hooks/twilio/voice/{delivery}/menu"
PLACEHOLDER = "DELIVERY_ID"
NO_SERVER = "https://crieur.invalid"  # a reserved name: plainly not a server to call


def menu_url(base: str, delivery: int | str = PLACEHOLDER) -> str:
    return base.rstrip("/") + MENU_PATH.format(delivery=delivery)


def for_delivery(twiml: str, base: str, delivery: int) -> str:
    """The TwiML of a rendition made with the placeholder, for this delivery's call."""
    return twiml.replace(menu_url(base), menu_url(base, delivery))
