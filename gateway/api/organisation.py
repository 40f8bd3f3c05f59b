"""The caller's organisation: its settings (read by every member, changed by admins)."""

from __future__ import annotations

from ninja import Router

from gateway.api.errors import errors
from gateway.api.schemas import OrganisationOut, OrganisationPatch
from gateway.api.security import needs
from gateway.edits import apply_edit
from gateway.models import Organisation

router = Router(tags=["organisation"])

FIELDS = tuple(OrganisationOut.model_fields)


def _out(organisation: Organisation) -> dict:
    return {f: getattr(organisation, f) for f in FIELDS}


@router.get("", response={200: OrganisationOut, **errors()}, auth=needs("read"))
def read(request):
    return _out(request.auth.organisation)


@router.patch("", response={200: OrganisationOut, **errors(body=True)}, auth=needs("admin"))
def edit(request, payload: OrganisationPatch):
    """Change the settings given; audited with before/after."""
    organisation = Organisation.objects.get(pk=request.auth.organisation.pk)
    given = payload.dict(exclude_none=True)  # null, like absent, leaves a field unchanged
    apply_edit(
        organisation,
        given,
        action="organisation.edited",
        actor=request.auth.user,
        organisation=organisation,
    )
    return _out(organisation)
