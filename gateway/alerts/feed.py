"""The Atom feed of an organisation's current CAP alerts (the format MeteoAlarm uses)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone as tz
from lxml import etree as ET

from gateway.alerts.models import CapAlert, Direction
from gateway.alerts.parse import parse_alert
from gateway.alerts.values import NS

ATOM = "http://www.w3.org/2005/Atom"
ET.register_namespace("cap", NS)


def alert_url(alert: CapAlert) -> str:
    return f"{settings.PUBLIC_URL}/cap/alerts/{alert.identifier}.xml"


def current_alerts(organisation) -> list[CapAlert]:
    """The latest emitted alert of each incident, unless it cancels it or has expired."""
    emitted = CapAlert.objects.filter(organisation=organisation, direction=Direction.OUT)
    latest = emitted.values("incident").annotate(last=Max("pk")).values("last")
    now = tz.now()
    return list(
        CapAlert.objects.filter(pk__in=latest)
        .exclude(msg_type="Cancel")
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .order_by("-pk")
    )


def _add(parent, tag: str, text: str = "", **attributes):
    node = ET.SubElement(parent, tag, {k: v for k, v in attributes.items() if v})
    if text:
        node.text = text
    return node


def atom_feed(organisation) -> bytes:
    alerts = current_alerts(organisation)
    self_url = f"{settings.PUBLIC_URL}/cap/{organisation.slug}.atom"
    feed = ET.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM, "cap": NS})
    _add(feed, f"{{{ATOM}}}id", self_url)
    _add(feed, f"{{{ATOM}}}title", f"{organisation.name} — CAP")
    updated = alerts[0].sent if alerts else _now(organisation)
    _add(feed, f"{{{ATOM}}}updated", updated)
    _add(feed, f"{{{ATOM}}}link", rel="self", href=self_url)
    author = _add(feed, f"{{{ATOM}}}author")
    _add(author, f"{{{ATOM}}}name", organisation.name)
    for row in alerts:
        _entry(feed, row)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True, pretty_print=True)


def _now(organisation) -> str:
    from zoneinfo import ZoneInfo

    from gateway.alerts.values import cap_time

    return cap_time(tz.now().astimezone(ZoneInfo(organisation.timezone)))


def _entry(feed, row: CapAlert) -> None:
    alert = parse_alert(row.xml)
    info = alert.infos[0]
    url = alert_url(row)
    entry = _add(feed, f"{{{ATOM}}}entry")
    _add(entry, f"{{{ATOM}}}id", url)
    _add(entry, f"{{{ATOM}}}title", info.headline or info.event)
    _add(entry, f"{{{ATOM}}}updated", alert.sent)
    _add(entry, f"{{{ATOM}}}link", rel="alternate", type="application/cap+xml", href=url)
    _add(entry, f"{{{ATOM}}}summary", info.instruction)
    for name, value in (
        ("identifier", alert.identifier),
        ("sender", alert.sender),
        ("sent", alert.sent),
        ("status", alert.status),
        ("msgType", alert.msg_type),
        ("event", info.event),
        ("urgency", info.urgency),
        ("severity", info.severity),
        ("certainty", info.certainty),
        ("effective", info.effective),
        ("expires", info.expires),
        ("areaDesc", "; ".join(a.desc for a in info.areas)),
    ):
        if value:
            _add(entry, f"{{{NS}}}{name}", value)
    for area in info.areas:
        for name, value in area.geocodes:
            geocode = _add(entry, f"{{{NS}}}geocode")
            _add(geocode, f"{{{NS}}}valueName", name)
            _add(geocode, f"{{{NS}}}value", value)
