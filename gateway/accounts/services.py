"""Managing provider accounts: the one place the CLI, the API and the console call.

Settings are checked by the kind's own config (`channels.kinds`), so a bad or missing field is
refused with the kind's one-line message before anything is stored. Secrets are sealed
(gateway/accounts/secrets.py), audited by name only, never returned: a masked tail stands for
them. Every change is audited with before/after.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone as tz

from channels.config import mask
from channels.errors import ChannelError
from channels.kinds import Kind, kinds
from gateway.accounts.models import ProviderAccount
from gateway.accounts.secrets import (
    SecretsKeyError,
    UndecryptableError,
    rotate,
    seal,
    unseal,
)
from gateway.models import AuditEvent, Organisation

logger = logging.getLogger(__name__)

LIMITS = {
    "rate": "requests per second at the provider (0: no limit)",
    "call_seconds": "average length of a call in seconds (voice; the reach time estimate)",
}


class AccountError(Exception):
    """A refused change: `field` names what is wrong; `conflict` when the state forbids it."""

    def __init__(self, field: str, detail: str, *, conflict: bool = False) -> None:
        super().__init__(f"{field}: {detail}" if field else detail)
        self.field = field
        self.conflict = conflict


@dataclass(frozen=True)
class TestResult:
    ok: bool
    result: str


def kind_of(name: str) -> Kind:
    table = kinds()
    if name not in table:
        raise AccountError("kind", f"unknown kind {name!r} (known: {', '.join(table)})")
    return table[name]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def checked_settings(kind: Kind, values: Mapping[str, Any]) -> tuple[dict, dict]:
    """(plain, secret) settings once the kind's config accepts them; AccountError otherwise."""
    text = {str(k): _text(v) for k, v in values.items()}
    try:
        kind.parse(text)
    except ChannelError as exc:  # ChannelConfigError: "<kind>: <problem>", one line
        raise AccountError("settings", str(exc).removeprefix(f"{kind.name}: ")) from None
    secret_names = kind.secret_fields()
    plain = {k: v for k, v in text.items() if k not in secret_names}
    secret = {k: v for k, v in text.items() if k in secret_names}
    return plain, secret


def _checked_locale(locale: str | None) -> str:
    locale = (locale or "").strip()
    if locale and locale not in dict(django_settings.LANGUAGES):
        known = ", ".join(code for code, _ in django_settings.LANGUAGES)
        raise AccountError("locale", f"unknown locale {locale!r} (known: {known})")
    return locale


def _checked_limits(limits: Mapping[str, Any] | None) -> dict:
    checked = {}
    for name, value in (limits or {}).items():
        if name not in LIMITS:
            raise AccountError("limits", f"unknown limit {name!r} (known: {', '.join(LIMITS)})")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise AccountError("limits", f"{name} must be a number, not {value!r}") from None
        if not 0 <= number < 1e6:
            raise AccountError("limits", f"{name} must be between 0 and 1000000")
        checked[name] = number
    return checked


def _checked_label(label: str | None, default: str) -> str:
    label = (label or "").strip() or default
    if len(label) > 100:
        raise AccountError("label", "at most 100 characters")
    return label


def _one_per_citizen_kind(organisation: Organisation, kind: Kind, but: int | None = None) -> None:
    """Citizens get one SMS, one call: one enabled account of a per-citizen kind at a time."""
    if kind.broadcast:
        return
    others = ProviderAccount.objects.current().filter(
        organisation=organisation, kind=kind.name, enabled=True
    )
    other = others.exclude(pk=but).first()
    if other is not None:
        raise AccountError(
            "enabled",
            f"account {other.pk} ({other.label}) is the enabled {kind.name} account; "
            "disable it first",
            conflict=True,
        )


def _audit(action: str, account: ProviderAccount, actor, **data) -> None:
    AuditEvent.record(action, account, actor=actor, organisation=account.organisation, **data)


def add_account(
    organisation: Organisation,
    kind: str,
    values: Mapping[str, Any],
    *,
    label: str | None = None,
    locale: str | None = None,
    enabled: bool = True,
    limits: Mapping[str, Any] | None = None,
    actor=None,
) -> ProviderAccount:
    """Check and store a new account; AccountError naming the field otherwise."""
    table_kind = kind_of(kind)
    plain, secret = checked_settings(table_kind, values)
    account = ProviderAccount(
        organisation=organisation,
        kind=table_kind.name,
        label=_checked_label(label, table_kind.name),
        settings=plain,
        secret_masks={k: mask(v) for k, v in secret.items()},
        locale=_checked_locale(locale),
        enabled=enabled,
        limits=_checked_limits(limits),
    )
    try:
        account.secrets = seal(secret)
    except SecretsKeyError as exc:
        raise AccountError("", str(exc)) from None
    with transaction.atomic():
        if enabled:
            _one_per_citizen_kind(organisation, table_kind)
        account.save()
        _audit(
            "account.added",
            account,
            actor,
            kind=account.kind,
            label=account.label,
            settings=plain,
            secrets=sorted(secret),
            locale=account.locale,
            enabled=enabled,
            limits=account.limits,
        )
    return account


def edit_account(
    account: ProviderAccount,
    *,
    label: str | None = None,
    locale: str | None = None,
    enabled: bool | None = None,
    limits: Mapping[str, Any] | None = None,
    values: Mapping[str, Any] | None = None,
    actor=None,
) -> dict:
    """Change what is given (None: unchanged). `values` are merged onto the settings: a secret
    not given is kept, a setting given as None goes back to its default. Returns the audited
    before/after (secrets by name only)."""
    kind = kind_of(account.kind)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    changes: dict[str, Any] = {}
    if label is not None and _checked_label(label, account.label) != account.label:
        changes["label"] = _checked_label(label, account.label)
    if locale is not None and _checked_locale(locale) != account.locale:
        changes["locale"] = _checked_locale(locale)
    if enabled is not None and enabled != account.enabled:
        changes["enabled"] = enabled
    if limits is not None and _checked_limits(limits) != account.limits:
        changes["limits"] = _checked_limits(limits)
    for name, value in changes.items():
        before[name], after[name] = getattr(account, name), value
    if values:
        secret_names = kind.secret_fields()
        try:
            current = {**account.settings, **unseal(account.secrets)}
        except UndecryptableError:
            missing = sorted(secret_names - set(values))
            if missing:
                raise AccountError(
                    "settings",
                    f"the stored secrets cannot be decrypted; give {', '.join(missing)} again",
                ) from None
            current = dict(account.settings)
        merged = {k: v for k, v in {**current, **values}.items() if v is not None}
        plain, secret = checked_settings(kind, merged)
        old_plain = dict(account.settings)
        changed_secrets = sorted(k for k in values if k in secret_names)
        if plain != old_plain:
            before["settings"], after["settings"] = old_plain, plain
            changes["settings"] = plain
        if changed_secrets:
            before["secrets"] = after["secrets"] = changed_secrets
            try:
                changes["secrets"] = seal(secret)
            except SecretsKeyError as exc:
                raise AccountError("", str(exc)) from None
            changes["secret_masks"] = {k: mask(v) for k, v in secret.items()}
    if not changes:
        return {"before": {}, "after": {}}
    with transaction.atomic():
        row = ProviderAccount.objects.select_for_update().get(pk=account.pk)
        if row.removed_at is not None:
            raise AccountError("", "the account was removed", conflict=True)
        if changes.get("enabled"):
            _one_per_citizen_kind(row.organisation, kind, but=row.pk)
        for name, value in changes.items():
            setattr(row, name, value)
        row.save()
        _audit("account.edited", row, actor, before=before, after=after)
    account.refresh_from_db()
    return {"before": before, "after": after}


def disable_account(account: ProviderAccount, *, actor=None) -> bool:
    """Disable (its deliveries not yet sent fail with a clear reason); False if it already was."""
    if not account.enabled:
        return False
    edit_account(account, enabled=False, actor=actor)
    return True


def remove_account(account: ProviderAccount, *, actor=None) -> None:
    """Remove: disabled, secrets erased, kept only as the name of its past deliveries."""
    with transaction.atomic():
        updated = ProviderAccount.objects.filter(pk=account.pk, removed_at__isnull=True)
        if not updated.update(
            removed_at=tz.now(), enabled=False, secrets="", secret_masks={}, updated_at=tz.now()
        ):
            raise AccountError("", "the account was already removed", conflict=True)
        _audit("account.removed", account, actor, kind=account.kind, label=account.label)
    account.refresh_from_db()


def config_of(account: ProviderAccount, **internal: Any) -> Any:
    """The kind's config of the account, secrets unsealed; raises ChannelError or
    UndecryptableError / SecretsKeyError with a one-line cause."""
    kind = kind_of(account.kind)
    values = {**account.settings, **unseal(account.secrets)}
    known = {f.name for f in dataclasses.fields(kind.config)}
    return kind.parse(values, **{k: v for k, v in internal.items() if k in known})


def test_recipient(account: ProviderAccount, to: str) -> str:
    """Where a test message goes: an email address for an email account, else a number in
    E.164 form; ValidationError naming the problem."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from gateway.models.citizen import normalise_phone

    if account.kind == "email":
        validate_email(to)
        if len(to) > 254:
            raise ValidationError("not a valid email address")
        return to
    return normalise_phone(to)


def check_account(
    account: ProviderAccount, *, to: str = "", channel: str | None = None, actor=None
) -> TestResult:
    """A real call to the provider through each channel's `check()`: the message to `to` (if
    any) goes through `channel` (default: the account's first). Recorded and audited."""
    from gateway.registry import internal_settings

    kind = kind_of(account.kind)
    try:
        built = kind.build(config_of(account, **internal_settings(kind, test=True)))
        if channel is not None and channel not in built:
            raise AccountError(
                "channel", f"{account.kind} accounts have {', '.join(built)}, not {channel!r}"
            )
        target = channel or next(iter(built))
        lines = [ch.check(to=to if name == target else "") for name, ch in built.items()]
        lines += [f"warning: {warning}" for warning in _warnings(built)]
        if account.kind == "whatsapp":  # the templates it lists become the organisation's
            from gateway.messaging.whatsapp import try_sync

            lines.append(try_sync(account))
        result = TestResult(True, "; ".join(line for line in lines if line))
    except AccountError:
        raise
    except (ChannelError, UndecryptableError, SecretsKeyError) as exc:
        result = TestResult(False, " ".join(str(exc).split()))
    except Exception as exc:  # a provider answering nonsense must not show a traceback
        logger.warning("account %s test: unexpected %s", account.pk, type(exc).__name__)
        result = TestResult(False, f"{account.kind}: unexpected {type(exc).__name__}")
    ProviderAccount.objects.filter(pk=account.pk).update(
        last_test_at=tz.now(), last_test_ok=result.ok, last_test_result=result.result[:300]
    )
    _audit("account.tested", account, actor, ok=result.ok, result=result.result, message=bool(to))
    account.refresh_from_db()
    return result


def _warnings(built: Mapping[str, Any]) -> list[str]:
    """What a working account still needs (Instagram: a public URL to fetch the card from)."""
    from gateway.media.needs import BY_URL, public_url_problem

    problem = public_url_problem() if any(name in BY_URL for name in built) else ""
    return [problem] if problem else []


def rotate_keys() -> tuple[int, list[int]]:
    """Encrypt every account's secrets again with the first key: (rotated, failed ids)."""
    rotated, failed = 0, []
    for pk, token in ProviderAccount.objects.exclude(secrets="").values_list("pk", "secrets"):
        try:
            new = rotate(token)
        except UndecryptableError:
            failed.append(pk)
            continue
        ProviderAccount.objects.filter(pk=pk, secrets=token).update(secrets=new)
        rotated += 1
    return rotated, failed


def status_of(account: ProviderAccount) -> str:
    """`removed`, `disabled`, `failing` (its last test or post failed), `untested` or `ok`."""
    if account.removed_at is not None:
        return "removed"
    if not account.enabled:
        return "disabled"
    tested_later = account.last_test_at and (
        account.last_error_at is None or account.last_test_at > account.last_error_at
    )
    if account.last_test_ok is False and tested_later:
        return "failing"
    if account.last_error and not tested_later:
        return "failing"
    if account.last_test_ok is None:
        return "untested"
    return "ok"


def problem_of(account: ProviderAccount) -> str:
    """Why the account is failing (the last test or post), or ''."""
    if status_of(account) != "failing":
        return ""
    if account.last_test_ok is False and (
        account.last_error_at is None
        or (account.last_test_at and account.last_test_at > account.last_error_at)
    ):
        return account.last_test_result
    return account.last_error
