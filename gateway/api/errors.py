"""The error responses an operation documents in OpenAPI, all `{"detail": "…"}`."""

from __future__ import annotations

from gateway.api.schemas import Error

# Every operation may answer these: no or a bad key, a role or scope that does not allow it,
# a parameter that does not validate.
ALWAYS = (401, 403, 422)
# An operation with a body also: malformed JSON, a body over the size limit.
BODY = (400, 413)


def errors(*codes: int, body: bool = False) -> dict:
    """`response={200: ThingOut, **errors(404, body=True)}`."""
    return {code: Error for code in sorted({*ALWAYS, *(BODY if body else ()), *codes})}


def workflow_status(code: str) -> int:
    """HTTP status of a `WorkflowError.code`."""
    return 403 if code in ("forbidden", "self_approval") else 409
