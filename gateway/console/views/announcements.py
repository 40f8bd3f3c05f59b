"""Announcements: the list, one announcement with its workflow buttons, the approval queue."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gateway import publishing
from gateway.accounts.preview import account_cards
from gateway.console import history, warnings
from gateway.console import preview as previews
from gateway.console.access import is_approver, member, own_announcement
from gateway.console.forms import ComposeForm
from gateway.console.views.compose import ui_locale
from gateway.console.views.prints import print_locales
from gateway.conversation.polls import poll_of
from gateway.models import Announcement, Status, Urgency
from renderers.errors import RenderError
from renderers.i18n import gettext


def status_word(status: str, ui: str | None = None) -> str:
    ui = ui or ui_locale()
    words = {  # plain gettext calls, so extraction finds them
        Status.DRAFT: gettext(ui, "Brouillon"),
        Status.PENDING_APPROVAL: gettext(ui, "En attente d’approbation"),
        Status.APPROVED: gettext(ui, "Approuvée"),
        Status.SCHEDULED: gettext(ui, "Programmée"),
        Status.SENDING: gettext(ui, "En cours d’envoi"),
        Status.SENT: gettext(ui, "Envoyée"),
        Status.CANCELLED: gettext(ui, "Annulée"),
    }
    return words.get(status, status)


def refusal(code: str, ui: str) -> str:
    if code == "forbidden":
        return gettext(ui, "Votre rôle ne permet pas cette action.")
    if code == "self_approval":
        return gettext(ui, "L’auteur d’une annonce ne peut pas l’approuver.")
    return gettext(ui, "Action impossible dans l’état actuel de l’annonce ; rechargez la page.")


def done(action: str, ui: str) -> str:
    return {
        "submit": gettext(ui, "Annonce envoyée pour approbation."),
        "approve": gettext(ui, "Annonce approuvée."),
        "reject": gettext(ui, "Annonce renvoyée à son auteur."),
        "schedule": gettext(ui, "Publication programmée."),
        "publish": gettext(ui, "Publication lancée."),
        "cancel": gettext(ui, "Annonce annulée."),
    }[action]


def urgency_word(urgency: str, ui: str | None = None) -> str:
    ui = ui or ui_locale()
    words = {
        Urgency.INFO: gettext(ui, "Information"),
        Urgency.IMPORTANT: gettext(ui, "Important"),
        Urgency.URGENT: gettext(ui, "Urgent"),
    }
    return words.get(urgency, urgency)


@login_required
def home(request):
    """The latest announcements, filtered by state, urgency or "mine"; sent-back ones say why."""
    membership = member(request)
    ui = ui_locale()
    announcements = Announcement.objects.filter(organisation=membership.organisation)
    chosen = {
        "status": request.GET.get("status", ""),
        "urgency": request.GET.get("urgency", ""),
        "mine": request.GET.get("mine", ""),
    }
    if chosen["status"] in Status.values:
        announcements = announcements.filter(status=chosen["status"])
    if chosen["urgency"] in Urgency.values:
        announcements = announcements.filter(urgency=chosen["urgency"])
    if chosen["mine"]:
        announcements = announcements.filter(author=request.user)
    announcements = list(
        announcements.select_related("author")
        .prefetch_related("texts")
        .order_by("-created_at")[:50]
    )
    reasons = history.sent_back(announcements)
    rows = [
        {
            "a": a,
            "title": a.text().title,
            "status": status_word(a.status, ui),
            "urgency": urgency_word(a.urgency, ui),
            "sent_back": reasons.get(a.pk),
        }
        for a in announcements
    ]
    from gateway.conversation.views import summary

    return render(
        request,
        "console/home.html",
        {
            "rows": rows,
            "member": membership,
            "conversation": summary(membership.organisation),
            "chosen": chosen,
            "statuses": [(s, status_word(s, ui)) for s in Status.values],
            "urgencies": [(u, urgency_word(u, ui)) for u in Urgency.values],
        },
    )


@login_required
def approvals(request):
    membership = member(request)
    if not is_approver(membership):
        raise PermissionDenied("approvers only")
    pending = (
        Announcement.objects.filter(
            organisation=membership.organisation, status=Status.PENDING_APPROVAL
        )
        .select_related("author")
        .prefetch_related("texts")
        .order_by("created_at")
    )
    rows = [(a, a.text().title, a.author_id == request.user.pk) for a in pending]
    return render(request, "console/approvals.html", {"rows": rows, "member": membership})


@login_required
def detail(request, announcement_id: int):
    membership = member(request)
    announcement = own_announcement(membership, announcement_id)
    locale = request.GET.get("locale")
    if locale not in announcement.locales:
        locale = announcement.locale
    cards = account_cards(
        announcement.organisation,
        lambda code: previews.saved_message(announcement, code),
        announcement.locales,
        source=announcement.locale,
        fallback=announcement.fallback_locale,
    )
    shown = previews.preview(
        previews.saved_message(announcement, locale), announcement.organisation, cards
    )
    names = dict(settings.LANGUAGES)
    texts = {
        t.locale: {"title": t.title, "summary": t.summary, "body": t.body}
        for t in announcement.texts.all()
    }
    found = warnings.missing_translations(
        texts, announcement.organisation, announcement.fallback_locale, ui_locale()
    ) + warnings.readability(texts, ui_locale())
    return render(
        request,
        "console/announcement.html",
        {
            "member": membership,
            "announcement": announcement,
            "text": announcement.text(locale),
            "status": status_word(announcement.status),
            "preview": shown,
            "warnings": found,
            "locales": [(code, names.get(code, code)) for code in announcement.locales],
            "audio_url": reverse("console:announcement-audio", args=[announcement.pk])
            + f"?locale={shown.locale}",
            "actions": available_actions(announcement, membership, request.user),
            "editable": announcement.status in publishing.EDITABLE,
            "print_locales": print_locales(announcement),
            "print_urls": {
                "notice": reverse("console:notice-pdf", args=[announcement.pk])
                + f"?locale={shown.locale}",
                "letter": reverse("console:letter-pdf", args=[announcement.pk])
                + f"?locale={shown.locale}",
            },
            "sent_back": history.sent_back([announcement]).get(announcement.pk),
            "history": history.history(announcement, ui_locale()),
            "poll": poll_of(announcement),
            "reach_url": reverse("console:reach", args=[announcement.pk])
            if not_published(announcement)
            else None,
            "cap_alerts": announcement.cap_alerts.filter(direction="out").order_by("pk"),
            "follow_up_url": reverse("console:compose") + f"?follows={announcement.pk}"
            if announcement.status in (Status.SENDING, Status.SENT)
            else None,
        },
    )


def not_published(announcement: Announcement) -> bool:
    """Its reach is still an estimate: nothing planned yet, and it may still be published."""
    return announcement.published_at is None and announcement.status not in (
        Status.SENDING,
        Status.SENT,
        Status.CANCELLED,
    )


def available_actions(announcement: Announcement, membership, user) -> set[str]:
    status = announcement.status
    actions = set()
    if status == Status.DRAFT:
        actions.add("submit")
    if status == Status.PENDING_APPROVAL and is_approver(membership):
        if user.pk not in (announcement.author_id, announcement.last_editor_id):
            actions |= {"approve", "reject"}
    if status in (Status.APPROVED, Status.SCHEDULED):
        actions |= {"publish", "schedule"}
    if (
        announcement.urgency == Urgency.URGENT
        and membership.can_alert
        and status in (Status.DRAFT, Status.PENDING_APPROVAL)
    ):
        actions.add("publish")
    if status in publishing.CANCELLABLE and is_approver(membership):
        actions.add("cancel")
    return actions


@login_required
@require_POST
def act(request, announcement_id: int, action: str):
    """One workflow step, through gateway.publishing like the API."""
    membership = member(request)
    announcement = own_announcement(membership, announcement_id)
    ui = ui_locale()
    if action == "cancel" and request.POST.get("confirmed") != "yes":
        return redirect("console:cancel-confirm", announcement.pk)  # irreversible: ask first
    try:
        with transaction.atomic():
            run(action, announcement, request)
    except publishing.WorkflowError as exc:
        messages.error(request, refusal(exc.code, ui))
    except RenderError as exc:
        messages.error(
            request,
            gettext(ui, "Une forme ne peut pas être produite : {detail}").format(detail=str(exc)),
        )
    except ValueError:
        messages.error(request, gettext(ui, "Date de programmation invalide."))
    else:
        messages.success(request, done(action, ui))
        if action == "publish":
            return redirect("console:dashboard", announcement.pk)
    return redirect("console:announcement", announcement.pk)


def run(action: str, announcement: Announcement, request) -> None:
    actor = request.user
    if action == "submit":
        publishing.submit(announcement, actor=actor)
    elif action == "approve":
        publishing.approve(announcement, actor=actor)
    elif action == "reject":
        publishing.reject(announcement, actor=actor, reason=request.POST.get("reason", ""))
    elif action == "schedule":
        when = datetime.fromisoformat(request.POST.get("when", ""))
        zone = ZoneInfo(announcement.organisation.timezone)
        publishing.schedule(announcement, when.replace(tzinfo=zone), actor=actor)
    elif action == "publish":
        exercise = request.POST.get("exercise") == "yes"  # the explicit choice (CAP exercises)
        publishing.publish(announcement, actor=actor, exercise=exercise)
    elif action == "cancel":
        publishing.cancel(announcement, actor=actor)
    else:
        raise publishing.WorkflowError("conflict", f"unknown action {action!r}")


@login_required
def edit(request, announcement_id: int):
    """The compose form on a saved announcement (a draft, one sent back, or not yet sent)."""
    membership = member(request)
    announcement = own_announcement(membership, announcement_id)
    ui = ui_locale()
    if announcement.status not in publishing.EDITABLE:
        messages.error(request, gettext(ui, "Cette annonce ne peut plus être modifiée."))
        return redirect("console:announcement", announcement.pk)
    form = ComposeForm(membership.organisation, request.POST or None, announcement=announcement)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                publishing.edit(announcement, form.edit_data(), actor=request.user)
                if request.POST.get("then") == "submit" and announcement.status == Status.DRAFT:
                    publishing.submit(announcement, actor=request.user)
        except publishing.WorkflowError as exc:
            form.add_error(None, refusal(exc.code, ui))
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, gettext(ui, "Modifications enregistrées."))
            return redirect("console:announcement", announcement.pk)
    return render(
        request,
        "console/compose.html",
        {
            "form": form,
            "member": membership,
            "editing": announcement,
            "sent_back": history.sent_back([announcement]).get(announcement.pk),
        },
    )


@login_required
def cancel_confirm(request, announcement_id: int):
    """Cancelling cannot be undone: a page that says so, with the button that does it."""
    membership = member(request)
    announcement = own_announcement(membership, announcement_id)
    if "cancel" not in available_actions(announcement, membership, request.user):
        messages.error(request, refusal("conflict", ui_locale()))
        return redirect("console:announcement", announcement.pk)
    return render(
        request,
        "console/cancel_confirm.html",
        {"member": membership, "announcement": announcement, "title": announcement.text().title},
    )
