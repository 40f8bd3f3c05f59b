"""The weekly digest from the database: the week's notice, and one letter per postal subscriber.

- `week_bounds(year, week, tz)`: Monday 00:00 (included) to the next Monday 00:00 (excluded),
  in the organisation's time zone;
- `published_in_week(org, year, week)`: announcements sent (or being sent) that week;
- `weekly_notice(org, year, week)`: the notice for the town hall board;
- `postal_subscribers(org)`: citizens asking for post, with a granted post consent and an address;
- `weekly_letters(org, year, week, out_dir)`: one letter per subscriber concerned by something
  that week, streamed into one PDF + manifest (large print apart), bad addresses to rejects.csv.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from gateway.mapping import to_message
from gateway.models import Announcement, Citizen, Consent, Organisation, Status, Urgency
from gateway.printing import postal_recipient
from renderers.csvsafe import safe_writer
from renderers.errors import RenderError
from renderers.message import Message, Rendition
from renderers.print import (
    MergeOutput,
    MergeResult,
    render_weekly_letter,
    render_weekly_notice,
)
from renderers.print.dates import iso_week_days, weekly_title
from renderers.print.mailmerge import MANIFEST_COLUMNS, REJECT_COLUMNS
from renderers.print.pdfjoin import PDFJoiner

PUBLISHED = (Status.SENT, Status.SENDING)
BATCH = 500  # citizens per query: memory stays flat whatever the size of the town

Progress = Callable[[int], None]  # called with the number of subscribers handled so far


def week_bounds(year: int, week: int, tz: str) -> tuple[datetime, datetime]:
    """Aware datetimes: Monday 00:00 of ISO `week` and the next Monday 00:00 (end excluded)."""
    monday, _ = iso_week_days(year, week)
    start = datetime.combine(monday, time.min, tzinfo=ZoneInfo(tz))
    next_monday = datetime.combine(monday + timedelta(days=7), time.min, tzinfo=ZoneInfo(tz))
    return start, next_monday


def published_in_week(organisation: Organisation, year: int, week: int) -> list[Announcement]:
    """Announcements of the organisation published during the week, oldest first."""
    start, end = week_bounds(year, week, organisation.timezone)
    return list(
        Announcement.objects.filter(
            organisation=organisation,
            status__in=PUBLISHED,
            published_at__gte=start,
            published_at__lt=end,
        )
        .select_related("organisation")
        .prefetch_related("texts", "topics", "areas")
        .order_by("published_at", "pk")
    )


def weekly_notice(
    organisation: Organisation, year: int, week: int, locale: str | None = None
) -> Rendition:
    """The weekly notice: every announcement of the week, in `locale` (the default one if None)."""
    locale = locale or organisation.default_locale
    return render_weekly_notice(
        [to_message(a, locale) for a in published_in_week(organisation, year, week)],
        year=year,
        week=week,
        locale=locale,
        organisation=organisation.name,
    )


def postal_subscribers(organisation: Organisation) -> Iterator[Citizen]:
    """Citizens (not erased) with "post" among their channels, a granted post consent and an
    address; in id order, fetched by batches, with their topics prefetched."""
    citizens = (
        Citizen.objects.filter(organisation=organisation, erased_at__isnull=True)
        .filter(pk__in=Consent.objects.filter(channel="post", granted=True).values("citizen_id"))
        .prefetch_related("topics")
        .order_by("pk")
    )
    last_id = 0
    while True:
        batch = list(citizens.filter(pk__gt=last_id)[:BATCH])
        if not batch:
            return
        for citizen in batch:
            if "post" in (citizen.channels or []) and any(
                line.strip() for line in citizen.address_lines or []
            ):
                yield citizen
        last_id = batch[-1].pk


def concerns(announcement: Announcement, citizen: Citizen) -> bool:
    """Area: none, or the citizen's; topic: none, one of the citizen's, or urgent."""
    area_ids = {a.pk for a in announcement.areas.all()}
    if area_ids and citizen.area_id not in area_ids:
        return False
    topic_ids = {t.pk for t in announcement.topics.all()}
    if not topic_ids or announcement.urgency == Urgency.URGENT:
        return True
    return bool(topic_ids & {t.pk for t in citizen.topics.all()})


def letter_locale(announcements: list[Announcement], citizen: Citizen, default: str) -> str:
    """One language per letter: the citizen's when every announcement has it, else the
    organisation's default."""
    if all(citizen.language in a.locales for a in announcements):
        return citizen.language
    return default


def weekly_letters(
    organisation: Organisation,
    year: int,
    week: int,
    out_dir: Path,
    progress: Progress | None = None,
) -> MergeResult:
    """One weekly letter per postal subscriber with something that week.

    Files in `out_dir` (as for a mail merge): `letters.pdf` + `letters.csv`,
    `letters-large-print.pdf` + `letters-large-print.csv`, `rejects.csv`.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    announcements = published_in_week(organisation, year, week)
    default = organisation.default_locale
    messages: dict[tuple[int, str], Message] = {}

    def message(announcement: Announcement, locale: str) -> Message:
        key = (announcement.pk, locale)
        if key not in messages:
            messages[key] = to_message(announcement, locale)
        return messages[key]

    title = weekly_title(year, week, default)
    outputs = {
        False: _Output(out_dir / "letters.pdf", out_dir / "letters.csv", title, large=False),
        True: _Output(
            out_dir / "letters-large-print.pdf",
            out_dir / "letters-large-print.csv",
            title,
            large=True,
        ),
    }
    rejects_path = out_dir / "rejects.csv"
    rejected = handled = 0
    try:
        with open(rejects_path, "w", newline="", encoding="utf-8") as rejects_file:
            rejects = safe_writer(rejects_file)
            rejects.writerow(REJECT_COLUMNS)
            for citizen in postal_subscribers(organisation) if announcements else ():
                handled += 1
                if progress is not None and handled % 50 == 0:
                    progress(handled)
                mine = [a for a in announcements if concerns(a, citizen)]
                if not mine:
                    continue
                locale = letter_locale(mine, citizen, default)
                recipient = postal_recipient(citizen, locale)
                try:
                    letter = render_weekly_letter(
                        [message(a, locale) for a in mine],
                        recipient,
                        year=year,
                        week=week,
                        organisation=organisation.name,
                        place=organisation.city,
                        large_print=citizen.large_print,
                    )
                except RenderError as error:
                    rejects.writerow((citizen.reference, error.detail))
                    rejected += 1
                    continue
                outputs[citizen.large_print].append(citizen.reference, letter)
        if progress is not None:
            progress(handled)
    finally:
        for output in outputs.values():
            output.close()
    return MergeResult(
        standard=outputs[False].result(),
        large_print=outputs[True].result(),
        rejects_csv=rejects_path,
        rejected=rejected,
    )


class _Output:
    """One PDF + manifest, opened at its first letter; each letter's PDF is streamed to disk."""

    def __init__(self, pdf: Path, manifest: Path, title: str, *, large: bool) -> None:
        self.pdf_path = pdf
        self.manifest_path = manifest
        self.title = title
        self.large = large
        self.joiner: PDFJoiner | None = None
        self.manifest_file = None
        self.writer = None
        self.letters = 0

    def append(self, reference: str, letter: Rendition) -> None:
        if self.joiner is None:
            self.joiner = PDFJoiner(self.pdf_path, title=self.title)
            self.manifest_file = open(self.manifest_path, "w", newline="", encoding="utf-8")  # noqa: SIM115
            self.writer = safe_writer(self.manifest_file)
            self.writer.writerow(MANIFEST_COLUMNS)
        first_page = self.joiner.pages + 1
        pages = self.joiner.append(letter.body)
        self.letters += 1
        large = "yes" if self.large else "no"
        self.writer.writerow((self.letters, reference, pages, large, first_page, letter.locale))

    def close(self) -> None:
        if self.joiner is not None:
            self.joiner.close()
        if self.manifest_file is not None:
            self.manifest_file.close()

    def result(self) -> MergeOutput | None:
        if self.joiner is None:
            return None
        return MergeOutput(self.pdf_path, self.manifest_path, self.letters, self.joiner.pages)
