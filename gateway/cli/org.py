"""`crieur org create` and `crieur user create`: a fresh deployment's first organisation and
agents, without `crieur manage shell`."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from gateway.cli import CLIError, setup_django

ROLES = ("author", "approver", "admin")


def register(subparsers) -> None:
    org = subparsers.add_parser("org", help="create an organisation")
    org_commands = org.add_subparsers(dest="org_command", metavar="SUBCOMMAND", required=True)
    create = org_commands.add_parser("create", help="a new organisation")
    create.add_argument("slug", help="short name in URLs and commands, e.g. mairie-saint-crieur")
    create.add_argument("--name", required=True, help='e.g. "Mairie de Saint-Crieur"')
    create.add_argument("--locale", default="fr", help="default language (default: fr)")
    create.add_argument("--timezone", default="Europe/Paris")
    create.add_argument("--city", default="", help="place printed on letters")
    create.set_defaults(handler=org_create)

    user = subparsers.add_parser("user", help="create an agent of an organisation")
    user_commands = user.add_subparsers(dest="user_command", metavar="SUBCOMMAND", required=True)
    create = user_commands.add_parser(
        "create", help="a console user, member of an organisation with a role"
    )
    create.add_argument("username")
    create.add_argument("--org", required=True, metavar="SLUG")
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--email", default="")
    create.add_argument(
        "--can-alert", action="store_true", help="may publish urgent alerts without approval"
    )
    create.add_argument(
        "--password-file",
        type=Path,
        metavar="FILE",
        help="read the password from FILE (its first line; `-` for standard input) "
        "instead of asking for it",
    )
    create.set_defaults(handler=user_create)


def org_create(args: argparse.Namespace) -> int:
    setup_django()
    from babel import Locale, UnknownLocaleError
    from django.conf import settings
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_slug
    from django.db import IntegrityError, transaction

    from gateway.models import AuditEvent, Organisation

    try:
        validate_slug(args.slug)
    except ValidationError:
        raise CLIError("slug: letters, digits, - and _ only") from None
    if args.locale not in dict(settings.LANGUAGES):
        shipped = ", ".join(code for code, _ in settings.LANGUAGES)
        raise CLIError(f"--locale: {args.locale!r} is not shipped ({shipped})")
    try:
        Locale.parse(args.locale)
    except (ValueError, UnknownLocaleError):
        raise CLIError(f"--locale: {args.locale!r} is unknown") from None
    _timezone(args.timezone)
    if not args.name.strip():
        raise CLIError("--name: must not be empty")
    try:
        with transaction.atomic():
            org = Organisation.objects.create(
                slug=args.slug,
                name=args.name.strip(),
                default_locale=args.locale,
                timezone=args.timezone,
                city=args.city.strip(),
            )
            AuditEvent.record("organisation.created", org, organisation=org, via="cli")
    except IntegrityError:
        raise CLIError(f"slug: {args.slug!r} is already used; nothing changed") from None
    print(f"organisation {org.slug} created", file=sys.stderr)
    return 0


def _timezone(name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CLIError(f"--timezone: {name!r} is not a time zone (e.g. Europe/Paris)") from None


def user_create(args: argparse.Namespace) -> int:
    setup_django()
    from django.contrib.auth import get_user_model, password_validation
    from django.core.exceptions import ValidationError
    from django.db import transaction
    from django.utils import translation

    from gateway.models import AuditEvent, Membership, Organisation

    organisation = Organisation.objects.filter(slug=args.org).first()
    if organisation is None:
        raise CLIError(f"--org: no organisation {args.org!r}")
    users = get_user_model().objects
    if users.filter(username=args.username).exists():
        raise CLIError(f"username: {args.username!r} already exists; nothing changed")
    password = _password(args)
    candidate = get_user_model()(username=args.username, email=args.email)
    try:
        with translation.override("en"):  # the command line speaks English throughout
            password_validation.validate_password(password, candidate)
    except ValidationError as exc:
        raise CLIError("password: " + " ".join(exc.messages)) from None
    with transaction.atomic():
        user = users.create_user(args.username, email=args.email, password=password)
        membership = Membership.objects.create(
            user=user, organisation=organisation, role=args.role, can_alert=args.can_alert
        )
        AuditEvent.record(
            "membership.created",
            membership,
            organisation=organisation,
            role=args.role,
            can_alert=args.can_alert,
            via="cli",
        )
    print(f"user {args.username} created: {args.role} of {organisation.slug}", file=sys.stderr)
    return 0


def _password(args: argparse.Namespace) -> str:
    if args.password_file is not None:
        try:
            if str(args.password_file) == "-":
                text = sys.stdin.readline()
            else:
                text = args.password_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CLIError(f"--password-file: {exc.strerror or exc}") from None
        password = text.splitlines()[0] if text.strip() else ""
        if not password:
            raise CLIError("--password-file: the file is empty")
        return password
    if not sys.stdin.isatty():
        raise CLIError("no terminal to ask for the password: use --password-file FILE")
    password = getpass.getpass("Password: ")
    if password != getpass.getpass("Password (again): "):
        raise CLIError("the two passwords differ; nothing changed")
    return password
