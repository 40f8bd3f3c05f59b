"""deploy/ is checked without a container engine: every command the compose file and the
systemd units run exists in the CLI, every variable they set is a known setting, and the image
installs the system packages the code needs, no more."""

from __future__ import annotations

import ast
import re
import shlex
from pathlib import Path

import pytest
import yaml

from gateway import conf
from gateway.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
# The programs the code runs, found in the source (a `BINARY = "…"` handed to shutil.which),
# and the Debian package of each.
PACKAGES = {"espeak-ng": "espeak-ng"}


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def crieur_services() -> dict[str, dict]:
    return {
        name: service
        for name, service in compose()["services"].items()
        if service.get("image", "").startswith("crieur")
    }


def assert_cli_command(argv: list[str], where: str) -> None:
    assert argv and Path(argv[0]).name == "crieur", (where, argv)
    try:
        args = build_parser().parse_args(argv[1:])
    except SystemExit:
        pytest.fail(f"{where}: `{shlex.join(argv)}` is not a crieur command")
    if args.command == "manage":
        from django.core.management import get_commands

        assert args.args[0] in get_commands(), (where, argv)


def unit_lines(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for line in path.read_text().splitlines():
        if "=" in line and not line.lstrip().startswith(("#", ";", "[")):
            key, value = line.split("=", 1)
            pairs.append((key.strip(), value.strip()))
    return pairs


def test_the_compose_services_run_crieur_commands():
    services = crieur_services()
    assert {"web", "worker", "beat", "migrate"} <= set(services)
    assert {"postgres", "redis"} <= set(compose()["services"])
    for name, service in services.items():
        assert_cli_command(service["command"], f"compose {name}")
    # one scheduler for the whole deployment
    assert [s["command"][1] for s in services.values()].count("beat") == 1
    assert all("--beat" not in s["command"] for s in services.values())


def test_the_compose_file_and_env_example_set_only_known_variables():
    for name, service in crieur_services().items():
        for variable in service.get("environment", {}):
            conf.variable(variable)  # KeyError names an unknown one
        assert service["environment"]["CRIEUR_ENV"] == "production", name
    example = (DEPLOY / "crieur.env.example").read_text()
    names = re.findall(r"^#?([A-Z][A-Z0-9_]+)=", example, re.MULTILINE)
    assert "CRIEUR_SECRET_KEY" in names
    for variable in names:
        conf.variable(variable)


@pytest.mark.parametrize("unit", UNITS, ids=[u.name for u in UNITS])
def test_each_systemd_unit_runs_a_crieur_command_with_known_variables(unit):
    lines = unit_lines(unit)
    starts = [value for key, value in lines if key == "ExecStart"]
    assert len(starts) == 1
    argv = shlex.split(starts[0].replace("%i", "sms,voice"))
    assert_cli_command(argv, unit.name)
    for key, value in lines:
        if key == "Environment":
            conf.variable(value.split("=", 1)[0])
    assert ("User", "crieur") in lines  # never root


def test_the_units_cover_web_worker_and_one_beat():
    commands = [shlex.split(v)[1] for u in UNITS for k, v in unit_lines(u) if k == "ExecStart"]
    assert sorted(commands) == ["beat", "web", "worker"]


def programs_the_code_runs() -> set[str]:
    found = set()
    for package in ("gateway", "renderers", "channels"):
        for path in (ROOT / package).rglob("*.py"):
            source = path.read_text()
            if "shutil.which" not in source and "subprocess" not in source:
                continue
            for node in ast.walk(ast.parse(source)):
                if (
                    isinstance(node, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == "BINARY" for t in node.targets)
                    and isinstance(node.value, ast.Constant)
                ):
                    found.add(node.value.value)
    return found


def test_the_image_installs_the_packages_the_code_needs_and_runs_as_a_user():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    installs = re.findall(r"apt-get install -y --no-install-recommends ([^\\&\n]+)", dockerfile)
    installed = {p for line in installs for p in line.split()}
    needed = {PACKAGES[program] for program in programs_the_code_runs()}
    assert needed == {"espeak-ng"}  # a new program in the code must be added to PACKAGES
    assert installed == needed
    assert re.search(r"^USER crieur$", dockerfile, re.MULTILINE)
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE)
    assert cmd, "the image has a CMD"
    assert_cli_command(yaml.safe_load(cmd.group(1)), "Dockerfile CMD")
    for name in re.findall(r"^\s*(?:ENV\s+)?([A-Z][A-Z0-9_]+)=", dockerfile, re.MULTILINE):
        if name.startswith(conf.FAMILIES):
            conf.variable(name)
