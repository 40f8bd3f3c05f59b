"""Append-only audit log: who did what, when, with before/after."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone as tz


class AuditEvent(models.Model):
    organisation = models.ForeignKey(
        "gateway.Organisation", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=50)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=50)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=tz.now, db_index=True)

    class Meta:
        ordering = ["at", "pk"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("the audit log is append-only")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("the audit log is append-only")

    @classmethod
    def record(cls, action: str, obj, *, actor=None, organisation=None, **data) -> AuditEvent:
        return cls.objects.create(
            organisation=organisation or getattr(obj, "organisation", None),
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            action=action,
            object_type=type(obj).__name__.lower(),
            object_id=str(obj.pk),
            data=data,
        )
