"""CAP Atom feeds polled on beat: only alerts for the organisation's areas are imported, with
its rule (drafts, or published at once for chosen severities), each alert once, even when two
polls race. Against a local feed server speaking MeteoAlarm's format."""

from __future__ import annotations

import pytest

from gateway.alerts import importer
from gateway.alerts.models import CapFeed, FeedRule
from gateway.cli import main
from gateway.models import Announcement, Area, CapAlert, Status
from tests.factories import create_organisation
from tests.gateway.alerts.test_import import fixture, org  # noqa: F401

pytestmark = pytest.mark.django_db

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2">
  <id>{base}/feeds/meteoalarm-legacy-atom-france</id>
  <title>MeteoAlarm France</title>
  <updated>2026-12-01T16:20:00+01:00</updated>
  <entry>
    <id>{base}/alerts/meteo-49.xml</id>
    <title>Vigilance orange crues : Maine-et-Loire</title>
    <updated>2026-12-01T15:00:00+01:00</updated>
    <link rel="alternate" type="application/cap+xml" href="{base}/alerts/meteo-49.xml"/>
    <cap:identifier>2.49.0.0.250.0.FR.20261201150000.49013</cap:identifier>
    <cap:sender>vigilance@meteo.fr</cap:sender>
    <cap:event>Vigilance orange crues</cap:event>
    <cap:severity>Severe</cap:severity>
    <cap:areaDesc>Maine-et-Loire</cap:areaDesc>
    <cap:geocode><cap:valueName>EMMA_ID</cap:valueName><cap:value>FR049</cap:value></cap:geocode>
  </entry>
  <entry>
    <id>{base}/alerts/meteo-13.xml</id>
    <title>Vigilance jaune vent : Bouches-du-Rhône</title>
    <updated>2026-12-01T15:00:00+01:00</updated>
    <link rel="alternate" type="application/cap+xml" href="{base}/alerts/meteo-13.xml"/>
    <cap:identifier>2.49.0.0.250.0.FR.20261201150000.13001</cap:identifier>
    <cap:sender>vigilance@meteo.fr</cap:sender>
    <cap:areaDesc>Bouches-du-Rhône</cap:areaDesc>
    <cap:geocode><cap:valueName>EMMA_ID</cap:valueName><cap:value>FR013</cap:value></cap:geocode>
  </entry>
  <entry>
    <id>{base}/alerts/pref.xml</id>
    <title>Évacuation des quais de Loire à Saint-Crieur</title>
    <updated>2026-12-01T16:20:00+01:00</updated>
    <link href="{base}/alerts/pref.xml"/>
  </entry>
  <entry>
    <id>{base}/alerts/broken.xml</id>
    <title>Broken</title>
    <updated>2026-12-01T16:20:00+01:00</updated>
    <link href="{base}/alerts/broken.xml"/>
  </entry>
</feed>
"""


@pytest.fixture
def feed_server(httpserver):
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/feed.atom").respond_with_data(
        FEED.format(base=base), content_type="application/atom+xml"
    )
    for path, name in (("meteo-49", "meteoalarm_alert.xml"), ("pref", "prefecture_alert.xml")):
        httpserver.expect_request(f"/alerts/{path}.xml").respond_with_data(
            fixture(name), content_type="application/cap+xml"
        )
    httpserver.expect_request("/alerts/broken.xml").respond_with_data(
        b"<alert><oops></alert>", content_type="application/cap+xml"
    )
    return httpserver


def fetched(server, path: str) -> int:
    return sum(1 for request, _ in server.log if request.path == path)


def test_beat_imports_alerts_for_our_areas_with_the_rule_and_each_once(org, feed_server, capsys):  # noqa: F811
    url = feed_server.url_for("/feed.atom")
    assert main(["cap", "feed", "add", url, "--org", "saint-crieur", "--publish", "Extreme"]) == 0
    assert "added" in capsys.readouterr().out
    feed = CapFeed.objects.get()
    assert (feed.rule, feed.publish_severities) == (FeedRule.PUBLISH, ["Extreme"])

    from gateway.alerts.tasks import poll_cap_feeds

    assert poll_cap_feeds.delay().get() == {"imported": 2, "refused": 1}
    meteo = Announcement.objects.get(texts__title="Vigilance orange crues : Maine-et-Loire")
    assert meteo.status == Status.DRAFT  # Severe: waits for approval
    prefecture = Announcement.objects.get(texts__title__startswith="Évacuation des quais")
    assert prefecture.status in (Status.SENDING, Status.SENT)  # Extreme: published at once
    assert CapAlert.objects.filter(announcement=prefecture, direction="out").count() == 1
    assert fetched(feed_server, "/alerts/meteo-13.xml") == 0  # another département
    feed.refresh_from_db()
    assert feed.last_polled_at and feed.last_error.startswith(feed_server.url_for("/alerts/broken"))

    # the next poll: the feed again, nothing imported twice, known entries not even fetched
    assert poll_cap_feeds.delay().get() == {"imported": 0, "refused": 1}
    assert fetched(feed_server, "/alerts/meteo-49.xml") == 1
    assert Announcement.objects.count() == 2
    assert main(["cap", "feed", "list", "--org", "saint-crieur"]) == 0
    assert "rule=publish" in capsys.readouterr().out


def test_two_polls_racing_import_an_alert_once(org, feed_server, monkeypatch):  # noqa: F811
    """Both polls pass the "already known?" check: the unique (sender, identifier) decides."""
    from gateway.alerts.feeds import poll_feed

    feed = CapFeed.objects.create(organisation=org, url=feed_server.url_for("/feed.atom"))
    assert len(poll_feed(feed).imported) == 2
    monkeypatch.setattr(importer, "known_alert", lambda organisation, alert: None)
    monkeypatch.setattr("gateway.alerts.feeds.CapAlert.objects.filter", _nothing_known)
    report = poll_feed(feed)
    assert report.imported == [] and report.known == 2
    assert Announcement.objects.count() == 2 and CapAlert.objects.count() == 2
    assert all(a.status == Status.DRAFT for a in Announcement.objects.all())  # draft rule


def _nothing_known(**kwargs):
    return CapAlert.objects.none()


def test_a_feed_that_is_not_atom_or_not_reachable_is_reported(org, httpserver):  # noqa: F811
    from gateway.alerts.feeds import poll_feed

    httpserver.expect_request("/feed.atom").respond_with_data(fixture("prefecture_alert.xml"))
    feed = CapFeed.objects.create(organisation=org, url=httpserver.url_for("/feed.atom"))
    assert poll_feed(feed).refused == [
        "feed: not an Atom feed (<feed> in http://www.w3.org/2005/Atom)"
    ]
    gone = CapFeed.objects.create(organisation=org, url=httpserver.url_for("/missing.atom"))
    assert "answered HTTP 500" in poll_feed(gone).refused[0]
    gone.refresh_from_db()
    assert "HTTP 500" in gone.last_error


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_two_poll_processes_at_once_import_each_alert_once(feed_server):
    """Two `crieur cap feed poll` processes on the same database, started together."""
    from tests.gateway.webproc import Process

    town = create_organisation(slug="saint-crieur")
    Area.objects.filter(organisation=town, slug="centre").update(
        name="Saint-Crieur, quais de Loire", geocodes=[{"valueName": "INSEE", "value": "49123"}]
    )
    Area.objects.filter(organisation=town, slug="nord").update(
        geocodes=[{"valueName": "EMMA_ID", "value": "FR049"}]
    )
    CapFeed.objects.create(organisation=town, url=feed_server.url_for("/feed.atom"))
    polls = [Process("cap", "feed", "poll", "--org", "saint-crieur").start() for _ in range(2)]
    outputs = []
    for poll in polls:
        poll.process.wait(timeout=120)
        outputs.append(poll.stop())
        assert poll.process.returncode == 0, outputs[-1]
    assert Announcement.objects.count() == 2, outputs
    assert CapAlert.objects.count() == 2
    imported = sum(int(o.split(": ")[-1].split(" imported")[0]) for o in outputs)
    assert imported == 2, outputs


def test_admins_register_feeds_through_the_api(org, feed_server):  # noqa: F811
    from django.test import Client

    from gateway.models import ApiKey, Role
    from tests.factories import create_user

    admin = Client(HTTP_AUTHORIZATION=f"Bearer {ApiKey.issue(org, create_user(org), 'a')[1]}")
    author_key = ApiKey.issue(org, create_user(org, Role.AUTHOR), "b")[1]
    author = Client(HTTP_AUTHORIZATION=f"Bearer {author_key}")
    url = feed_server.url_for("/feed.atom")
    body = {"url": url, "publish_severities": ["Extreme"]}
    assert author.post("/api/cap/feeds", body, "application/json").status_code == 403
    added = admin.post("/api/cap/feeds", body, "application/json")
    assert added.status_code == 201, added.content
    assert added.json()["rule"] == "publish"
    bad = admin.post("/api/cap/feeds", {"url": "ftp://x"}, "application/json")
    assert bad.status_code == 422 and bad.json()["detail"].startswith("url:")
    from gateway.alerts.tasks import poll_cap_feeds

    assert poll_cap_feeds.delay().get()["imported"] == 2
    listed = author.get("/api/cap/feeds").json()
    assert listed[0]["url"] == url and listed[0]["last_polled_at"]
    assert admin.delete(f"/api/cap/feeds/{added.json()['id']}").status_code == 204
    assert CapFeed.objects.count() == 0


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_crieur_beat_and_a_worker_poll_the_feeds(feed_server):
    """The production path: `crieur beat` queues crieur.poll_cap_feeds every
    CRIEUR_CAP_FEED_SECONDS, a `crieur worker` on the periodic queue imports."""
    import time

    from tests.gateway.webproc import Process

    town = create_organisation(slug="saint-crieur")
    Area.objects.filter(organisation=town, slug="centre").update(
        geocodes=[{"valueName": "INSEE", "value": "49123"}]
    )
    Area.objects.filter(organisation=town, slug="nord").update(
        geocodes=[{"valueName": "EMMA_ID", "value": "FR049"}]
    )
    CapFeed.objects.create(organisation=town, url=feed_server.url_for("/feed.atom"))
    env = {"CRIEUR_CAP_FEED_SECONDS": "1"}
    beat = Process("beat", "--loglevel", "WARNING", **env).start()
    worker = Process("worker", "--queues", "periodic", "--concurrency", "1", **env).start()
    try:
        deadline = time.monotonic() + 90
        while Announcement.objects.count() < 2 and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(2)  # a few more polls: nothing more is imported
    finally:
        outputs = beat.stop() + worker.stop()
    assert Announcement.objects.count() == 2, outputs
    assert CapAlert.objects.count() == 2
    assert CapFeed.objects.get().last_polled_at is not None
    assert "Traceback" not in outputs


def test_two_towns_following_one_feed_each_get_its_alerts(org, feed_server):  # noqa: F811
    from gateway.alerts.feeds import poll_all

    other = create_organisation(slug="voisine")
    Area.objects.filter(organisation=other, slug="nord").update(
        geocodes=[{"valueName": "EMMA_ID", "value": "FR049"}]
    )
    for town in (org, other):
        CapFeed.objects.create(organisation=town, url=feed_server.url_for("/feed.atom"))
    assert poll_all() == {"imported": 3, "refused": 2}  # the neighbour is not on the quays
    assert Announcement.objects.filter(organisation=other).count() == 1
    assert poll_all() == {"imported": 0, "refused": 2}
