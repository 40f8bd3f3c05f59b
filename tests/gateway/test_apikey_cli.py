"""`crieur apikey create|list|revoke`: the key printed once, stored hashed, one-line errors."""

from __future__ import annotations

import pytest
from django.test import Client

from gateway.cli import main
from gateway.models import ApiKey, Membership, Role
from tests.factories import create_organisation, create_user

pytestmark = pytest.mark.django_db


def test_create_prints_the_key_once_with_its_scopes(capsys):
    org = create_organisation()
    user = create_user(org, Role.APPROVER)
    code = main(["apikey", "create", "--org", org.slug, "--user", user.username, "--scope", "read"])
    out, err = capsys.readouterr()
    assert code == 0 and "not shown again" in err
    key = out.strip()
    stored = ApiKey.objects.get(user=user)
    assert stored.digest == ApiKey.hash(key) and stored.scopes == ["read"]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/announcements").status_code == 200
    assert client.post("/api/announcements", {}, "application/json").status_code == 403

    assert main(["apikey", "list", "--org", org.slug]) == 0
    listing = capsys.readouterr().out
    assert f"{stored.pk}\t{org.slug}\t{user.username}\tcli\tread\t" in listing
    assert key not in listing

    assert main(["apikey", "revoke", str(stored.pk)]) == 0
    assert client.get("/api/announcements").status_code == 401
    assert main(["apikey", "revoke", str(stored.pk)]) == 2
    assert "already revoked" in capsys.readouterr().err


def test_role_makes_a_new_member_and_errors_are_one_line(capsys):
    org = create_organisation()
    assert main(["apikey", "create", "--org", "nulle-part", "--user", "x"]) == 2
    assert capsys.readouterr().err == "crieur: error: --org: no organisation 'nulle-part'\n"
    assert main(["apikey", "create", "--org", org.slug, "--user", "marie"]) == 2
    assert "is not a member" in capsys.readouterr().err
    code = main(["apikey", "create", "--org", org.slug, "--user", "marie", "--role", "admin"])
    assert code == 0 and capsys.readouterr().out.startswith(ApiKey.PREFIX)
    member = Membership.objects.get(user__username="marie", organisation=org)
    assert member.role == Role.ADMIN
    assert ApiKey.objects.get(user__username="marie").scopes == [
        "read",
        "write",
        "publish",
        "admin",
    ]
    with pytest.raises(SystemExit) as usage:
        main(["apikey", "create", "--org", org.slug, "--user", "marie", "--scope", "root"])
    assert usage.value.code == 2
