"""Console pages of the conversation: polls (edit, live results, CSV), the moderation queue
and word lists, the questions passed to the town hall."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from gateway.console.access import is_admin, member, own_announcement
from gateway.conversation import moderation, questions
from gateway.conversation.forms import PollForm, ui
from gateway.conversation.models import Poll, Question, QuestionStatus, Review, WordEntry
from gateway.conversation.polls import EDITABLE, PollError, poll_of, save_poll
from gateway.conversation.results import results, results_csv
from gateway.conversation.social import hide_comment
from inbound.moderation import CATEGORIES
from renderers.i18n import gettext


def summary(organisation) -> dict:
    """The counts the console's home shows."""
    from gateway.conversation.polls import open_polls

    return {
        **moderation.counts(organisation),
        "questions": questions.open_questions(organisation).count(),
        "polls": sum(p.is_open() for p in open_polls(organisation)),
    }


@login_required
def polls(request):
    membership = member(request)
    rows = (
        Poll.objects.filter(announcement__organisation=membership.organisation)
        .select_related("announcement__organisation")
        .prefetch_related("texts", "announcement__texts")
        .order_by("-created_at")[:100]
    )
    table = [
        (p, p.announcement.text().title, results(p)["question"], p.answers.count()) for p in rows
    ]
    return render(request, "conversation/polls.html", {"member": membership, "rows": table})


@login_required
def poll_edit(request, announcement_id: int):
    membership = member(request)
    announcement = own_announcement(membership, announcement_id)
    poll = poll_of(announcement)
    if announcement.status not in EDITABLE:
        if poll is None:
            raise Http404("no poll")
        return redirect("console:poll-results", announcement.pk)
    form = PollForm(announcement, request.POST or None, poll=poll)
    if request.method == "POST" and form.is_valid():
        try:
            save_poll(announcement, form.data_for_save(), actor=request.user)
        except PollError as exc:
            form.add_problem(str(exc))
        else:
            messages.success(request, gettext(ui(), "Consultation enregistrée."))
            return redirect("console:poll-results", announcement.pk)
    return render(
        request,
        "conversation/poll_edit.html",
        {
            "member": membership,
            "announcement": announcement,
            "title": announcement.text().title,
            "form": form,
            "poll": poll,
        },
    )


def _results_context(announcement) -> dict:
    poll = poll_of(announcement)
    if poll is None:
        raise Http404("no poll")
    data = results(poll, ui())
    return {
        "announcement": announcement,
        "poll": poll,
        "title": announcement.text().title,
        "open": poll.is_open(),
        "results": data,
        "splits": [
            (gettext(ui(), "Par canal"), data["by_channel"]),
            (gettext(ui(), "Par langue"), data["by_locale"]),
            (gettext(ui(), "Par quartier"), data["by_area"]),
        ],
    }


@login_required
def poll_results(request, announcement_id: int):
    membership = member(request)
    announcement = own_announcement(membership, announcement_id)
    context = {**_results_context(announcement), "member": membership}
    template = "conversation/_results.html" if request.headers.get("HX-Request") else None
    return render(request, template or "conversation/poll_results.html", context)


@login_required
def poll_csv(request, announcement_id: int):
    announcement = own_announcement(member(request), announcement_id)
    poll = poll_of(announcement)
    if poll is None:
        raise Http404("no poll")
    response = HttpResponse(results_csv(poll), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="poll-{announcement.pk}.csv"'
    return response


@login_required
def moderation_queue(request):
    membership = member(request)
    organisation = membership.organisation
    return render(
        request,
        "conversation/moderation.html",
        {
            "member": membership,
            "queue": list(moderation.queue(organisation)[:200]),
            "counts": moderation.counts(organisation),
            "words": WordEntry.objects.filter(organisation=organisation).order_by(
                "allowed", "term"
            ),
            "categories": CATEGORIES,
            "admin": is_admin(membership),
        },
    )


@login_required
@require_POST
def moderation_decide(request, review_id: int):
    membership = member(request)
    review = get_object_or_404(
        Review.objects.select_related("inbound__organisation"),
        pk=review_id,
        inbound__organisation=membership.organisation,
    )
    try:
        moderation.decide(
            review, request.POST.get("decision", ""), actor=request.user, hide=hide_comment
        )
    except moderation.ModerationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, gettext(ui(), "Décision enregistrée."))
    return redirect("console:moderation")


@login_required
@require_POST
def moderation_words(request):
    membership = member(request)
    if not is_admin(membership):
        raise PermissionDenied("admins only")
    organisation = membership.organisation
    if "remove" in request.POST:
        remove = request.POST["remove"]
        if not remove.isdigit():
            raise Http404("no such word")
        entry = get_object_or_404(WordEntry, pk=int(remove), organisation=organisation)
        moderation.remove_word(entry, actor=request.user)
        return redirect("console:moderation")
    allowed = request.POST.get("kind") == "allowed"
    try:
        moderation.add_word(
            organisation,
            request.POST.get("term", ""),
            category="" if allowed else request.POST.get("kind", ""),
            allowed=allowed,
            actor=request.user,
        )
    except moderation.ModerationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, gettext(ui(), "Liste de mots mise à jour."))
    return redirect("console:moderation")


@login_required
def question_list(request):
    membership = member(request)
    organisation = membership.organisation
    answered = (
        Question.objects.filter(inbound__organisation=organisation, status=QuestionStatus.ANSWERED)
        .select_related("inbound__citizen", "announcement")
        .prefetch_related("replies", "announcement__texts")
        .order_by("-created_at")[:30]
    )
    return render(
        request,
        "conversation/questions.html",
        {
            "member": membership,
            "open": questions.open_questions(organisation).prefetch_related("replies")[:200],
            "answered": answered,
        },
    )


@login_required
@require_POST
def question_act(request, question_id: int):
    membership = member(request)
    question = get_object_or_404(
        Question.objects.select_related("inbound__organisation"),
        pk=question_id,
        inbound__organisation=membership.organisation,
    )
    try:
        if request.POST.get("action") == "close":
            questions.close(question, actor=request.user)
            messages.success(request, gettext(ui(), "Question close."))
        else:
            questions.answer_by_agent(question, request.POST.get("text", ""), actor=request.user)
            messages.success(request, gettext(ui(), "Réponse envoyée."))
    except questions.QuestionError as exc:
        messages.error(request, str(exc))
    return redirect("console:questions")
