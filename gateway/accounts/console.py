"""The console's accounts page (admins): the organisation's accounts, add, edit, test, disable.

Forms only read the HTML; the account is checked and stored by `gateway.accounts.services`, like
the API and the CLI. A secret field is never filled back: empty keeps the stored one, whose
last characters are shown as a hint. The kind's own problems are in English (they come from
`channels.kinds`); the page shows them after a translated lead, next to their field.
"""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.views.decorators.http import require_POST

from channels.kinds import Kind, kinds
from gateway.accounts.models import ProviderAccount
from gateway.accounts.services import (
    AccountError,
    add_account,
    check_account,
    edit_account,
    problem_of,
    remove_account,
    status_of,
    test_recipient,
)
from gateway.console.access import is_admin, member
from renderers.i18n import gettext

COMMON = ("label", "locale", "enabled", "rate")


def ui() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def status_word(status: str, lc: str) -> str:
    return {  # plain gettext calls, so extraction finds them
        "ok": gettext(lc, "en service"),
        "untested": gettext(lc, "jamais testé"),
        "failing": gettext(lc, "en échec"),
        "disabled": gettext(lc, "désactivé"),
    }.get(status, status)


class AccountForm(forms.Form):
    """The common fields and the kind's own settings (secrets as empty password inputs)."""

    def __init__(self, kind: Kind, account: ProviderAccount | None = None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind, self.account = kind, account
        lc = ui()
        self.fields["label"] = forms.CharField(
            label=gettext(lc, "Nom du compte"), max_length=100, required=False
        )
        self.fields["locale"] = forms.ChoiceField(
            label=gettext(lc, "Langue des publications"),
            choices=[("", gettext(lc, "celle de l’organisation"))] + list(settings.LANGUAGES),
            required=False,
        )
        self.fields["enabled"] = forms.BooleanField(label=gettext(lc, "Actif"), required=False)
        self.fields["rate"] = forms.FloatField(
            label=gettext(lc, "Requêtes par seconde au plus (vide : celui du réseau)"),
            min_value=0,
            required=False,
        )
        secrets = kind.secret_fields()
        masks = account.secret_masks if account else {}
        for field in kind.fields():
            secret = field.name in secrets
            hint = ""
            if secret:
                hint = gettext(lc, "Secret : chiffré, jamais réaffiché.")
                if field.name in masks:
                    hint += " " + gettext(lc, "Enregistré ({mask}) ; vide : inchangé.").format(
                        mask=masks[field.name]
                    )
            self.fields[field.name] = forms.CharField(
                label=field.name,
                required=False,
                help_text=hint,
                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
                if secret
                else forms.TextInput(attrs={"spellcheck": "false"}),
            )
        if account is not None and not self.is_bound:
            self.initial = {
                "label": account.label,
                "locale": account.locale,
                "enabled": account.enabled,
                "rate": account.limits.get("rate"),
                **{k: v for k, v in account.settings.items()},
            }
        elif not self.is_bound:
            self.initial = {"enabled": True}
        for name, field in self.fields.items():
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"id_{name}_helptext"

    def setting_names(self) -> list[str]:
        return [f.name for f in self.kind.fields()]

    def values(self) -> dict[str, str | None]:
        """The settings typed; a secret left empty is not a change, another setting emptied
        goes back to its default (None)."""
        secrets = self.kind.secret_fields()
        typed: dict[str, str | None] = {}
        for name in self.setting_names():
            value = (self.cleaned_data.get(name) or "").strip()
            if value:
                typed[name] = value
            elif name not in secrets and self.account and name in self.account.settings:
                typed[name] = None
        return typed

    def refuse(self, error: AccountError) -> None:
        """Show a service refusal next to the field it names (a setting, when it names one)."""
        lc = ui()
        text = str(error).split(": ", 1)[-1]
        field = error.field if error.field in self.fields else None
        if error.field == "settings":
            named = re.findall(r"[a-z_]+", text)
            field = next((n for n in named if n in self.setting_names()), None)
        if error.field == "limits":
            field = "rate"
        lead = gettext(lc, "Refusé : {detail}").format(detail=text)
        self.add_error(field, ValidationError(lead))

    def fields_in_error(self) -> list[tuple[str, str]]:
        return [(name, " ".join(errors)) for name, errors in self.errors.items()]


def _admin(request):
    membership = member(request)
    if not is_admin(membership):
        raise PermissionDenied("admins only")
    return membership


def _own(membership, account_id: int) -> ProviderAccount:
    return get_object_or_404(
        ProviderAccount.objects.current().select_related("organisation"),
        pk=account_id,
        organisation=membership.organisation,
    )


@login_required
def accounts(request):
    membership = _admin(request)
    lc = ui()
    rows = [
        {
            "account": account,
            "status": status_of(account),
            "status_word": status_word(status_of(account), lc),
            "problem": problem_of(account),
            "shown": {**account.settings, **account.secret_masks},
        }
        for account in ProviderAccount.objects.current()
        .filter(organisation=membership.organisation)
        .select_related("organisation")
        .order_by("pk")
    ]
    return render(
        request,
        "console/accounts/list.html",
        {"member": membership, "rows": rows, "kinds": list(kinds())},
    )


@login_required
def add(request, kind: str):
    membership = _admin(request)
    table = kinds()
    if kind not in table:
        raise PermissionDenied("unknown kind")
    form = AccountForm(table[kind], None, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = add_account(
                membership.organisation,
                kind,
                form.values(),
                label=data["label"],
                locale=data["locale"],
                enabled=data["enabled"],
                limits={"rate": data["rate"]} if data["rate"] is not None else None,
                actor=request.user,
            )
        except AccountError as exc:
            form.refuse(exc)
        else:
            messages.success(
                request,
                gettext(ui(), "Compte « {label} » ajouté. Testez-le.").format(label=account.label),
            )
            return redirect("console:accounts")
    return _form_page(request, membership, form, None)


@login_required
def edit(request, account_id: int):
    membership = _admin(request)
    account = _own(membership, account_id)
    form = AccountForm(kinds()[account.kind], account, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            edit_account(
                account,
                label=data["label"],
                locale=data["locale"],
                enabled=data["enabled"],
                # The form edits the rate; other limits (call_seconds, set by the API or the
                # CLI) are kept.
                limits={k: v for k, v in account.limits.items() if k != "rate"}
                | ({"rate": data["rate"]} if data["rate"] is not None else {}),
                values=form.values(),
                actor=request.user,
            )
        except AccountError as exc:
            form.refuse(exc)
        else:
            messages.success(request, gettext(ui(), "Compte enregistré."))
            return redirect("console:accounts")
    return _form_page(request, membership, form, account)


def _form_page(request, membership, form: AccountForm, account):
    return render(
        request,
        "console/accounts/form.html",
        {
            "member": membership,
            "form": form,
            "account": account,
            "kind": form.kind.name,
            "common": [form[name] for name in COMMON],
            "settings": [form[name] for name in form.setting_names()],
            "summary": form.fields_in_error(),
        },
        status=422 if form.is_bound and form.errors else 200,
    )


@login_required
@require_POST
def test(request, account_id: int):
    """A real call to the provider; its answer (or the cause of its refusal) as a message."""
    membership = _admin(request)
    account = _own(membership, account_id)
    lc = ui()
    to = (request.POST.get("to") or "").strip()
    if to:
        try:
            to = test_recipient(account, to)
        except ValidationError:
            messages.error(
                request, gettext(lc, "Numéro de test invalide : {number}.").format(number=to)
            )
            return redirect("console:accounts")
    try:
        result = check_account(
            account, to=to, channel=request.POST.get("channel") or None, actor=request.user
        )
    except AccountError as exc:
        messages.error(request, gettext(lc, "Refusé : {detail}").format(detail=str(exc)))
        return redirect("console:accounts")
    if result.ok:
        messages.success(
            request, gettext(lc, "Test réussi : {answer}").format(answer=result.result)
        )
    else:
        messages.error(request, gettext(lc, "Test échoué : {cause}").format(cause=result.result))
    return redirect("console:accounts")


@login_required
@require_POST
def switch(request, account_id: int, action: str):
    """Enable, disable or remove."""
    membership = _admin(request)
    account = _own(membership, account_id)
    lc = ui()
    try:
        if action == "remove":
            remove_account(account, actor=request.user)
            messages.success(request, gettext(lc, "Compte supprimé ; ses secrets sont effacés."))
        else:
            edit_account(account, enabled=action == "enable", actor=request.user)
            done = (
                gettext(lc, "Compte activé.")
                if action == "enable"
                else gettext(lc, "Compte désactivé.")
            )
            messages.success(request, done)
    except AccountError as exc:
        messages.error(request, gettext(lc, "Refusé : {detail}").format(detail=str(exc)))
    return redirect("console:accounts")
