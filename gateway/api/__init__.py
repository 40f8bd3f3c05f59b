"""The agent API: one NinjaAPI, one router per area; API keys or the console session."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from gateway.api.docs import docs_csp, swagger
from gateway.api.security import needs
from renderers.errors import RenderError

api = NinjaAPI(
    title="Crieur API",
    version="1",
    description=(
        "One announcement, every channel, every citizen. Authenticate with "
        "`Authorization: Bearer <API key>` or the console's session (CSRF token on writes). "
        'Errors are `{"detail": "…"}`; a 422 names the field first.'
    ),
    auth=needs("admin"),  # an operation that forgets to say what it needs is for admins only
    urls_namespace="api",
    docs=swagger,  # Swagger UI from django-ninja's own static files (gateway/api/docs.py)
    docs_decorator=docs_csp,
)


@api.exception_handler(RenderError)
def render_error(request, exc: RenderError):
    return api.create_response(
        request, {"detail": str(exc), "code": exc.code.value, "form": exc.form}, status=422
    )


@api.exception_handler(AuthenticationError)
def auth_error(request, exc):
    return api.create_response(request, {"detail": "missing or invalid API key"}, status=401)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    problems = [
        {"field": _field(e.get("loc", ())), "problem": _problem(e.get("msg", ""))}
        for e in exc.errors
    ]
    first = problems[0] if problems else {"field": "", "problem": "invalid request"}
    return api.create_response(
        request,
        {"detail": f"{first['field'] or 'body'}: {first['problem']}", "errors": problems},
        status=422,
    )


def _problem(message: str) -> str:
    """pydantic prefixes the messages of our own validators with "Value error, "."""
    return message.removeprefix("Value error, ")


def _field(loc) -> str:
    """`('body', 'payload', 'translations', 'en', 'title')` → `translations.en.title`."""
    parts = [str(p) for p in loc]
    while parts and parts[0] in ("body", "query", "path", "payload"):
        parts.pop(0)
    return ".".join(parts)


from gateway.api.announcements import router as announcements_router  # noqa: E402
from gateway.api.keys import router as keys_router  # noqa: E402
from gateway.api.organisation import router as organisation_router  # noqa: E402
from gateway.api.replies import router as replies_router  # noqa: E402
from gateway.api.topics import areas_router, topics_router  # noqa: E402

api.add_router("/announcements", announcements_router)

from gateway.api.citizens import router as citizens_router  # noqa: E402

api.add_router("/citizens", citizens_router)
api.add_router("/topics", topics_router)
api.add_router("/areas", areas_router)
api.add_router("/replies", replies_router)
api.add_router("/organisation", organisation_router)
api.add_router("/keys", keys_router)

from gateway.accounts.api import router as accounts_router  # noqa: E402

api.add_router("/accounts", accounts_router)

from gateway.conversation.api import (  # noqa: E402
    moderation_router,
    polls_router,
    questions_router,
)

api.add_router("/polls", polls_router)
api.add_router("/moderation", moderation_router)
api.add_router("/questions", questions_router)

from gateway.alerts.api import router as cap_router  # noqa: E402

api.add_router("/cap", cap_router)
