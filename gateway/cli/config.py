"""`crieur config check`: the effective configuration, secrets masked, and what is wrong with it
(exit 1); `crieur config docs`: the README's table of variables, from the same list."""

from __future__ import annotations

import argparse
import os

from gateway import conf
from gateway.cli import CLIError, setup_django


def register(subparsers) -> None:
    parser = subparsers.add_parser("config", help="check or document the configuration")
    commands = parser.add_subparsers(dest="config_command", metavar="SUBCOMMAND", required=True)
    check = commands.add_parser(
        "check", help="print the effective configuration (secrets masked); exit 1 on a problem"
    )
    check.add_argument(
        "--offline", action="store_true", help="do not try the database and the broker"
    )
    check.set_defaults(handler=check_cmd)
    docs = commands.add_parser("docs", help="print the table of variables (Markdown)")
    docs.set_defaults(handler=docs_cmd)


def check_cmd(args: argparse.Namespace) -> int:
    problems: list[str] = []
    rows = []
    for var in conf.VARIABLES:
        names = sorted(conf.matching(var.name)) if var.prefix else [var.name]
        for name in names or [var.name + "*"]:
            raw = os.environ.get(name, "").strip()
            try:
                if raw:
                    conf.parse(var, name, raw)
            except conf.ConfigError as exc:
                problems.append(str(exc))
            value = conf.shown(var, raw) if raw else f"({_plain(var.documented_default())})"
            rows.append((name, value, "environment" if raw else "default"))
    problems += conf.unknown()
    if not problems:
        problems += _secret_key_problems()
    width = max(len(name) for name, _, _ in rows)
    print(f"Crieur configuration (CRIEUR_ENV={os.environ.get('CRIEUR_ENV') or 'development'})")
    for name, value, source in rows:
        print(f"  {name:<{width}}  {value}  [{source}]")
    if not problems and not args.offline:
        problems += _services()
    print()
    for problem in problems:
        print(f"problem: {problem}")
    print("configuration ok" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


def _plain(markdown: str) -> str:
    return markdown.replace("`", "")


def _secret_key_problems() -> list[str]:
    if problem := conf.secret_problem():
        return [problem]
    key = os.environ.get("CRIEUR_SECRET_KEY", "").strip()
    if key and (len(key) < 50 or len(set(key)) < 5):
        return ["CRIEUR_SECRET_KEY: too short (at least 50 random characters)"]
    return []


def _services() -> list[str]:
    """Reach the database (and its migrations) and the broker, as `/readyz` does."""
    try:
        setup_django(own_secret=False)
    except CLIError as exc:
        return [str(exc)]
    from gateway.health import OK, check_broker, check_database, check_migrations

    problems = []
    database = check_database()
    if database != OK:
        problems.append(f"database: {database}")
    elif (migrations := check_migrations()) != OK:
        problems.append(f"database: migrations {migrations} (run `crieur manage migrate`)")
    if (broker := check_broker()) != OK:
        problems.append(f"broker: {broker}")
    return problems


def docs_cmd(args: argparse.Namespace) -> int:
    print(markdown_table(), end="")
    return 0


HEADER = "| variable | default | secret | |"


def markdown_table() -> str:
    lines = []
    for group, title in conf.GROUPS.items():
        lines += [f"**{title}**", "", HEADER, "| --- | --- | --- | --- |"]
        for var in conf.VARIABLES:
            if var.group != group:
                continue
            name = f"`{var.name}{var.placeholder}`" if var.prefix else f"`{var.name}`"
            secret = {"secret": "yes", "url": "its password"}.get(var.show, "")
            lines.append(f"| {name} | {var.documented_default()} | {secret} | {var.description} |")
        lines.append("")
    return "\n".join(lines)
