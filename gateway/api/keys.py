"""API keys of the organisation (admins): list, create (the key is shown once), revoke."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone as tz
from ninja import Router, Status

from gateway.api.errors import errors
from gateway.api.params import Id
from gateway.api.schemas import ApiKeyCreatedOut, ApiKeyIn, ApiKeyOut
from gateway.api.security import needs
from gateway.models import ApiKey, AuditEvent

router = Router(tags=["keys"])


def key_out(key: ApiKey) -> dict:
    return {
        "id": key.pk,
        "name": key.name,
        "user": key.user.get_username(),
        "scopes": key.scopes,
        "created_at": key.created_at,
        "revoked_at": key.revoked_at,
    }


def create_key(organisation, user, name: str, scopes: list[str], *, actor=None):
    """Issue a key and audit it (never the key itself). Shared with `crieur apikey create`."""
    with transaction.atomic():
        key, clear = ApiKey.issue(organisation, user, name, scopes)
        AuditEvent.record(
            "apikey.created",
            key,
            actor=actor,
            user=user.get_username(),
            name=name,
            scopes=key.scopes,
        )
    return key, clear


def revoke_key(key: ApiKey, *, actor=None) -> bool:
    """Revoke now; False if it already was."""
    with transaction.atomic():
        done = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=tz.now())
        if done:
            AuditEvent.record("apikey.revoked", key, actor=actor, name=key.name)
    key.refresh_from_db()
    return bool(done)


@router.get("", response={200: list[ApiKeyOut], **errors()}, auth=needs("admin"))
def list_keys(request):
    keys = ApiKey.objects.filter(organisation=request.auth.organisation).select_related("user")
    return [key_out(k) for k in keys.order_by("pk")]


@router.post("", response={201: ApiKeyCreatedOut, **errors(body=True)}, auth=needs("admin"))
def create(request, payload: ApiKeyIn):
    """A key for the caller's own user, with the scopes given: the key is in this answer only."""
    user = get_user_model().objects.get(pk=request.auth.user.pk)
    key, clear = create_key(
        request.auth.organisation, user, payload.name, list(payload.scopes), actor=user
    )
    return Status(201, {**key_out(key), "key": clear})


@router.delete("/{key_id}", response={200: ApiKeyOut, **errors(404)}, auth=needs("admin"))
def revoke(request, key_id: Id):
    key = get_object_or_404(ApiKey, pk=key_id, organisation=request.auth.organisation)
    revoke_key(key, actor=request.auth.user)
    return key_out(key)
