"""`POST /api/cap`: import a CAP 1.2 alert (the XML as the body, or a multipart `file`)."""

from __future__ import annotations

from ninja import Router, Schema, Status
from ninja.errors import HttpError

from gateway.alerts.importer import import_alert
from gateway.alerts.parse import CapError
from gateway.api.errors import errors
from gateway.api.security import needs

router = Router(tags=["cap"])


class CapImportOut(Schema):
    action: str  # created, updated, cancelled, published, duplicate, nothing
    announcement: int | None
    identifier: str
    sender: str
    sent: str
    status: str
    msg_type: str
    exercise: bool
    notes: list[str]
    would_create: dict | None = None


@router.post(
    "",
    response={200: CapImportOut, 201: CapImportOut, **errors(body=True)},
    auth=needs("write"),
    openapi_extra={
        "requestBody": {
            "content": {
                "application/cap+xml": {"schema": {"type": "string"}},
                "application/xml": {"schema": {"type": "string"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                },
            }
        }
    },
)
def import_cap(request, dry_run: bool = False):
    """Import a CAP 1.2 alert: an Alert becomes a draft (one translation per `<info>`), an
    Update a draft that follows the announcement it references, a Cancel cancels it. Test and
    Exercise alerts become exercises (publish needs `?exercise=true`). An alert already
    imported answers 200 with `action: duplicate`. `?dry_run=true` writes nothing. A document
    that is not CAP 1.2, or breaks one of its rules, is a 422 naming the element and the rule."""
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise HttpError(422, "file: missing (a multipart field named file)")
        data = upload.read()
    else:
        data = request.body
    try:
        result = import_alert(
            request.auth.organisation, data, dry_run=dry_run, actor=request.auth.user
        )
    except CapError as exc:
        raise HttpError(422, str(exc)) from None
    except ValueError as exc:  # a slug or a reference the organisation does not have
        raise HttpError(422, str(exc)) from None
    alert = result.alert
    out = {
        "action": result.action,
        "announcement": result.announcement_id,
        "identifier": alert.identifier,
        "sender": alert.sender,
        "sent": alert.sent,
        "status": alert.status,
        "msg_type": alert.msg_type,
        "exercise": alert.status in ("Test", "Exercise"),
        "notes": result.notes,
        "would_create": _jsonable(result.data) if dry_run and result.data else None,
    }
    created = not dry_run and result.action in ("created", "updated", "published")
    return Status(201 if created else 200, out)


def _jsonable(data: dict) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}
