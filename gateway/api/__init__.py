"""The agent API: one NinjaAPI, one router per area, bearer API keys per organisation."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer

from gateway.models import ApiKey, Membership
from renderers.errors import RenderError


class ApiKeyAuth(HttpBearer):
    """`Authorization: Bearer crieur_…`; the request then carries its organisation and role."""

    def authenticate(self, request: HttpRequest, token: str):
        key = (
            ApiKey.objects.select_related("organisation", "user")
            .filter(digest=ApiKey.hash(token), revoked_at__isnull=True)
            .first()
        )
        if key is None:
            return None
        request.organisation = key.organisation
        request.user = key.user
        request.membership = Membership.objects.filter(
            user=key.user, organisation=key.organisation
        ).first()
        return key


api = NinjaAPI(
    title="Crieur API",
    version="1",
    description="One announcement, every channel, every citizen.",
    auth=ApiKeyAuth(),
    urls_namespace="api",
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
        {"field": _field(e.get("loc", ())), "problem": e.get("msg", "")} for e in exc.errors
    ]
    first = problems[0] if problems else {"field": "", "problem": "invalid request"}
    return api.create_response(
        request,
        {"detail": f"{first['field'] or 'body'}: {first['problem']}", "errors": problems},
        status=422,
    )


def _field(loc) -> str:
    """`('body', 'payload', 'translations', 'en', 'title')` → `translations.en.title`."""
    parts = [str(p) for p in loc]
    while parts and parts[0] in ("body", "query", "path", "payload"):
        parts.pop(0)
    return ".".join(parts)


from gateway.api.announcements import router as announcements_router  # noqa: E402

api.add_router("/announcements", announcements_router)

from gateway.api.citizens import router as citizens_router  # noqa: E402

api.add_router("/citizens", citizens_router)
