"""`crieur` command line. Each command group lives in its own module with a `register()`.

Bad input ends in one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

# Explicit registry: one module per command group, each exposing register(subparsers).
COMMAND_MODULES = (
    "gateway.cli.render",
    "gateway.cli.demo",
    "gateway.cli.server",
    "gateway.cli.sms",
    "gateway.cli.print_cmd",
    "gateway.cli.locales",
    "gateway.cli.import_cmd",
    "gateway.cli.apikey",
    "gateway.accounts.cli",
    "gateway.cli.config",
    "gateway.cli.org",
    "gateway.cli.moderate",
    "gateway.cli.ask",
    "gateway.alerts.cli",
)


class CLIError(Exception):
    """A user-facing error: printed as one line, exit status 2."""


def setup_django(own_secret: bool = True) -> None:
    """Configure Django for commands that touch the database.

    With a real database, broker or provider, or in production, the instance's own secret key
    is required (`own_secret`): a command must not sign links or hash phone numbers with the
    development key there. A malformed variable is named in one line.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gateway.settings")
    import django
    from django.conf import settings

    from gateway.conf import ConfigError

    try:
        problem = settings.SECRET_KEY_PROBLEM
    except ConfigError as exc:
        raise CLIError(str(exc)) from None
    if own_secret and problem:
        raise CLIError(problem)
    django.setup()


class Parser(argparse.ArgumentParser):
    """Usage errors in one line, like every other error of the CLI."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="crieur", description="One announcement, every channel, every citizen.")
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=Parser
    )
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except CLIError as exc:
        print(f"crieur: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("crieur: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
