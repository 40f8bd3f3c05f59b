"""Subscribers entered by agents: one paper form at a time, or a CSV file (admins).

Both call `gateway.audience`, like the API: the same checks, the same consent evidence. A paper
form that looks like a stored citizen (same phone, or same name and address) is not saved
blindly: the agent merges it into that citizen or confirms a new one.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse

from gateway.audience import merging
from gateway.audience.citizens import Problem, check, enter, paper_evidence
from gateway.audience.duplicates import likely_duplicates
from gateway.audience.importer import import_file
from gateway.console.access import is_admin, member
from gateway.console.subscriber_forms import ImportForm, PaperForm, ui
from gateway.models import Citizen
from renderers.i18n import gettext, ngettext


@login_required
def paper_form(request):
    """Any member may enter a paper form; consent source `paper`, evidence form, date, agent."""
    membership = member(request)
    organisation = membership.organisation
    form = PaperForm(organisation, request.POST if request.method == "POST" else None)
    candidates = []
    status = 422 if form.is_bound else 200
    if form.is_bound:
        form.is_valid()
        data = form.citizen()
        checked = None
        if data is not None:  # the service's checks too: every problem at once, not in rounds
            checked, problems = check(organisation, data)
            form.add_problems(problems)
        if checked is not None and form.is_valid() and not form.address_errors:
            evidence = paper_evidence(
                form.cleaned_data["form_reference"], form.cleaned_data["signed_on"], request.user
            )
            choice = request.POST.get("duplicate", "")
            if choice.startswith("merge:"):
                citizen, problems = _merge(organisation, choice[6:], form, evidence, request.user)
            elif choice != "new" and (candidates := likely_duplicates(organisation, checked)):
                citizen, problems, status = None, [], 409
            else:
                citizen, problems = enter(
                    organisation, data, source="paper", evidence=evidence, actor=request.user
                )
            if citizen is not None:
                messages.success(
                    request,
                    gettext(ui(), "Formulaire enregistré : abonné {reference}.").format(
                        reference=citizen.reference
                    ),
                )
                return redirect(f"{reverse('console:subscribers')}?q={citizen.reference}")
            form.add_problems(problems)
    form.described()
    return render(
        request,
        "console/paper_form.html",
        {
            "form": form,
            "member": membership,
            "summary": form.error_summary(),
            "candidates": [c.shown() for c in candidates],
        },
        status=status,
    )


def _merge(organisation, reference: str, form: PaperForm, evidence: str, agent):
    """The form's filled boxes into the stored citizen `reference`, channels and topics added."""
    target = Citizen.objects.filter(
        organisation=organisation, reference=reference, erased_at__isnull=True
    ).first()
    if target is None:
        return None, [Problem("reference", f"no subscriber {reference!r}")]
    data = form.citizen()
    filled = {name for name, value in data.model_dump().items() if value not in ("", None, [])}
    merged = merging.paper_merged(merging.stored(target), data.model_dump(), filled)
    return enter(
        organisation,
        data.model_validate(merged),
        source="paper",
        evidence=evidence,
        actor=agent,
        citizen=target,
        grant=data.channels,
    )


@login_required
def import_csv(request):
    """Admins import a CSV file, all lines or none: the problems, or what changed per citizen
    (a dry run shows the same and writes nothing)."""
    membership = member(request)
    if not is_admin(membership):
        raise PermissionDenied("admins only")
    posted = request.method == "POST"
    form = ImportForm(request.POST if posted else None, request.FILES if posted else None)
    report = None
    status = 422 if form.is_bound else 200
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        report = import_file(
            membership.organisation,
            upload.read(),
            source_name=upload.name or "upload",
            actor=request.user,
            dry_run=form.cleaned_data["dry_run"],
        )
        if report.ok:
            status = 200
    return render(
        request,
        "console/import.html",
        {
            "form": form,
            "member": membership,
            "report": report,
            "stored": report and report.ok and stored(report.created, report.updated),
            "changed": report and changes_shown(report),
            "caption": report and problems_caption(len(report.problems)),
        },
        status=status,
    )


def stored(created: int, updated: int) -> str:
    """`3 created, 1 updated`, in the agent's language."""
    lc = ui()
    return gettext(lc, "{created}, {updated}.").format(
        created=ngettext(lc, "{count} créé", "{count} créés", created).format(count=created),
        updated=ngettext(lc, "{count} mis à jour", "{count} mis à jour", updated).format(
            count=updated
        ),
    )


def changes_shown(report) -> list[dict]:
    """The report's changed citizens as the table shows them: words in the agent's language,
    values readable (a created citizen shows only what it was given)."""
    lc = ui()
    actions = {
        "created": gettext(lc, "créé"),
        "updated": gettext(lc, "mis à jour"),
        "skipped": gettext(lc, "ignoré : abonné effacé"),
    }
    rows = []
    for line in report.lines:
        if line.action == "unchanged":
            continue
        changes = [
            (name, readable(change["before"], lc), readable(change["after"], lc))
            for name, change in line.changes.items()
            if line.action != "created" or change["after"] not in (None, "", [], {}, False)
        ]
        rows.append({"line": line, "action": actions[line.action], "changes": changes})
    return rows


def readable(value, lc: str) -> str:
    """`["sms", "post"]` → `sms, post`; `{"sms": True}` → `sms : oui`; nothing → `—`."""
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, bool):
        return gettext(lc, "oui") if value else gettext(lc, "non")
    if isinstance(value, dict):
        return ", ".join(f"{k} : {readable(v, lc)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def problems_caption(count: int) -> str:
    return ngettext(ui(), "{count} problème", "{count} problèmes", count).format(count=count)
