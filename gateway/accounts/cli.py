"""`crieur accounts add|list|test|enable|disable|remove|rotate-keys|new-key`.

    crieur accounts add --org mairie --kind mastodon --label "Mairie" \\
        base_url=https://social.example access_token=…
    crieur accounts test 3 --to +33612345678

A setting given as a bare `KEY` (no `=`) is asked for without echo (or read as one line from
standard input), so a secret need not sit in the shell's history.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from gateway.cli import CLIError, setup_django


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("accounts", help="the organisations' provider accounts")
    commands = parser.add_subparsers(dest="accounts_command", metavar="SUBCOMMAND", required=True)

    add = commands.add_parser("add", help="connect an account (settings as KEY=VALUE)")
    add.add_argument("--org", required=True, metavar="SLUG", help="the organisation")
    add.add_argument("--kind", required=True, help="twilio, mastodon, bluesky, x, facebook…")
    add.add_argument("--label", help="a name for it (default: the kind)")
    add.add_argument("--locale", help="the language it posts in (default: the organisation's)")
    add.add_argument("--rate", type=float, help="requests per second at most (0: no limit)")
    add.add_argument(
        "--call-seconds", type=float, help="voice: the average call length, for the reach time"
    )
    add.add_argument("--disabled", action="store_true", help="add it disabled")
    add.add_argument(
        "settings",
        nargs="*",
        metavar="KEY=VALUE",
        help="the kind's settings, e.g. base_url=… access_token=… (a bare KEY is asked for)",
    )
    add.set_defaults(handler=run_add)

    listing = commands.add_parser("list", help="the accounts (secrets masked)")
    listing.add_argument("--org", metavar="SLUG", help="only this organisation")
    listing.add_argument("--all", action="store_true", help="removed ones too")
    listing.set_defaults(handler=run_list)

    test = commands.add_parser("test", help="a real call to the provider with the account")
    test.add_argument("id", type=int, metavar="ID")
    test.add_argument("--to", metavar="+33…", help="also send a test SMS or call to this number")
    test.add_argument("--channel", help="which of its channels sends to --to (e.g. voice)")
    test.set_defaults(handler=run_test)

    for name, what in (("enable", "enable"), ("disable", "disable"), ("remove", "remove")):
        command = commands.add_parser(name, help=f"{what} an account")
        command.add_argument("id", type=int, metavar="ID")
        command.set_defaults(handler=run_state, action=name)

    rotate = commands.add_parser(
        "rotate-keys", help="encrypt every secret again with the first key of CRIEUR_SECRETS_KEY"
    )
    rotate.set_defaults(handler=run_rotate)

    new_key = commands.add_parser("new-key", help="print a new key for CRIEUR_SECRETS_KEY")
    new_key.set_defaults(handler=run_new_key)


def settings_of(items: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not key or not key.isidentifier():
            raise CLIError(f"settings: {item!r} is not KEY=VALUE")
        if key in values:
            raise CLIError(f"settings: {key} is given twice")
        values[key] = value if sep else ask(key)
    return values


def ask(key: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(f"{key}: ")
    line = sys.stdin.readline()
    if not line:
        raise CLIError(f"settings: no value for {key} on standard input")
    return line.rstrip("\r\n")


def _account(pk: int):
    from gateway.accounts.models import ProviderAccount

    account = ProviderAccount.objects.current().select_related("organisation").filter(pk=pk).first()
    if account is None:
        raise CLIError(f"no account {pk}")
    return account


def run_add(args: argparse.Namespace) -> int:
    setup_django()
    from gateway.accounts.services import AccountError, add_account
    from gateway.models import Organisation

    organisation = Organisation.objects.filter(slug=args.org).first()
    if organisation is None:
        raise CLIError(f"--org: no organisation {args.org!r}")
    try:
        account = add_account(
            organisation,
            args.kind,
            settings_of(args.settings),
            label=args.label,
            locale=args.locale,
            enabled=not args.disabled,
            limits={
                name: value
                for name, value in (("rate", args.rate), ("call_seconds", args.call_seconds))
                if value is not None
            }
            or None,
        )
    except AccountError as exc:
        raise CLIError(str(exc)) from None
    print(account.pk)
    print(
        f"account {account.pk} added: {account.kind} {account.label!r} of {organisation.slug}"
        f"{'' if account.enabled else ' (disabled)'}; try it: crieur accounts test {account.pk}",
        file=sys.stderr,
    )
    return 0


def run_list(args: argparse.Namespace) -> int:
    setup_django()
    from gateway.accounts.models import ProviderAccount
    from gateway.accounts.services import status_of

    accounts = ProviderAccount.objects.select_related("organisation").order_by("pk")
    if not args.all:
        accounts = accounts.current()
    if args.org:
        accounts = accounts.filter(organisation__slug=args.org)
    print("id\torganisation\tkind\tlabel\tlocale\tstatus\tsettings\tlast test")
    for account in accounts:
        shown = {**account.settings, **account.secret_masks}
        settings = " ".join(f"{k}={v}" for k, v in shown.items())
        tested = (
            f"{account.last_test_at.isoformat(timespec='seconds')} {account.last_test_result}"
            if account.last_test_at
            else "-"
        )
        print(
            f"{account.pk}\t{account.organisation.slug}\t{account.kind}\t{account.label}\t"
            f"{account.effective_locale}\t{status_of(account)}\t{settings}\t{tested}"
        )
    return 0


def run_test(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import ValidationError

    from gateway.accounts.services import AccountError, check_account, test_recipient

    account = _account(args.id)
    to = ""
    if args.to:
        try:
            to = test_recipient(account, args.to)
        except ValidationError as exc:
            raise CLIError(f"--to: {exc.messages[0]}") from None
    try:
        result = check_account(account, to=to, channel=args.channel)
    except AccountError as exc:
        raise CLIError(str(exc)) from None
    if not result.ok:
        print(f"crieur: account {account.pk} failed: {result.result}", file=sys.stderr)
        return 1
    print(result.result)
    return 0


def run_state(args: argparse.Namespace) -> int:
    setup_django()
    from gateway.accounts.services import AccountError, edit_account, remove_account

    account = _account(args.id)
    try:
        if args.action == "remove":
            remove_account(account)
        else:
            edit_account(account, enabled=args.action == "enable")
    except AccountError as exc:
        raise CLIError(str(exc)) from None
    done = {"enable": "enabled", "disable": "disabled", "remove": "removed"}[args.action]
    print(f"account {account.pk} {done}", file=sys.stderr)
    return 0


def run_rotate(args: argparse.Namespace) -> int:
    setup_django()
    from gateway.accounts.secrets import SecretsKeyError
    from gateway.accounts.services import rotate_keys

    try:
        rotated, failed = rotate_keys()
    except SecretsKeyError as exc:
        raise CLIError(str(exc)) from None
    print(f"{rotated} account(s) encrypted with the first key of CRIEUR_SECRETS_KEY")
    if failed:
        ids = ", ".join(map(str, failed))
        print(
            f"crieur: cannot decrypt account(s) {ids} with any key: give their secrets again",
            file=sys.stderr,
        )
        return 1
    return 0


def run_new_key(args: argparse.Namespace) -> int:
    from cryptography.fernet import Fernet

    print(Fernet.generate_key().decode())
    return 0
