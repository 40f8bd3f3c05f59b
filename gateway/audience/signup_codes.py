"""Sign-up codes: a 6-digit code texted to the phone, its attempts counted in the database.

The pending sign-up is a `SignupCode` row (the session only points at it). Each attempt is a
guarded update (`attempts < MAX_ATTEMPTS`, not expired): parallel requests cannot check more
codes than allowed, and the row is deleted by the one request whose code is right, so a code
is used once. The codes texted per organisation and day are counted the same way, against the
organisation's `signup_codes_per_day`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from enum import Enum

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from gateway.audience.gdpr import phone_digest
from gateway.models import Organisation, SignupCode, SignupQuota

CODE_TTL = timedelta(minutes=10)
MAX_ATTEMPTS = 5


class Attempt(Enum):
    RIGHT = "right"
    WRONG = "wrong"
    SPENT = "spent"  # expired, out of attempts, or already used


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def _digest(code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), code.encode(), hashlib.sha256).hexdigest()


def pending(organisation: Organisation, phone: str, values: dict, code: str) -> SignupCode:
    """Keep a sign-up waiting for `code`."""
    return SignupCode.objects.create(
        organisation=organisation,
        phone_digest=phone_digest(phone),
        values=values,
        code_digest=_digest(code),
        expires_at=timezone.now() + CODE_TTL,
    )


def attempt(row: SignupCode, code: str) -> tuple[Attempt, int]:
    """Check `code` against a pending sign-up; (outcome, attempts left)."""
    counted = SignupCode.objects.filter(
        pk=row.pk, attempts__lt=MAX_ATTEMPTS, expires_at__gt=timezone.now()
    ).update(attempts=F("attempts") + 1)
    if not counted:
        return Attempt.SPENT, 0
    used = SignupCode.objects.filter(pk=row.pk).values_list("attempts", flat=True).first()
    left = MAX_ATTEMPTS - (used if used is not None else MAX_ATTEMPTS)
    if not hmac.compare_digest(_digest(code), row.code_digest):
        return Attempt.WRONG, left
    # Right: the request that deletes the row is the one that signs up.
    if not SignupCode.objects.filter(pk=row.pk).delete()[0]:
        return Attempt.SPENT, 0
    return Attempt.RIGHT, left


def take_daily_quota(organisation: Organisation) -> bool:
    """Count one code texted today (the organisation's day); False when the cap is reached."""
    day = timezone.localdate(timezone=organisation_zone(organisation))
    cap = organisation.signup_codes_per_day
    rows = SignupQuota.objects.filter(organisation=organisation, day=day)
    if rows.filter(count__lt=cap).update(count=F("count") + 1):
        return True
    if cap == 0 or rows.exists():
        return False
    try:
        with transaction.atomic():
            SignupQuota.objects.create(organisation=organisation, day=day, count=1)
        return True
    except IntegrityError:  # another request created today's row meanwhile
        return bool(rows.filter(count__lt=cap).update(count=F("count") + 1))


def organisation_zone(organisation: Organisation):
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(organisation.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)
