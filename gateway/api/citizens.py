"""Citizens: create, paper forms, read, edit, CSV import (dry run, undo), export (GDPR), erase.

Scoped to the caller's organisation: another organisation's citizen answers 404.
"""

from __future__ import annotations

from datetime import date

import pydantic
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from gateway.api.errors import errors
from gateway.api.security import needs
from gateway.audience import merging
from gateway.audience.citizens import (
    CitizenIn,
    Problem,
    check,
    enter,
    paper_evidence,
    problems_of,
)
from gateway.audience.duplicates import likely_duplicates
from gateway.audience.gdpr import citizen_fields, erase_citizen, export_citizen
from gateway.audience.importer import ImportReport, import_file, undo_import
from gateway.audience.text import control_characters
from gateway.models import Citizen

router = Router(tags=["citizens"])


class ProblemOut(Schema):
    field: str
    problem: str
    code: str = Field("", description="For address problems: too_long, postcode, character…")


class Problems(Schema):
    """A 422: `detail` names the first field; `errors` lists every problem the check found
    (empty when the request did not even parse)."""

    detail: str
    errors: list[ProblemOut] = []


class PaperFormIn(CitizenIn):
    form_reference: str = Field(..., min_length=1, max_length=60)
    signed_on: date
    confirm_new: bool = Field(
        False, description="Store a new citizen although a likely duplicate exists."
    )
    merge_into: str = Field(
        "",
        max_length=20,
        description="Reference of the stored citizen this form updates (see the 409).",
    )

    @pydantic.field_validator("form_reference", "merge_into")
    @classmethod
    def no_control_characters_here(cls, value: str) -> str:
        return CitizenIn.no_control_characters(value)


# PUT: every field optional; only those given change (absent ones are left as they are).
CitizenEditIn = pydantic.create_model(
    "CitizenEditIn",
    __config__=pydantic.ConfigDict(extra="forbid"),
    __doc__="The fields to change; the others are left as they are.",
    **{
        name: (info.annotation | None, None)
        for name, info in CitizenIn.model_fields.items()
        if name != "reference"
    },
)


class CitizenOut(Schema):
    reference: str
    name: str
    phone: str
    email: str
    address_lines: list[str]
    country: str
    language: str
    timezone: str
    channels: list[str]
    topics: list[str]
    area: str | None
    consents: dict[str, bool]
    erased: bool


class CandidateOut(Schema):
    reference: str
    name: str
    phone: str = Field(description="Masked: +336••••••78.")
    address_lines: list[str]
    match: list[str] = Field(description='"phone" and/or "name and address".')


class Duplicates(Schema):
    """A 409: the form looks like a citizen already stored. Send it again with
    `merge_into` (a candidate's reference) or `confirm_new: true`."""

    detail: str
    candidates: list[CandidateOut]


class ImportLineProblem(Schema):
    line: int
    field: str
    problem: str


class ImportLineOut(Schema):
    line: int
    reference: str
    action: str = Field(description="created, updated, unchanged or skipped (erased).")
    changes: dict[str, dict] = Field(description='{"field": {"before": …, "after": …}}')


class ImportOut(Schema):
    created: int
    updated: int
    unchanged: int
    skipped: int
    dry_run: bool
    import_id: int | None = Field(description="To review it in the audit log, or undo it.")
    citizens: list[ImportLineOut]


class ImportProblems(Schema):
    """A refused import: nothing was stored; `problems` lists every line, field and problem."""

    detail: str
    problems: list[ImportLineProblem] = []


class UndoOut(Schema):
    restored: int
    removed: int
    conflicts: list[dict[str, str]]


def _own(request, reference: str) -> Citizen:
    if control_characters(reference):  # names no citizen (and PostgreSQL refuses a NUL)
        raise Http404("no such citizen")
    return get_object_or_404(Citizen, reference=reference, organisation=request.auth.organisation)


def _out(citizen: Citizen) -> dict:
    return {
        **citizen_fields(citizen),
        "consents": dict(citizen.consents.values_list("channel", "granted")),
        "erased": citizen.erased_at is not None,
    }


def _problems(problems: list[Problem]):
    first = problems[0]
    return Status(
        422,
        {
            "detail": f"{first.field}: {first.problem}",
            "errors": [{"field": p.field, "problem": p.problem, "code": p.code} for p in problems],
        },
    )


def _who(request) -> str:
    return getattr(request.user, "username", "agent")


@router.post(
    "", response={201: CitizenOut, **errors(body=True), 422: Problems}, auth=needs("write")
)
def create(request, payload: CitizenIn):
    """A citizen entered by an agent (consent source `agent`)."""
    saved, problems = enter(
        request.auth.organisation,
        payload,
        source="agent",
        evidence=f"entered by {_who(request)}",
        actor=request.user,
    )
    return _problems(problems) if saved is None else Status(201, _out(saved))


@router.post(
    "/paper-forms",
    response={
        200: CitizenOut,
        201: CitizenOut,
        **errors(body=True),
        409: Duplicates,
        422: Problems,
    },
    auth=needs("write"),
)
def paper_form(request, payload: PaperFormIn):
    """A paper subscription form: consent source `paper`, evidence form reference, date, agent.

    A likely duplicate (same phone, or same name and address) answers 409 with the candidates:
    send the form again with `merge_into` (200: its filled fields, channels and topics added to
    that citizen) or `confirm_new: true` (201: a new citizen).
    """
    organisation = request.auth.organisation
    extra = {"form_reference", "signed_on", "confirm_new", "merge_into"}
    data = CitizenIn(**payload.model_dump(exclude=extra))
    evidence = paper_evidence(payload.form_reference, payload.signed_on, request.user)
    if payload.merge_into:
        target = Citizen.objects.filter(
            organisation=organisation, reference=payload.merge_into, erased_at__isnull=True
        ).first()
        if target is None:
            return _problems([Problem("merge_into", f"no citizen {payload.merge_into!r}")])
        filled = payload.model_fields_set - extra
        merged = merging.paper_merged(merging.stored(target), data.model_dump(), filled)
        saved, problems = enter(
            organisation,
            CitizenIn(**merged),
            source="paper",
            evidence=evidence,
            actor=request.user,
            citizen=target,
            grant=data.channels,
        )
        return _problems(problems) if saved is None else Status(200, _out(saved))
    if not payload.confirm_new:
        checked, problems = check(organisation, data)
        if checked is None:
            return _problems(problems)
        candidates = likely_duplicates(organisation, checked)
        if candidates:
            return Status(
                409,
                {
                    "detail": "a likely duplicate is already stored: send again with "
                    "merge_into=<reference> or confirm_new=true",
                    "candidates": [c.shown() for c in candidates],
                },
            )
    saved, problems = enter(
        organisation, data, source="paper", evidence=evidence, actor=request.user
    )
    return _problems(problems) if saved is None else Status(201, _out(saved))


def _import_out(report: ImportReport) -> dict:
    return {
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "skipped": report.skipped,
        "dry_run": report.dry_run,
        "import_id": report.import_id,
        "citizens": [
            {"line": r.line, "reference": r.reference, "action": r.action, "changes": r.changes}
            for r in report.lines
        ],
    }


@router.post(
    "/import",
    response={200: ImportOut, **errors(body=True), 422: ImportProblems},
    auth=needs("admin"),
)
def import_csv(request, file: UploadedFile = File(...), dry_run: bool = False):  # noqa: B008
    """All or nothing: a validation report (line, field, problem) and nothing stored, or all,
    with what changed per citizen. `dry_run=true`: the same report, nothing written."""
    report = import_file(
        request.auth.organisation,
        file.read(),
        source_name=file.name or "upload",
        actor=request.user,
        dry_run=dry_run,
    )
    if report.ok:
        return Status(200, _import_out(report))
    problems = [{"line": n, "field": f, "problem": p} for n, f, p in report.problems]
    first = problems[0]
    return Status(
        422,
        {
            "detail": f"line {first['line']}: {first['field']}: {first['problem']}",
            "problems": problems,
        },
    )


@router.post(
    "/imports/{import_id}/undo", response={200: UndoOut, **errors(404)}, auth=needs("admin")
)
def undo(request, import_id: int):
    """Put back what an import changed (fields changed again since are left, as conflicts)."""
    report = undo_import(request.auth.organisation, import_id, actor=request.user)
    if report is None:
        return Status(404, {"detail": f"no import {import_id}"})
    conflicts = [{"reference": r, "field": f} for r, f in report.conflicts]
    return {"restored": report.restored, "removed": report.removed, "conflicts": conflicts}


@router.get("/{reference}", response={200: CitizenOut, **errors(404)}, auth=needs("read"))
def read(request, reference: str):
    return _out(_own(request, reference))


@router.put(
    "/{reference}",
    response={200: CitizenOut, **errors(404, 409, body=True), 422: Problems},
    auth=needs("write"),
)
def edit(request, reference: str, payload: CitizenEditIn):  # type: ignore[valid-type]
    """Change the fields given; the others are left as they are (an opt-out is never granted
    back by an edit)."""
    citizen = _own(request, reference)
    if citizen.erased_at is not None:
        return Status(409, {"detail": "this citizen was erased"})
    changes = payload.model_dump(exclude_unset=True)
    try:
        data = CitizenIn(**merging.given(merging.stored(citizen), changes))
    except pydantic.ValidationError as exc:
        return _problems(problems_of(exc))
    saved, problems = enter(
        request.auth.organisation,
        data,
        source="agent",
        evidence=f"edited by {_who(request)}",
        actor=request.user,
        citizen=citizen,
        grant=data.channels if "channels" in changes else [],
    )
    if saved is None:
        return _problems(problems)
    return _out(saved)


@router.get("/{reference}/export", response={200: dict, **errors(404)}, auth=needs("admin"))
def export(request, reference: str):
    """Everything stored about the citizen (GDPR right of access), texts sent included."""
    return export_citizen(_own(request, reference))


@router.post("/{reference}/erase", response={200: CitizenOut, **errors(404)}, auth=needs("admin"))
def erase(request, reference: str):
    """Remove the personal data (GDPR right to erasure); delivery counts are kept, and an
    opt-out stays on the suppression list."""
    citizen = _own(request, reference)
    erase_citizen(citizen, actor=request.user)
    return _out(citizen)
