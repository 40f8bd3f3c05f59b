"""Citizens' questions: answered from the current announcements when the match is confident
(the announcement's own summary and link, in the citizen's language), else passed to the town
hall for an agent, whose answer goes back on the same channel."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from gateway.conversation.answering import find_answer
from gateway.conversation.models import Question, QuestionStatus, Reply, ReplyStatus
from gateway.mapping import public_url
from gateway.models import AuditEvent, InboundMessage
from inbound.answers import detect_language
from renderers.i18n import gettext
from renderers.sms import analyse, smart_encode

MAX_REPLY = 1600  # Twilio's limit for one message body (21617)


class QuestionError(ValueError):
    def __init__(self, detail: str, *, conflict: bool = False) -> None:
        super().__init__(detail)
        self.conflict = conflict


def ask(inbound: InboundMessage, *, locale: str, reply_to: str = "") -> Question:
    """Store the question and have it answered by a task once the transaction commits."""
    question = Question.objects.create(inbound=inbound, locale=locale, reply_to=reply_to)
    if inbound.channel != "web":
        from gateway.conversation.tasks import answer_question

        transaction.on_commit(lambda: answer_question.apply_async((question.pk,), queue="sms"))
    return question


def passed_on(locale: str) -> str:
    return gettext(
        locale,
        "Merci pour votre question. Nous l’avons transmise à la mairie : un agent vous répondra.",
    )


def answer_text(announcement, locale: str, max_parts: int) -> tuple[str, str]:
    """The announcement's own words in `locale` (else its fallback language): its summary and
    link, or its title and link when the summary does not fit `max_parts` SMS."""
    text = announcement.text(locale)
    details = gettext(text.locale, "Détails :")
    link = public_url(announcement)
    for lead in (text.summary, text.title):
        body = smart_encode(f"{lead.strip()}\n{details} {link}")
        if analyse(body).segments <= max_parts:
            return body, text.locale
    return smart_encode(f"{text.title.strip()}\n{details} {link}"), text.locale


def answer(question: Question) -> Reply | None:
    """Match the question (claimed once: new → open), store the reply to send; None when
    another run took it."""
    if not Question.objects.filter(pk=question.pk, status=QuestionStatus.NEW).update(
        status=QuestionStatus.OPEN
    ):
        return None
    inbound = question.inbound
    organisation = inbound.organisation
    match, announcements = find_answer(organisation, inbound.body)
    with transaction.atomic():
        if match.key is None:
            Question.objects.filter(pk=question.pk).update(
                margin=match.margin if match.best else None
            )
            return Reply.objects.create(
                question=question, body=smart_encode(passed_on(question.locale)), automatic=True
            )
        announcement = announcements[match.key]
        asked = detect_language(inbound.body, announcement.locales)
        locale = asked or question.locale
        body, used = answer_text(announcement, locale, max(organisation.sms_max_parts, 1))
        Question.objects.filter(pk=question.pk).update(
            status=QuestionStatus.ANSWERED,
            announcement=announcement,
            margin=match.margin,
            locale=used,
        )
        return Reply.objects.create(question=question, body=body, automatic=True)


def answer_by_agent(question: Question, text: str, *, actor) -> Reply:
    """An agent's answer: checked, stored, sent on the question's channel (a web question reads
    it on its own page)."""
    text = text.strip()
    if not text:
        raise QuestionError("text: required")
    if len(text) > MAX_REPLY:
        raise QuestionError(f"text: at most {MAX_REPLY} characters")
    if question.status == QuestionStatus.CLOSED:
        raise QuestionError("the question is closed", conflict=True)
    web = question.inbound.channel == "web"
    if not web and not question.reply_to:
        raise QuestionError("no way to reach the citizen any more", conflict=True)
    with transaction.atomic():
        reply = Reply.objects.create(
            question=question,
            body=text if web else smart_encode(text),
            author=actor,
            status=ReplyStatus.SENT if web else ReplyStatus.PLANNED,
            sent_at=timezone.now() if web else None,
        )
        Question.objects.filter(pk=question.pk).update(status=QuestionStatus.ANSWERED)
        AuditEvent.record(
            "question.answered",
            question,
            actor=actor,
            organisation=question.inbound.organisation,
            channel=question.inbound.channel,
        )
        if not web:
            from gateway.conversation.tasks import send_reply

            transaction.on_commit(lambda: send_reply.apply_async((reply.pk,), queue="sms"))
    return reply


def close(question: Question, *, actor) -> None:
    """Closed without (another) answer; where to reach the citizen is forgotten."""
    with transaction.atomic():
        Question.objects.filter(pk=question.pk).update(status=QuestionStatus.CLOSED, reply_to="")
        AuditEvent.record(
            "question.closed", question, actor=actor, organisation=question.inbound.organisation
        )


def open_questions(organisation):
    return (
        Question.objects.filter(inbound__organisation=organisation, status=QuestionStatus.OPEN)
        .select_related("inbound__citizen")
        .order_by("created_at", "pk")
    )
