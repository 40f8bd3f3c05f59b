"""Subscribers entered by agents: one paper form at a time, or a CSV file (admins).

Both call `gateway.audience.citizens`, like the API: the same checks, the same consent evidence.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse

from gateway.audience.citizens import check, enter, import_file, paper_evidence
from gateway.console.access import is_admin, member
from gateway.console.subscriber_forms import ImportForm, PaperForm, ui
from renderers.i18n import gettext, ngettext


@login_required
def paper_form(request):
    """Any member may enter a paper form; consent source `paper`, evidence form, date, agent."""
    membership = member(request)
    form = PaperForm(membership.organisation, request.POST if request.method == "POST" else None)
    if form.is_bound:
        form.is_valid()
        data = form.citizen()
        if data is not None:  # the service's checks too: every problem at once, not in rounds
            form.add_problems(check(membership.organisation, data)[1])
        if data is not None and form.is_valid() and not form.address_errors:
            evidence = paper_evidence(
                form.cleaned_data["form_reference"], form.cleaned_data["signed_on"], request.user
            )
            citizen, problems = enter(
                membership.organisation,
                data,
                source="paper",
                evidence=evidence,
                actor=request.user,
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
        {"form": form, "member": membership, "summary": form.error_summary()},
        status=422 if form.is_bound else 200,
    )


@login_required
def import_csv(request):
    """Admins import a CSV file, all lines or none: the report, or how many were stored."""
    membership = member(request)
    if not is_admin(membership):
        raise PermissionDenied("admins only")
    posted = request.method == "POST"
    form = ImportForm(request.POST if posted else None, request.FILES if posted else None)
    report = None
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        report = import_file(
            membership.organisation,
            upload.read(),
            source_name=upload.name or "upload",
            actor=request.user,
        )
        if report.ok:
            messages.success(request, stored(report.created, report.updated))
            return redirect("console:subscribers")
    return render(
        request,
        "console/import.html",
        {
            "form": form,
            "member": membership,
            "report": report,
            "caption": report and problems_caption(len(report.problems)),
        },
        status=422 if form.is_bound else 200,
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


def problems_caption(count: int) -> str:
    return ngettext(ui(), "{count} problème", "{count} problèmes", count).format(count=count)
