"""Console sign-in, throttled per account and per client address.

Each attempt takes a token from the account's bucket and from the address's before the password
is checked, so parallel guesses cannot get past the limit; a successful sign-in gives its tokens
back. The buckets are gateway/ratelimit.py's: shared through Redis in production, so every web
process counts the same failures. Failures and refusals go to the audit log.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.utils import translation

from gateway.models import AuditEvent
from gateway.ratelimit import TokenBucket
from renderers.i18n import SOURCE_LOCALE, ngettext

ADDRESS_FACTOR = 4  # a town hall's agents may share one address


def buckets() -> tuple[TokenBucket, TokenBucket]:
    failures, seconds = settings.LOGIN_FAILURES, settings.LOGIN_LOCKOUT_SECONDS
    per_address = failures * ADDRESS_FACTOR
    return (
        TokenBucket("login:account", rate=failures / seconds, burst=failures),
        TokenBucket("login:address", rate=per_address / seconds, burst=per_address),
    )


class LoginView(auth_views.LoginView):
    template_name = "console/login.html"

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "").strip().lower()[:150]
        address = request.META.get("REMOTE_ADDR", "")
        account, per_address = buckets()
        wait = per_address.retry_after(address) or account.retry_after(username)
        if wait:
            _audit("console.login_refused", username, address, retry_after=math.ceil(wait))
            return self._locked(wait)
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated:
            account.give_back(username)
            per_address.give_back(address)
            _audit("console.login", username, address, actor=request.user)
        else:
            _audit("console.login_failed", username, address)
        return response

    def _locked(self, wait: float):
        minutes = max(1, math.ceil(wait / 60))
        locale = translation.get_language() or SOURCE_LOCALE
        message = ngettext(
            locale,
            "Trop de tentatives de connexion. Réessayez dans {count} minute.",
            "Trop de tentatives de connexion. Réessayez dans {count} minutes.",
            minutes,
        ).format(count=minutes)
        context = self.get_context_data(form=self.get_form(), locked=message)
        response = self.render_to_response(context, status=429)
        response["Retry-After"] = str(math.ceil(wait))
        return response


def _audit(action: str, username: str, address: str, actor=None, **data) -> None:
    AuditEvent.objects.create(
        actor=actor,
        action=action,
        object_type="login",
        object_id=username[:50],
        data={"address": address, **data},
    )
