"""The production path: a real `crieur web` (gunicorn) process imports CAP alerts on
`POST /api/cap`, publishes them, and serves the alerts it emitted at /cap/alerts/<id>.xml and
/cap/<organisation>.atom, cached, with Update and Cancel; hostile XML answers 422, never 500."""

from __future__ import annotations

import httpx
import pytest
from lxml import etree

from gateway.models import ApiKey, Area, Role
from tests.factories import create_organisation, create_user
from tests.gateway.alerts.test_import import BILLION_LAUGHS, EXTERNAL, fixture
from tests.gateway.alerts.xsd import assert_valid, text
from tests.gateway.webproc import WebProcess

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ATOM = {"a": "http://www.w3.org/2005/Atom"}


def test_cap_in_and_out_through_crieur_web(tmp_path):
    org = create_organisation(slug="saint-crieur", name="Mairie de Saint-Crieur")
    Area.objects.filter(organisation=org, slug="centre").update(
        name="Saint-Crieur, quais de Loire", geocodes=[{"valueName": "INSEE", "value": "49123"}]
    )
    agent = ApiKey.issue(org, create_user(org, Role.AUTHOR), "agent")[1]
    approver = ApiKey.issue(org, create_user(org, Role.APPROVER), "approver")[1]
    env = {"CRIEUR_PUBLIC_URL": "http://crieur.test", "CRIEUR_OUTBOX_DIR": str(tmp_path)}
    web = WebProcess("--workers", "1", "--threads", "4", **env).start()
    try:
        _cap(web.url, agent, approver)
    finally:
        output = web.stop()
    assert "Traceback" not in output, output


def _cap(url: str, agent: str, approver: str) -> None:
    api = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {agent}"}, timeout=30)
    boss = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {approver}"}, timeout=30)
    xml = {"Content-Type": "application/cap+xml"}

    for hostile in (BILLION_LAUGHS, EXTERNAL, b"<alert/>"):
        refused = api.post("/api/cap", content=hostile, headers=xml)
        assert refused.status_code == 422, refused.text
    assert api.post("/api/cap", content=b"x" * 2_000_000, headers=xml).status_code == 413
    assert httpx.post(f"{url}/api/cap", content=fixture("prefecture_alert.xml")).status_code == 401

    published = []
    for name in ("prefecture_alert.xml", "prefecture_update.xml"):
        imported = api.post("/api/cap", content=fixture(name), headers=xml)
        assert imported.status_code == 201, imported.text
        pk = imported.json()["announcement"]
        assert api.post(f"/api/announcements/{pk}/submit").status_code == 200
        assert boss.post(f"/api/announcements/{pk}/approve").status_code == 200
        assert api.post(f"/api/announcements/{pk}/publish").status_code == 202
        published.append(pk)

    feed = httpx.get(f"{url}/cap/saint-crieur.atom")
    assert feed.status_code == 200 and "max-age=" in feed.headers["cache-control"]
    assert feed.headers["content-type"].startswith("application/atom+xml")
    entries = etree.fromstring(feed.content).findall("a:entry", ATOM)
    assert len(entries) == 1  # one incident, its latest alert: the Update
    href = entries[0].find("a:link", ATOM).get("href")
    assert href.startswith("http://crieur.test/cap/alerts/")
    alert = httpx.get(url + href.removeprefix("http://crieur.test"))
    assert alert.status_code == 200 and alert.headers["content-type"] == "application/cap+xml"
    assert "immutable" in alert.headers["cache-control"]
    update = assert_valid(alert.content)
    assert text(update, "cap:msgType") == "Update"
    assert text(update, "cap:info/cap:web").startswith("http://crieur.test/v/")

    cancelled = api.post("/api/cap", content=fixture("prefecture_cancel.xml"), headers=xml)
    assert cancelled.json()["action"] == "cancelled"
    feed = httpx.get(f"{url}/cap/saint-crieur.atom")
    assert etree.fromstring(feed.content).findall("a:entry", ATOM) == []
    assert httpx.get(f"{url}/cap/alerts/nope.xml").status_code == 404
    assert httpx.get(f"{url}/cap/nobody.atom").status_code == 404
