"""`crieur apikey create|list|revoke`: API keys of an organisation's members."""

from __future__ import annotations

import argparse
import sys

from gateway.cli import CLIError, setup_django

SCOPES = ("read", "write", "publish", "admin")
ROLES = ("author", "approver", "admin")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("apikey", help="create, list and revoke API keys")
    commands = parser.add_subparsers(dest="apikey_command", metavar="SUBCOMMAND", required=True)

    create = commands.add_parser(
        "create", help="a new key for a member (printed once: only its hash is kept)"
    )
    create.add_argument("--org", required=True, metavar="SLUG", help="the organisation")
    create.add_argument("--user", required=True, metavar="NAME", help="the member's user name")
    create.add_argument(
        "--scope",
        action="append",
        choices=SCOPES,
        dest="scopes",
        help="what the key may do (repeat; default: every scope). The member's role still "
        "limits it",
    )
    create.add_argument("--name", default="cli", help="a label for the key (default: cli)")
    create.add_argument(
        "--role",
        choices=ROLES,
        help="make NAME a member with this role first (creating the user if needed)",
    )
    create.set_defaults(handler=run_create)

    listing = commands.add_parser("list", help="the keys (never the keys themselves)")
    listing.add_argument("--org", metavar="SLUG", help="only this organisation")
    listing.set_defaults(handler=run_list)

    revoke = commands.add_parser("revoke", help="revoke a key at once")
    revoke.add_argument("id", type=int, metavar="ID", help="the key's id (see list)")
    revoke.set_defaults(handler=run_revoke)


def run_create(args) -> int:
    setup_django()
    from django.contrib.auth import get_user_model

    from gateway.api.keys import create_key
    from gateway.models import Membership, Organisation

    organisation = Organisation.objects.filter(slug=args.org).first()
    if organisation is None:
        raise CLIError(f"--org: no organisation {args.org!r}")
    users = get_user_model().objects
    user = users.filter(username=args.user).first()
    if args.role:
        if user is None:
            user = users.create_user(args.user)  # no password: keys only, until one is set
        Membership.objects.update_or_create(
            user=user, organisation=organisation, defaults={"role": args.role}
        )
    elif user is None or not Membership.objects.filter(user=user, organisation=organisation):
        raise CLIError(
            f"--user: {args.user!r} is not a member of {args.org!r} "
            "(add --role author|approver|admin to make them one)"
        )
    key, clear = create_key(organisation, user, args.name, args.scopes or list(SCOPES))
    print(clear)
    print(
        f"key {key.pk} for {args.user} in {args.org}, scopes {','.join(key.scopes)}: "
        "store it now, it is not shown again",
        file=sys.stderr,
    )
    return 0


def run_list(args) -> int:
    setup_django()
    from gateway.models import ApiKey

    keys = ApiKey.objects.select_related("organisation", "user").order_by("pk")
    if args.org:
        keys = keys.filter(organisation__slug=args.org)
    print("id\torganisation\tuser\tname\tscopes\tcreated\trevoked")
    for key in keys:
        revoked = key.revoked_at.isoformat(timespec="seconds") if key.revoked_at else "-"
        print(
            f"{key.pk}\t{key.organisation.slug}\t{key.user.get_username()}\t{key.name}\t"
            f"{','.join(key.scopes)}\t{key.created_at.isoformat(timespec='seconds')}\t{revoked}"
        )
    return 0


def run_revoke(args) -> int:
    setup_django()
    from gateway.api.keys import revoke_key
    from gateway.models import ApiKey

    key = ApiKey.objects.filter(pk=args.id).first()
    if key is None:
        raise CLIError(f"no API key {args.id}")
    if not revoke_key(key):
        raise CLIError(f"API key {args.id} was already revoked")
    print(f"API key {args.id} revoked", file=sys.stderr)
    return 0
