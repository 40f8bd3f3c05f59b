"""Issue 16 item 6: a fresh deployment's first organisation and agent from the command line."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from gateway.cli import main
from gateway.models import AuditEvent, Membership, Organisation

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-staple"


def test_org_then_admin_then_the_admin_signs_in(tmp_path, capsys, fresh_buckets):
    assert main(["org", "create", "mairie-test", "--name", "Mairie de Test", "--city",
                 "Testville"]) == 0  # fmt: skip
    org = Organisation.objects.get(slug="mairie-test")
    assert (org.name, org.default_locale, org.timezone, org.city) == (
        "Mairie de Test",
        "fr",
        "Europe/Paris",
        "Testville",
    )
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\n")
    code = main(["user", "create", "marie", "--org", "mairie-test", "--role", "admin",
                 "--password-file", str(secret)])  # fmt: skip
    assert code == 0
    assert "user marie created: admin of mairie-test" in capsys.readouterr().err
    membership = Membership.objects.get(user__username="marie")
    assert membership.role == "admin" and membership.organisation == org
    assert {"organisation.created", "membership.created"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )
    client = Client()
    signed_in = client.post("/console/login/", {"username": "marie", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert client.get("/console/").status_code == 200


def test_the_password_can_come_from_standard_input(monkeypatch):
    main(["org", "create", "org-a", "--name", "A"])
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "create", "paul", "--org", "org-a", "--role", "author",
                 "--password-file", "-"]) == 0  # fmt: skip
    assert get_user_model().objects.get(username="paul").check_password(PASSWORD)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["org", "create", "bad slug", "--name", "X"], "slug: letters, digits, - and _ only"),
        (["org", "create", "org-a", "--name", "Again"], "slug: 'org-a' is already used"),
        (["org", "create", "x", "--name", "X", "--locale", "de"], "--locale: 'de' is not shipped"),
        (["org", "create", "x", "--name", "X", "--timezone", "Mars/Base"],
         "--timezone: 'Mars/Base' is not a time zone"),
        (["user", "create", "u", "--org", "nope", "--role", "admin", "--password-file", "-"],
         "--org: no organisation 'nope'"),
        (["user", "create", "u", "--org", "org-a", "--role", "admin", "--password-file",
          "/nonexistent/file"], "--password-file: No such file or directory"),
        (["user", "create", "u", "--org", "org-a", "--role", "admin"],
         "no terminal to ask for the password: use --password-file FILE"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_2(argv, message, capsys, monkeypatch):
    Organisation.objects.create(slug="org-a", name="A")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("crieur: error: ") and message in err and err.count("\n") == 1


def test_a_weak_password_or_a_taken_name_changes_nothing(tmp_path, capsys):
    Organisation.objects.create(slug="org-a", name="A")
    weak = tmp_path / "weak"
    weak.write_text("123456\n")
    argv = ["user", "create", "zoe", "--org", "org-a", "--role", "approver"]
    assert main([*argv, "--password-file", str(weak)]) == 2
    assert "password: This password is too short" in capsys.readouterr().err
    assert not get_user_model().objects.filter(username="zoe").exists()
    good = tmp_path / "good"
    good.write_text(PASSWORD)
    assert main([*argv, "--password-file", str(good)]) == 0
    assert main([*argv, "--password-file", str(good)]) == 2
    assert "'zoe' already exists; nothing changed" in capsys.readouterr().err
    assert Membership.objects.filter(user__username="zoe").count() == 1
