"""Settings changed by an admin (API or console): only what differs is saved, and audited with
its values before and after."""

from __future__ import annotations

from django.db import models, transaction

from gateway.models import AuditEvent


def apply_edit(row: models.Model, given: dict, *, action: str, actor, organisation=None) -> dict:
    """Set the fields of `given` that differ on `row`, save them and audit; what changed."""
    changes = {k: v for k, v in given.items() if getattr(row, k) != v}
    if changes:
        before = {k: getattr(row, k) for k in changes}
        for name, value in changes.items():
            setattr(row, name, value)
        with transaction.atomic():
            row.save(update_fields=list(changes))
            AuditEvent.record(
                action, row, actor=actor, organisation=organisation, before=before, after=changes
            )
    return changes
