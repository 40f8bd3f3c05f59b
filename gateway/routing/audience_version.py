"""A version of each organisation's audience, changed whenever a citizen, consent, topic choice
or suppression changes, so that what is computed from the whole audience (the reach estimate)
can be kept until the audience changes.

The version is a random token in the cache (Redis in production: every process sees it), set
anew when a transaction changes the audience and again when it commits. Model saves and deletes are
caught by signals; the few queryset updates that bypass them call `audience_changed` themselves.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save


def _key(organisation_id: int) -> str:
    return f"crieur:audience:{organisation_id}"


def audience_version(organisation_id: int) -> str:
    version = cache.get(_key(organisation_id))
    if version is None:
        version = uuid.uuid4().hex
        cache.add(_key(organisation_id), version, timeout=None)
        version = cache.get(_key(organisation_id), version)
    return version


def audience_changed(organisation_id: int) -> None:
    """Whatever was computed from this audience is stale: now, at each change (for the readers
    of this transaction: one cache write), and again once the transaction commits (for a reader
    that meanwhile kept an estimate of the rows as they were before: once per transaction,
    however many rows change)."""
    _bump(organisation_id)
    connection = transaction.get_connection()
    if any(getattr(entry[1], "audience_of", None) == organisation_id
           for entry in connection.run_on_commit):  # fmt: skip
        return

    def bump() -> None:
        _bump(organisation_id)

    bump.audience_of = organisation_id  # type: ignore[attr-defined]
    transaction.on_commit(bump, robust=True)


def _bump(organisation_id: int) -> None:
    cache.set(_key(organisation_id), uuid.uuid4().hex, timeout=None)


def _organisation_of(instance) -> int | None:
    org = getattr(instance, "organisation_id", None)
    citizen = instance._state.fields_cache.get("citizen")
    if org is None and citizen is not None:
        org = citizen.organisation_id
    if org is None and getattr(instance, "citizen_id", None) is not None:
        from gateway.models import Citizen

        org = (
            Citizen.objects.filter(pk=instance.citizen_id)
            .values_list("organisation_id", flat=True)
            .first()
        )
    return org


def _changed(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    org = _organisation_of(instance)
    if org is not None:
        audience_changed(org)


def connect() -> None:
    from gateway.models import Citizen, Consent, Suppression

    for model in (Citizen, Consent, Suppression):
        post_save.connect(_changed, sender=model, dispatch_uid=f"audience-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"audience-d-{model.__name__}")
    m2m_changed.connect(_changed, sender=Citizen.topics.through, dispatch_uid="audience-topics")


def readers_by_language(organisation_id: int) -> dict[str, int]:
    """How many citizens (not erased) read each language: a scan of the town, kept until the
    audience changes (every preview warns about the languages without a translation)."""
    key = f"crieur:readers:{organisation_id}:{audience_version(organisation_id)}"
    found = cache.get(key)
    if found is None:
        from django.db.models import Count

        from gateway.models import Citizen

        rows = (
            Citizen.objects.filter(organisation_id=organisation_id, erased_at__isnull=True)
            .values_list("language")
            .annotate(count=Count("id"))
            .order_by("language")
        )
        found = dict(rows)
        cache.set(key, found, timeout=3600)
    return found
