"""Who calls the API and what they may do: the one place roles and key scopes are checked.

Every operation declares what it needs with `auth=needs("…")`. A caller authenticates with a
bearer API key (agents, scripts) or with the console's Django session (CSRF checked on unsafe
methods). The permission is then checked against the caller's role in the organisation and,
for a key, against the key's scopes: a refusal is 403 naming what is missing; no credentials
is 401. Every query is then scoped to `request.auth.organisation`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from gateway.models import ApiKey, Membership, Organisation, Role, Scope

ALL_ROLES = tuple(Role.values)
APPROVERS = (Role.APPROVER, Role.ADMIN)

# permission → (roles that hold it, key scope it needs)
PERMISSIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "read": (ALL_ROLES, Scope.READ),
    "write": (ALL_ROLES, Scope.WRITE),
    "publish": (ALL_ROLES, Scope.PUBLISH),  # publish/schedule what was approved (or alert)
    "approve": (APPROVERS, Scope.PUBLISH),  # approve, reject, cancel
    "admin": ((Role.ADMIN,), Scope.ADMIN),  # settings, topics and areas, API keys
}


@dataclass(frozen=True)
class Caller:
    organisation: Organisation
    user: object
    membership: Membership | None
    scopes: frozenset[str]
    key: ApiKey | None = None


def _admit(request: HttpRequest, caller: Caller, permission: str) -> Caller:
    roles, scope = PERMISSIONS[permission]
    role = caller.membership.role if caller.membership else None
    if role not in roles:
        raise HttpError(403, f"your role ({role or 'none'}) does not allow this ({permission})")
    if scope not in caller.scopes:
        raise HttpError(403, f"this API key lacks the {str(scope)!r} scope")
    request.organisation = caller.organisation  # type: ignore[attr-defined]
    request.membership = caller.membership  # type: ignore[attr-defined]
    request.user = caller.user  # type: ignore[assignment]
    return caller


class ApiKeyAuth(HttpBearer):
    """`Authorization: Bearer crieur_…`: a key of one organisation, with its scopes."""

    def __init__(self, permission: str) -> None:
        super().__init__()
        self.permission = permission

    def authenticate(self, request: HttpRequest, token: str) -> Caller | None:
        key = (
            ApiKey.objects.select_related("organisation", "user")
            .filter(digest=ApiKey.hash(token), revoked_at__isnull=True)
            .first()
        )
        if key is None:
            return None
        member = Membership.objects.filter(user=key.user, organisation=key.organisation).first()
        caller = Caller(key.organisation, key.user, member, frozenset(key.scopes), key)
        return _admit(request, caller, self.permission)


class ConsoleSessionAuth(SessionAuth):
    """The console's Django session. A member of several organisations picks one with the
    `X-Crieur-Organisation: <slug>` header (else their first membership)."""

    def __init__(self, permission: str) -> None:
        super().__init__(csrf=True)
        self.permission = permission

    def _get_key(self, request: HttpRequest) -> str | None:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None  # no session: let the 401 say so, not a CSRF failure
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Caller | None:
        user = getattr(request, "user", None)
        if key is None or not getattr(user, "is_authenticated", False):
            return None
        members = Membership.objects.select_related("organisation").filter(user=user)
        slug = request.headers.get("X-Crieur-Organisation")
        if slug:
            members = members.filter(organisation__slug=slug)
        member = members.order_by("pk").first()
        if member is None:
            return None
        caller = Caller(member.organisation, user, member, frozenset(Scope.values))
        return _admit(request, caller, self.permission)


def needs(permission: str) -> list:
    """The `auth=` of an operation that needs `permission` (a key of PERMISSIONS)."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")
    return [ApiKeyAuth(permission), ConsoleSessionAuth(permission)]


def permission_of(operation) -> str | None:
    """The permission an operation declared (tests check that every operation has one)."""
    auth = getattr(operation, "auth_callbacks", None) or []
    found = {getattr(a, "permission", None) for a in auth}
    return found.pop() if len(found) == 1 else None
