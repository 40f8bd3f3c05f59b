"""Preference links: `/inscription/preferences/<token>/`, given at the end of a sign-up.

The token is random (256 bits) and only its SHA-256 is stored, like API keys: the link says
nothing about the citizen (no reference to read or guess), the database alone cannot forge one,
and it expires. Links of the old kind (a reference signed with the secret key, `ref:sig`) are
refused as expired.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from gateway.models import Citizen, PreferenceLink

LIFETIME = timedelta(days=365)


class LinkExpiredError(Exception):
    """A link that was valid once (or an old signed one): the citizen should sign up again."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(citizen: Citizen) -> str:
    """A new link token for `citizen`, valid for LIFETIME; shown once, never stored."""
    token = secrets.token_urlsafe(32)
    PreferenceLink.objects.create(
        citizen=citizen, digest=_digest(token), expires_at=timezone.now() + LIFETIME
    )
    return token


def open_link(token: str) -> Citizen | None:
    """The citizen of a link; None for an unknown token; `LinkExpiredError` for a link past
    its date, an erased citizen's, or one of the old signed kind."""
    if ":" in token:  # django.core.signing's `value:signature`: the old, readable kind
        raise LinkExpiredError(token)
    link = PreferenceLink.objects.select_related("citizen").filter(digest=_digest(token)).first()
    if link is None:
        return None
    if link.expires_at <= timezone.now() or link.citizen.erased_at is not None:
        raise LinkExpiredError(token)
    return link.citizen
