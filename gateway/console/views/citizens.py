"""One citizen, as agents see them: details, consents with their evidence history, deliveries
and replies; admins edit, export (GDPR access) and erase (GDPR erasure) from here.

Editing, export and erasure call the same services as the API (`gateway.audience`).
"""

from __future__ import annotations

import json

from babel import Locale
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from gateway.audience import merging
from gateway.audience.changes import masked
from gateway.audience.citizens import enter
from gateway.audience.gdpr import erase_citizen, export_citizen
from gateway.audience.text import control_characters
from gateway.console.access import is_admin, member
from gateway.console.subscriber_forms import ADDRESS_FIELDS, PaperForm, ui
from gateway.console.views.dashboard import delivery_status_word
from gateway.console.views.subscribers import source_word
from gateway.console.words import channel_word
from gateway.models import AuditEvent, Citizen, Delivery, InboundMessage
from renderers.i18n import gettext, language

SHOWN = 50


def own_citizen(membership, reference: str) -> Citizen:
    """The organisation's citizen; another organisation's answers 404 like a missing one."""
    if control_characters(reference):
        raise Http404("no such citizen")
    return get_object_or_404(
        Citizen.objects.select_related("area"),
        organisation=membership.organisation,
        reference=reference,
    )


def admin_member(request):
    membership = member(request)
    if not is_admin(membership):
        raise PermissionDenied("admins only")
    return membership


@login_required
def citizen(request, reference: str):
    membership = member(request)
    person = own_citizen(membership, reference)
    lc = ui()
    consents = list(person.consents.order_by("channel"))
    history = AuditEvent.objects.filter(
        object_type="consent", object_id__in=[str(c.pk) for c in consents]
    ).select_related("actor")
    deliveries = (
        Delivery.objects.filter(citizen=person)
        .select_related("announcement__organisation")
        .prefetch_related("announcement__texts")
        .order_by("-created_at", "-pk")[:SHOWN]
    )
    replies = (
        InboundMessage.objects.filter(citizen=person)
        .select_related("announcement__organisation")
        .prefetch_related("announcement__texts")
        .order_by("-received_at", "-pk")[:SHOWN]
    )
    admin = is_admin(membership)
    return render(
        request,
        "console/citizen.html",
        {
            "member": membership,
            "citizen": person,
            "admin": admin,
            # the whole number to admins (who may export it anyway), masked to the others
            "phone": person.phone if admin else masked(person.phone),
            "channels": [channel_word(c, lc) for c in person.channels],
            "language": Locale.parse(language(lc)).languages.get(person.language, person.language),
            "topics": list(person.topics.order_by("name").values_list("name", flat=True)),
            "consents": [
                {
                    "channel": channel_word(c.channel, lc),
                    "granted": c.granted,
                    "source": source_word(c.source, lc),
                    "at": c.at,
                    "evidence": c.evidence,
                }
                for c in consents
            ],
            "history": [
                {
                    "at": e.at,
                    "granted": e.action == "consent.granted",
                    "channel": channel_word(e.data.get("channel", ""), lc),
                    "source": source_word(e.data.get("source", ""), lc),
                    "evidence": e.data.get("evidence", ""),
                    "actor": e.actor.get_username() if e.actor else "",
                }
                for e in history
            ],
            "deliveries": [
                {
                    "announcement": d.announcement,
                    "title": d.announcement.text().title,
                    "channel": channel_word(d.channel, lc),
                    "status": delivery_status_word(d.status, lc),
                    "at": d.delivered_at or d.sent_at or d.created_at,
                    "error": d.last_error,
                }
                for d in deliveries
            ],
            "replies": [
                {
                    "at": m.received_at,
                    "channel": channel_word(m.channel, lc),
                    "body": m.body,
                    "keyword": m.keyword,
                    "announcement": m.announcement,
                    "title": m.announcement.text().title if m.announcement else "",
                }
                for m in replies
            ],
        },
    )


class CitizenForm(PaperForm):
    """The paper form's boxes, without the form's own number and date: an admin's correction."""

    def __init__(self, organisation, citizen: Citizen, *args, **kwargs) -> None:
        super().__init__(organisation, *args, **kwargs)
        for name in ("form_reference", "signed_on", "reference"):
            del self.fields[name]
        self.timezone = citizen.timezone  # not on the paper form: kept as it is
        if not self.is_bound:
            self.initial = initial_of(citizen)

    def citizen(self):
        self.cleaned_data.setdefault("reference", "")
        data = super().citizen()
        return data.model_copy(update={"timezone": self.timezone}) if data else None


def initial_of(citizen: Citizen) -> dict:
    stored = merging.stored(citizen)
    lines = stored["address_lines"][-len(ADDRESS_FIELDS) :]
    # the street is line 4 on the envelope (the third input): shorter addresses end there
    start = max(0, 3 - len(lines)) if len(lines) <= 3 else 0
    initial = {name: "" for name in ADDRESS_FIELDS}
    initial.update(zip(ADDRESS_FIELDS[start:], lines, strict=False))
    channels = stored["channels"]
    return {
        **{k: v for k, v in stored.items() if k not in ("address_lines", "reference")},
        **initial,
        "preferred": channels[0] if channels else "",
    }


@login_required
@require_http_methods(["GET", "POST"])
def citizen_edit(request, reference: str):
    membership = admin_member(request)
    person = own_citizen(membership, reference)
    if person.erased_at is not None:
        raise Http404("this citizen was erased")
    organisation = membership.organisation
    form = CitizenForm(organisation, person, request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        status = 422
        form.is_valid()
        data = form.citizen()
        if data is not None and form.is_valid():
            before = set(person.channels)
            saved, problems = enter(
                organisation,
                data,
                source="agent",
                evidence=f"edited by {request.user.get_username()}",
                actor=request.user,
                citizen=person,
                # a channel added is consented now; an opt-out is never granted back
                grant=[c for c in data.channels if c not in before],
            )
            if saved is not None:
                messages.success(request, gettext(ui(), "Abonné enregistré."))
                return redirect("console:citizen", reference=saved.reference)
            form.add_problems(problems)
    form.described()
    return render(
        request,
        "console/citizen_edit.html",
        {
            "member": membership,
            "citizen": person,
            "form": form,
            "summary": form.error_summary(),
        },
        status=status,
    )


@login_required
def citizen_export(request, reference: str):
    """Everything stored about the citizen (GDPR right of access), as a JSON file."""
    membership = admin_member(request)
    person = own_citizen(membership, reference)
    AuditEvent.record(
        "citizen.exported", person, actor=request.user, citizen=person.reference, via="console"
    )
    body = json.dumps(export_citizen(person), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{person.reference}.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def citizen_erase(request, reference: str):
    """Asks first; erasing cannot be undone (the opt-outs stay on the suppression list)."""
    membership = admin_member(request)
    person = own_citizen(membership, reference)
    missing = False
    if request.method == "POST" and person.erased_at is None:
        if request.POST.get("confirm") == person.reference:
            erase_citizen(person, actor=request.user)
            messages.success(
                request,
                gettext(ui(), "Les données de l’abonné {reference} sont effacées.").format(
                    reference=person.reference
                ),
            )
            return redirect(reverse("console:subscribers"))
        missing = True
    return render(
        request,
        "console/citizen_erase.html",
        {"member": membership, "citizen": person, "missing": missing},
        status=422 if missing else 200,
    )
