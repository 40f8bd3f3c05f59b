"""Polling CAP Atom feeds (MeteoAlarm style): each entry's alert is fetched and imported when it
is for one of the organisation's areas, with the feed's rule. An entry already imported is not
fetched again; the unique (sender, identifier) makes two polls at once import it once."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.utils import timezone as tz

from gateway.alerts.fetch import fetch
from gateway.alerts.importer import import_alert
from gateway.alerts.models import CapAlert, CapFeed, FeedRule
from gateway.alerts.parse import CapError, parse_xml
from gateway.alerts.values import MEDIA_TYPE, NS

logger = logging.getLogger(__name__)
ATOM = "{http://www.w3.org/2005/Atom}"
CAP = f"{{{NS}}}"


@dataclass
class PollReport:
    imported: list[int] = field(default_factory=list)  # announcement ids
    known: int = 0
    not_for_us: int = 0
    refused: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{len(self.imported)} imported, {self.known} already known, "
            f"{self.not_for_us} for other areas, {len(self.refused)} refused"
        )


def _entry_url(entry) -> str:
    links = entry.findall(f"{ATOM}link")
    for link in links:
        if link.get("type") == MEDIA_TYPE:
            return link.get("href", "")
    for link in links:
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link.get("href", "")
    return (entry.findtext(f"{ATOM}id") or "").strip()


def _for_other_areas(feed: CapFeed, entry) -> bool:
    """The entry names its areas (MeteoAlarm does) and none is the organisation's."""
    codes = {
        (
            (g.findtext(f"{CAP}valueName") or "").casefold(),
            (g.findtext(f"{CAP}value") or "").casefold(),
        )
        for g in entry.iter(f"{CAP}geocode")
    }
    descs = {(d.text or "").strip().casefold() for d in entry.iter(f"{CAP}areaDesc")}
    descs |= {part.strip() for d in descs for part in d.split(";")}
    if not codes and not descs:
        return False
    for area in feed.organisation.areas.all():
        own = {(g["valueName"].casefold(), g["value"].casefold()) for g in area.geocodes or ()}
        if own & codes or area.name.casefold() in descs:
            return False
    return True


def poll_feed(feed: CapFeed) -> PollReport:
    report = PollReport()
    try:
        root = parse_xml(fetch(feed.url, what="feed"), what="feed")
        if root.tag != f"{ATOM}feed":
            raise CapError("feed", "not an Atom feed (<feed> in http://www.w3.org/2005/Atom)")
    except CapError as exc:
        CapFeed.objects.filter(pk=feed.pk).update(
            last_polled_at=tz.now(), last_error=str(exc)[:300]
        )
        report.refused.append(str(exc))
        return report
    severities = tuple(feed.publish_severities) if feed.rule == FeedRule.PUBLISH else ()
    for entry in root.iter(f"{ATOM}entry"):
        sender = (entry.findtext(f"{CAP}sender") or "").strip()
        identifier = (entry.findtext(f"{CAP}identifier") or "").strip()
        if (
            sender
            and identifier
            and CapAlert.objects.filter(
                organisation=feed.organisation, sender=sender, identifier=identifier
            ).exists()
        ):
            report.known += 1
            continue
        if _for_other_areas(feed, entry):
            report.not_for_us += 1
            continue
        url = _entry_url(entry)
        try:
            result = import_alert(
                feed.organisation,
                fetch(url),
                areas_required=True,
                publish_severities=severities,
            )
        except CapError as exc:
            report.refused.append(f"{url}: {exc}")
            continue
        if result.action == "duplicate":
            report.known += 1
        elif result.action == "not_for_us":
            report.not_for_us += 1
        elif result.announcement_id:
            report.imported.append(result.announcement_id)
    CapFeed.objects.filter(pk=feed.pk).update(
        last_polled_at=tz.now(), last_error=(report.refused[-1] if report.refused else "")[:300]
    )
    logger.info("CAP feed %s polled: %s", feed.pk, report)
    return report


def poll_all() -> dict[str, int]:
    imported = refused = 0
    for feed in CapFeed.objects.filter(enabled=True).select_related("organisation"):
        report = poll_feed(feed)
        imported += len(report.imported)
        refused += len(report.refused)
    return {"imported": imported, "refused": refused}
