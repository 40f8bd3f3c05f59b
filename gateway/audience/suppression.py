"""The suppression list: phones (and email addresses) that opted out of a channel, kept as
keyed hashes.

A STOP (or the voice menu's 0, or leaving on the preferences page) puts the phone on the list
of its organisation; every way in (API, paper form, import, sign-up, keywords) consults it
before granting a consent, and the planner before texting or calling. An erasure removes the
citizen's personal data but not this list: the number itself is never stored, only
HMAC-SHA256(secret, number), which identifies nobody without the instance secret.

Rotating the secret: the digests made with the old secret only match while it is listed in
`CRIEUR_SECRET_KEY_FALLBACKS`. A match through an old secret adds the digest under the current
one (the list re-keys itself as phones come back), and `crieur manage check` warns while rows
exist whose secret is in neither setting. Keep an old secret in the fallbacks until that
warning is gone: a row whose secret is lost can never match again.

Email addresses are kept the same way (channel `email`, the address lower-cased): an
unsubscribe link, a complaint or a hard bounce puts them there (`source` says which).
"""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Iterator
from functools import lru_cache

from django.conf import settings
from django.core.checks import Warning as CheckWarning
from django.core.checks import register
from django.db import DatabaseError, IntegrityError, transaction
from django.utils.crypto import salted_hmac

from gateway.models import Organisation, Suppression

SALT = "crieur.suppression"
SUPPRESSIBLE = ("sms", "voice", "whatsapp", "email")
PHONE_KEYED = ("sms", "voice", "whatsapp")


def contact_of(citizen, channel: str) -> str:
    """What the list keys `channel` on for this citizen: the email address, else the phone."""
    return normalised(citizen.email, channel) if channel == "email" else citizen.phone


def normalised(value: str, channel: str) -> str:
    return (value or "").strip().lower() if channel == "email" else value


def secrets() -> list[str]:
    """The current secret first, then the fallbacks (newest first)."""
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def key_id(secret: str) -> str:
    """A short name of a secret (never the secret): which one made a digest."""
    return salted_hmac(SALT + ".key-id", "key", secret=secret, algorithm="sha256").hexdigest()[:16]


def digest(phone: str, secret: str) -> str:
    """HMAC-SHA256 of the number, keyed by a key derived from `secret` (Django's salted_hmac
    derivation, done once per secret: the planner hashes every phone of a town)."""
    return hmac.new(_derived(secret), phone.encode(), hashlib.sha256).hexdigest()


@lru_cache(maxsize=8)
def _derived(secret: str) -> bytes:
    return hashlib.sha256((SALT + secret).encode()).digest()


def suppress(organisation: Organisation, phone: str, channel: str, *, source: str) -> None:
    """Put `phone` (an address for `email`) on the list for `channel` (idempotent)."""
    phone = normalised(phone, channel)
    if not phone or channel not in SUPPRESSIBLE:
        return
    secret = settings.SECRET_KEY
    try:
        with transaction.atomic():
            Suppression.objects.get_or_create(
                organisation=organisation,
                channel=channel,
                digest=digest(phone, secret),
                defaults={"key_id": key_id(secret), "source": source},
            )
    except IntegrityError:  # a parallel STOP of the same phone put it there first
        pass


def lift(organisation: Organisation, phone: str, channel: str) -> int:
    """The citizen asked again themselves (START, a verified sign-up): off the list."""
    phone = normalised(phone, channel)
    if not phone:
        return 0
    digests = [digest(phone, secret) for secret in secrets()]
    rows = Suppression.objects.filter(
        organisation=organisation, channel=channel, digest__in=digests
    )
    return rows.delete()[0]


def is_suppressed(organisation: Organisation, phone: str, channel: str) -> bool:
    """Is `phone` on the list for `channel`? A match through an old secret is re-keyed."""
    phone = normalised(phone, channel)
    if not phone or channel not in SUPPRESSIBLE:
        return False
    found = list(
        Suppression.objects.filter(
            organisation=organisation,
            channel=channel,
            digest__in=[digest(phone, secret) for secret in secrets()],
        ).values_list("key_id", "source")
    )
    if not found:
        return False
    if key_id(settings.SECRET_KEY) not in {kid for kid, _ in found}:
        suppress(organisation, phone, channel, source=found[0][1])
    return True


class SuppressedPhones:
    """The organisation's list, loaded once, for the planner: one HMAC per phone and secret in
    use, a set lookup each; memory grows with the list, not with the town."""

    def __init__(self, organisation_id: int) -> None:
        by_key: dict[str, set[tuple[str, str]]] = defaultdict(set)
        rows = Suppression.objects.filter(organisation_id=organisation_id)
        for channel, value, kid in rows.values_list("channel", "digest", "key_id").iterator():
            by_key[kid].add((channel, value))
        self._secrets = [(s, by_key[key_id(s)]) for s in secrets() if by_key.get(key_id(s))]

    def __bool__(self) -> bool:
        return bool(self._secrets)

    def channels(self, phone: str) -> set[str]:
        """The channels `phone` opted out of."""
        if not phone or not self._secrets:
            return set()
        found = set()
        for secret, entries in self._secrets:
            value = digest(phone, secret)
            found |= {channel for channel in PHONE_KEYED if (channel, value) in entries}
        return found

    def email(self, address: str) -> bool:
        """Did `address` (lower-cased) leave, bounce or complain?"""
        if not address or not self._secrets:
            return False
        return any(("email", digest(address, s)) in entries for s, entries in self._secrets)


def orphaned_key_ids() -> Iterator[tuple[str, int]]:
    """(key id, rows) of the list whose secret is neither the current one nor a fallback."""
    known = {key_id(secret) for secret in secrets()}
    counts: dict[str, int] = defaultdict(int)
    for kid in Suppression.objects.values_list("key_id", flat=True).iterator():
        counts[kid] += 1
    yield from ((kid, n) for kid, n in counts.items() if kid not in known)


@register()
def check_suppression_keys(app_configs=None, **kwargs) -> list[CheckWarning]:
    """Warn while opt-outs exist that no configured secret can match any more."""
    try:
        orphans = list(orphaned_key_ids())
    except DatabaseError:  # no database yet (before `migrate`): nothing to check
        return []
    return [
        CheckWarning(
            f"suppression list: {rows} opt-out(s) were hashed with a secret key that is neither "
            f"CRIEUR_SECRET_KEY nor in CRIEUR_SECRET_KEY_FALLBACKS (key id {kid}); those phones "
            "would be texted again. Put the old key back in CRIEUR_SECRET_KEY_FALLBACKS.",
            id="crieur.W001",
        )
        for kid, rows in orphans
    ]
