"""CSV import of citizens: all lines or none, a report of what changed, a dry run, an undo.

Columns (UTF-8, header row, any order): reference, name, civility, phone, address1..address4,
postcode, city, country, language, timezone, channels (in order of preference), topics, area,
large_print, quiet_start, quiet_end. A line with a known reference updates that citizen:

- a column absent from the file leaves the field as it is;
- an empty cell in a present column is an explicit change (cleared; language, time zone and
  country back to their default; an address column replaces the address lines);
- the change must leave a consistent record (a consent the citizen can still be reached on);
- opt-outs survive, and an erased citizen is never brought back.

Each citizen's before/after goes to the audit log with the import's id, so an import can be
reviewed and undone (`undo_import`). A dry run does the same work in a transaction that is
rolled back: its report is exactly what the import would do, and nothing is written.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import pydantic
from django.db import transaction

from gateway.audience import merging
from gateway.audience.changes import FIELDS, diff, restore, shown, snapshot
from gateway.audience.citizens import (
    Checked,
    CitizenIn,
    check,
    granted_channels,
    problems_of,
    save,
)
from gateway.models import AuditEvent, Citizen, Consent, Organisation

LIST_SEPARATORS = (";", "|", ",", " ")
TRUE_WORDS = {"yes", "oui", "true", "1", "y", "o"}
ADDRESS_COLUMNS = ("address1", "address2", "address3", "address4")
COLUMNS = set(CitizenIn.model_fields) - {"address_lines"} | set(ADDRESS_COLUMNS) | {"civility"}
DEFAULTS = {name: info.default for name, info in CitizenIn.model_fields.items()}
EMPTY_MEANS_DEFAULT = ("language", "timezone", "country")


@dataclass
class LineReport:
    line: int
    reference: str
    action: str  # created, updated, unchanged, skipped (erased)
    changes: dict = field(default_factory=dict)  # {field: {"before", "after"}}, phones masked


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (line, field, problem)
    lines: list[LineReport] = field(default_factory=list)
    import_id: int | None = None
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Line:
    number: int
    checked: Checked
    citizen: Citizen | None
    grant: list[str] | None


def _split(value: str) -> list[str]:
    for sep in LIST_SEPARATORS:
        if sep in value:
            return [v.strip() for v in value.split(sep) if v.strip()]
    return [value.strip()] if value.strip() else []


def _given(row: dict[str, str], present: set[str]) -> dict:
    """The fields this line gives: every present column, an empty cell included."""
    row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
    out: dict = {}
    for name in present & set(CitizenIn.model_fields):
        value = row.get(name, "")
        if name in ("channels", "topics"):
            out[name] = _split(value)
        elif name == "large_print":
            out[name] = value.lower() in TRUE_WORDS
        elif name in ("quiet_start", "quiet_end"):
            out[name] = value or None
        elif name in EMPTY_MEANS_DEFAULT and not value:
            out[name] = DEFAULTS[name]
        else:
            out[name] = value
    if "name" in present and row.get("civility"):
        out["name"] = f"{row['civility']} {out.get('name', '')}".strip()
    if present & set(ADDRESS_COLUMNS):
        out["address_lines"] = [row.get(c, "") for c in ADDRESS_COLUMNS if row.get(c, "")]
    return out


def _new(given: dict) -> dict:
    """A new citizen: defaults for what the file does not give."""
    data = {**DEFAULTS, "channels": [], **given}
    if "channels" not in given:  # a mail-merge file: post when there is an address
        data["channels"] = (
            ["post"] if data.get("postcode") else (["sms"] if data.get("phone") else [])
        )
    return data


def import_file(
    organisation: Organisation, content: bytes, *, source_name: str, actor=None, dry_run=False
) -> ImportReport:
    """`import_citizens` of an uploaded file; a file that is not UTF-8 is one problem."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return ImportReport(problems=[(1, "file", "not UTF-8 text")], dry_run=dry_run)
    return import_citizens(
        organisation, text, source_name=source_name, actor=actor, dry_run=dry_run
    )


def import_citizens(
    organisation: Organisation, text: str, *, source_name: str, actor=None, dry_run=False
) -> ImportReport:
    """Validate every line, then store them all in one transaction, or nothing at all."""
    report = ImportReport(dry_run=dry_run)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames:
        report.problems.append((1, "header", "the file is empty"))
        return report
    present = {c.strip().lower() for c in reader.fieldnames if c}
    unknown = [c for c in reader.fieldnames if c and c.strip().lower() not in COLUMNS]
    if unknown:
        report.problems.append((1, unknown[0], "unknown column"))
        return report
    if "civility" in present and "name" not in present:
        report.problems.append((1, "civility", "needs the name column"))
        return report
    rows = [(reader.line_num, row) for row in reader]
    references = [(r.get("reference") or "").strip() for _, r in rows]
    existing = {
        c.reference: c
        for c in Citizen.objects.filter(organisation=organisation, reference__in=references)
    }
    ready: list[_Line] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        given = _given(row, present)
        reference = given.get("reference", "")
        if reference in seen:
            report.problems.append((line, "reference", f"already on line {seen[reference]}"))
        elif reference:
            seen[reference] = line
        citizen = existing.get(reference) if reference else None
        if citizen is not None and citizen.erased_at is not None:
            report.lines.append(LineReport(line, reference, "skipped"))
            report.skipped += 1
            continue  # erased on request: an import never brings the data back
        data = merging.given(merging.stored(citizen), given) if citizen else _new(given)
        try:
            entry = CitizenIn(**data)
        except pydantic.ValidationError as exc:
            report.problems += [(line, p.field, p.problem) for p in problems_of(exc)]
            continue
        checked, problems = check(organisation, entry, consents=granted_channels(citizen))
        report.problems += [(line, p.field, p.problem) for p in problems]
        if checked is not None:
            grant = None if citizen is None or "channels" in given else []
            ready.append(_Line(line, checked, citizen, grant))
    if report.problems:
        report.lines = []
        return report
    with transaction.atomic():
        run = AuditEvent.record(
            "citizens.imported",
            organisation,
            actor=actor,
            organisation=organisation,
            file=source_name,
            lines=len(rows),
        )
        report.import_id = run.pk
        for item in ready:
            _store(organisation, item, report, run.pk, source_name, actor)
        if dry_run:
            transaction.set_rollback(True)
            report.import_id = None
    report.lines.sort(key=lambda r: r.line)
    return report


def _store(organisation, item: _Line, report: ImportReport, run: int, name: str, actor) -> None:
    citizen, changes = save(
        organisation,
        item.checked,
        source="agent",
        evidence=f"import #{run} {name} line {item.number}",
        actor=actor,
        citizen=item.citizen,
        grant=item.grant,
        audit={"import_id": run, "line": item.number},
    )
    if item.citizen is None:
        action = "created"
        report.created += 1
    elif changes:
        action = "updated"
        report.updated += 1
    else:
        action = "unchanged"
        report.unchanged += 1
    report.lines.append(LineReport(item.number, citizen.reference, action, shown(changes)))


# Undo ----------------------------------------------------------------------------------------


@dataclass
class UndoReport:
    restored: int = 0
    removed: int = 0
    conflicts: list[tuple[str, str]] = field(default_factory=list)  # (reference, field)


def undo_import(organisation: Organisation, import_id: int, *, actor=None) -> UndoReport | None:
    """Put back what import `import_id` changed; None when there is no such import.

    A field changed again since the import is left as it is now (a conflict in the report);
    a citizen the import created and nobody touched since is removed, with the consents the
    import granted.
    """
    run = AuditEvent.objects.filter(
        pk=import_id, organisation=organisation, action="citizens.imported"
    ).first()
    if run is None:
        return None
    report = UndoReport()
    events = AuditEvent.objects.filter(
        organisation=organisation,
        action__in=("citizen.created", "citizen.updated"),
        data__import_id=import_id,
    ).order_by("-pk")
    with transaction.atomic():
        for event in events:
            citizen = Citizen.objects.filter(
                pk=int(event.object_id), organisation=organisation
            ).first()
            if citizen is None or citizen.erased_at is not None:
                continue
            _undo_one(citizen, event, import_id, report, actor)
    return report


def _undo_one(
    citizen: Citizen, event: AuditEvent, import_id: int, report: UndoReport, actor
) -> None:
    changes = event.data.get("changes", {})
    now = snapshot(citizen)
    granted_here = Consent.objects.filter(
        citizen=citizen, granted=True, evidence__startswith=f"import #{import_id} "
    )
    if event.action == "citizen.created":
        untouched = all(now.get(f) == c["after"] for f, c in changes.items() if f in FIELDS)
        if untouched and not citizen.deliveries.exists():
            reference = citizen.reference
            citizen.delete()
            AuditEvent.record(
                "citizen.removed",
                event,
                actor=actor,
                organisation=citizen.organisation,
                citizen=reference,
                import_id=import_id,
            )
            report.removed += 1
        else:
            report.conflicts.append((citizen.reference, "record"))
        return
    back = {}
    for name, change in changes.items():
        if name not in FIELDS:
            continue
        if now.get(name) == change["after"]:
            back[name] = change["before"]
        else:
            report.conflicts.append((citizen.reference, name))
    granted_here.delete()
    if back:
        restore(citizen, back)
    after = snapshot(citizen)
    AuditEvent.record(
        "citizen.restored",
        citizen,
        actor=actor,
        citizen=citizen.reference,
        import_id=import_id,
        changes=diff(now, after),
    )
    report.restored += 1
