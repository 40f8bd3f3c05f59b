"""`/api/accounts`: the organisation's provider accounts (admins). Secrets go in, never out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from gateway.accounts.models import ProviderAccount
from gateway.accounts.services import (
    AccountError,
    add_account,
    check_account,
    edit_account,
    kind_of,
    problem_of,
    remove_account,
    status_of,
)
from gateway.api.errors import errors
from gateway.api.params import Id
from gateway.api.schemas import LocaleCode
from gateway.api.security import needs

router = Router(tags=["accounts"])

SettingValue = str | int | float | bool
Settings = Annotated[
    dict[Annotated[str, Field(max_length=50)], SettingValue],
    Field(description="The kind's settings by name (secrets included; never returned)."),
]


class AccountIn(Schema):
    kind: str = Field(max_length=20, description="twilio, mastodon, bluesky, x, facebook…")
    label: str | None = Field(None, max_length=100)
    locale: LocaleCode | None = Field(None, description="Default: the organisation's.")
    enabled: bool = True
    limits: dict[str, float] = Field({}, description='{"rate": requests per second}')
    settings: Settings = {}


class AccountPatch(Schema):
    """Only what is given changes; `settings` are merged (a secret not given is kept; a
    setting given as null goes back to its default)."""

    label: str | None = Field(None, max_length=100)
    locale: LocaleCode | None = None
    enabled: bool | None = None
    limits: dict[str, float] | None = None
    settings: dict[Annotated[str, Field(max_length=50)], SettingValue | None] | None = None


class LastTest(Schema):
    at: datetime
    ok: bool
    result: str


class AccountOut(Schema):
    id: int
    kind: str
    label: str
    locale: str = Field(description="The language it posts in.")
    own_locale: bool = Field(description="False: the organisation's default language.")
    enabled: bool
    status: str = Field(description="ok, untested, failing or disabled")
    problem: str = Field(description="Why it is failing, or empty.")
    broadcast: bool = Field(description="One post per announcement (social), not per citizen.")
    settings: dict[str, str]
    secrets: dict[str, str] = Field(description="Masked: the last characters only.")
    limits: dict[str, float]
    last_test: LastTest | None
    created_at: datetime
    updated_at: datetime


class AccountTestIn(Schema):
    to: str | None = Field(
        None,
        max_length=254,
        description="A number for a test SMS or call (Twilio), an address (email).",
    )
    channel: str | None = Field(None, max_length=20, description="e.g. voice: call instead")


class AccountTestOut(Schema):
    ok: bool
    result: str = Field(description="What the provider answered, or why it failed (one line).")
    account: AccountOut


def account_out(account: ProviderAccount) -> dict:
    try:
        broadcast = kind_of(account.kind).broadcast
    except AccountError:
        broadcast = False
    tested = account.last_test_at is not None and account.last_test_ok is not None
    return {
        "id": account.pk,
        "kind": account.kind,
        "label": account.label,
        "locale": account.effective_locale,
        "own_locale": bool(account.locale),
        "enabled": account.enabled,
        "status": status_of(account),
        "problem": problem_of(account),
        "broadcast": broadcast,
        "settings": {k: str(v) for k, v in account.settings.items()},
        "secrets": dict(account.secret_masks),
        "limits": dict(account.limits),
        "last_test": {
            "at": account.last_test_at,
            "ok": account.last_test_ok,
            "result": account.last_test_result,
        }
        if tested
        else None,
        "created_at": account.created_at,
        "updated_at": account.updated_at,
    }


def _own(request, account_id: int) -> ProviderAccount:
    """The caller's current account; another organisation's (or a removed one) answers 404."""
    return get_object_or_404(
        ProviderAccount.objects.current().select_related("organisation"),
        pk=account_id,
        organisation=request.auth.organisation,
    )


def _refused(exc: AccountError) -> HttpError:
    return HttpError(409 if exc.conflict else 422, str(exc))


@router.get("", response={200: list[AccountOut], **errors()}, auth=needs("admin"))
def list_accounts(request):
    accounts = ProviderAccount.objects.current().filter(organisation=request.auth.organisation)
    return [account_out(a) for a in accounts.select_related("organisation").order_by("pk")]


@router.post("", response={201: AccountOut, **errors(409, body=True)}, auth=needs("admin"))
def create(request, payload: AccountIn):
    """Connect an account: its settings are checked by its kind (422 naming the field)."""
    try:
        account = add_account(
            request.auth.organisation,
            payload.kind,
            payload.settings,
            label=payload.label,
            locale=payload.locale,
            enabled=payload.enabled,
            limits=payload.limits,
            actor=request.auth.user,
        )
    except AccountError as exc:
        raise _refused(exc) from None
    return Status(201, account_out(account))


@router.patch(
    "/{account_id}", response={200: AccountOut, **errors(404, 409, body=True)}, auth=needs("admin")
)
def edit(request, account_id: Id, payload: AccountPatch):
    account = _own(request, account_id)
    try:
        edit_account(
            account,
            label=payload.label,
            locale=payload.locale,
            enabled=payload.enabled,
            limits=payload.limits,
            values=payload.settings,
            actor=request.auth.user,
        )
    except AccountError as exc:
        raise _refused(exc) from None
    return account_out(account)


@router.delete("/{account_id}", response={200: AccountOut, **errors(404, 409)}, auth=needs("admin"))
def remove(request, account_id: Id):
    """Remove: its secrets are erased; its past deliveries keep its name."""
    account = _own(request, account_id)
    try:
        remove_account(account, actor=request.auth.user)
    except AccountError as exc:
        raise _refused(exc) from None
    return account_out(account)


@router.post(
    "/{account_id}/test",
    response={200: AccountTestOut, **errors(404, body=True)},
    auth=needs("admin"),
)
def test(request, account_id: Id, payload: AccountTestIn):
    """A real call to the provider (a dry check, or a test SMS or call to `to`): 200 with what
    it answered, `ok: false` with the cause when it refused."""
    from django.core.exceptions import ValidationError

    from gateway.accounts.services import test_recipient

    account = _own(request, account_id)
    to = ""
    if payload.to:
        try:
            to = test_recipient(account, payload.to)
        except ValidationError as exc:
            return Status(422, {"detail": f"to: {exc.messages[0]}"})
    try:
        result = check_account(account, to=to, channel=payload.channel, actor=request.auth.user)
    except AccountError as exc:
        raise _refused(exc) from None
    return {"ok": result.ok, "result": result.result, "account": account_out(account)}
