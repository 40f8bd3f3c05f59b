"""Citizens: create, paper forms, read, edit, CSV import, export (GDPR) and erase.

Scoped to the caller's organisation: another organisation's citizen answers 404.
"""

from __future__ import annotations

from datetime import date

from django.shortcuts import get_object_or_404
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from gateway.api.errors import errors
from gateway.api.security import needs
from gateway.audience.citizens import (
    CitizenIn,
    Problem,
    citizen_fields,
    enter,
    erase_citizen,
    export_citizen,
    import_file,
    paper_evidence,
)
from gateway.models import Citizen

router = Router(tags=["citizens"])


class ProblemOut(Schema):
    field: str
    problem: str


class Problems(Schema):
    """A 422: `detail` names the first field; `errors` lists every problem the check found
    (empty when the request did not even parse)."""

    detail: str
    errors: list[ProblemOut] = []


class PaperFormIn(CitizenIn):
    form_reference: str = Field(..., min_length=1, max_length=60)
    signed_on: date


class CitizenOut(Schema):
    reference: str
    name: str
    phone: str
    address_lines: list[str]
    country: str
    language: str
    timezone: str
    channels: list[str]
    topics: list[str]
    area: str | None
    consents: dict[str, bool]
    erased: bool


class ImportLineProblem(Schema):
    line: int
    field: str
    problem: str


class ImportOut(Schema):
    created: int
    updated: int


class ImportProblems(Schema):
    """A refused import: nothing was stored; `problems` lists every line, field and problem."""

    detail: str
    problems: list[ImportLineProblem] = []


def _own(request, reference: str) -> Citizen:
    return get_object_or_404(Citizen, reference=reference, organisation=request.auth.organisation)


def _out(citizen: Citizen) -> dict:
    return {
        **citizen_fields(citizen),
        "consents": dict(citizen.consents.values_list("channel", "granted")),
        "erased": citizen.erased_at is not None,
    }


def _problems(problems: list[Problem]):
    field, problem = problems[0]
    return Status(
        422,
        {
            "detail": f"{field}: {problem}",
            "errors": [{"field": f, "problem": p} for f, p in problems],
        },
    )


def _store(request, data: CitizenIn, *, source: str, evidence: str, citizen=None):
    saved, problems = enter(
        request.auth.organisation,
        data,
        source=source,
        evidence=evidence,
        actor=request.user,
        citizen=citizen,
    )
    if saved is None:
        return _problems(problems)
    return Status(200 if citizen else 201, _out(saved))


@router.post(
    "", response={201: CitizenOut, **errors(body=True), 422: Problems}, auth=needs("write")
)
def create(request, payload: CitizenIn):
    """A citizen entered by an agent (consent source `agent`)."""
    who = getattr(request.user, "username", "agent")
    return _store(request, payload, source="agent", evidence=f"entered by {who}")


@router.post(
    "/paper-forms",
    response={201: CitizenOut, **errors(body=True), 422: Problems},
    auth=needs("write"),
)
def paper_form(request, payload: PaperFormIn):
    """A paper subscription form: consent source `paper`, evidence form reference, date, agent."""
    data = CitizenIn(**payload.model_dump(exclude={"form_reference", "signed_on"}))
    evidence = paper_evidence(payload.form_reference, payload.signed_on, request.user)
    return _store(request, data, source="paper", evidence=evidence)


@router.post(
    "/import",
    response={200: ImportOut, **errors(body=True), 422: ImportProblems},
    auth=needs("admin"),
)
def import_csv(request, file: UploadedFile = File(...)):  # noqa: B008
    """All or nothing: a validation report (line, field, problem) and nothing stored, or all."""
    report = import_file(
        request.auth.organisation,
        file.read(),
        source_name=file.name or "upload",
        actor=request.user,
    )
    if report.ok:
        return Status(200, {"created": report.created, "updated": report.updated})
    problems = [{"line": n, "field": f, "problem": p} for n, f, p in report.problems]
    first = problems[0]
    return Status(
        422,
        {
            "detail": f"line {first['line']}: {first['field']}: {first['problem']}",
            "problems": problems,
        },
    )


@router.get("/{reference}", response={200: CitizenOut, **errors(404)}, auth=needs("read"))
def read(request, reference: str):
    return _out(_own(request, reference))


@router.put(
    "/{reference}",
    response={200: CitizenOut, **errors(404, 409, body=True), 422: Problems},
    auth=needs("write"),
)
def edit(request, reference: str, payload: CitizenIn):
    citizen = _own(request, reference)
    if citizen.erased_at is not None:
        return Status(409, {"detail": "this citizen was erased"})
    data = payload.model_copy(update={"reference": citizen.reference})
    who = getattr(request.user, "username", "agent")
    return _store(request, data, source="agent", evidence=f"edited by {who}", citizen=citizen)


@router.get("/{reference}/export", response={200: dict, **errors(404)}, auth=needs("admin"))
def export(request, reference: str):
    """Everything stored about the citizen (GDPR right of access)."""
    return export_citizen(_own(request, reference))


@router.post("/{reference}/erase", response={200: CitizenOut, **errors(404)}, auth=needs("admin"))
def erase(request, reference: str):
    """Remove the personal data (GDPR right to erasure); delivery counts are kept."""
    citizen = _own(request, reference)
    erase_citizen(citizen, actor=request.user)
    return _out(citizen)
