"""The error responses an operation documents in OpenAPI, all `{"detail": "…"}`."""

from __future__ import annotations

from gateway.api.schemas import Error

# Every authenticated operation may answer these.
AUTH = (401, 403)


def errors(*codes: int) -> dict:
    """`response={200: ThingOut, **errors(404, 422)}`: 401 and 403 are always included."""
    return {code: Error for code in sorted({*AUTH, *codes})}


def workflow_status(code: str) -> int:
    """HTTP status of a `WorkflowError.code`."""
    return 403 if code in ("forbidden", "self_approval") else 409
