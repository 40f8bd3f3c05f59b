"""System checks (`crieur manage check`, and before `runserver` or `migrate`)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security)
def own_secret_key(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """A real database, broker or provider, or production, without its own secret key."""
    problem = getattr(settings, "SECRET_KEY_PROBLEM", "")
    return [checks.Error(problem, id="crieur.E001")] if problem else []
