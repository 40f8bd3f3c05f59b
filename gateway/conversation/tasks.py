"""Conversation tasks: answer a question, send a reply (once), fetch social comments, embed the
current announcements. They take ids and are safe to run twice."""

from __future__ import annotations

import logging

from django.utils import timezone

from channels.base import Recipient
from channels.errors import ChannelError, RetryableChannelError, UnknownOutcomeError
from gateway.celery import app
from gateway.conversation.models import Question, QuestionStatus, Reply, ReplyStatus
from gateway.models import Organisation
from renderers.message import Rendition

logger = logging.getLogger(__name__)
MAX_TRIES = 5


def sms_channel(organisation):
    """The organisation's SMS channel (its own account and sender, else the instance's): one of
    the two places this domain reaches the registry."""
    from gateway.registry import for_organisation

    return for_organisation(organisation.pk).target("sms").channel


def reply_channel(question):
    """Where the answer goes: by WhatsApp to a WhatsApp question while the citizen's 24-hour
    window is open (free text is allowed only then), else by SMS."""
    inbound = question.inbound
    organisation = inbound.organisation
    if inbound.channel == "whatsapp":
        from gateway.messaging.whatsapp import WINDOW
        from gateway.models import Citizen
        from gateway.registry import for_organisation

        now = timezone.now()
        open_window = inbound.received_at + WINDOW > now or (
            Citizen.objects.filter(
                organisation=organisation,
                phone=question.reply_to,
                erased_at__isnull=True,
                whatsapp_window_until__gt=now,
            ).exists()
        )
        if open_window:
            return for_organisation(organisation.pk).target("whatsapp").channel, "whatsapp_text"
    return sms_channel(organisation), "sms"


@app.task(name="crieur.answer_question")
def answer_question(question_id: int) -> str:
    from gateway.conversation.questions import answer

    question = Question.objects.select_related("inbound__organisation").filter(pk=question_id)
    found = question.first()
    if found is None:
        return "missing"
    reply = answer(found)
    if reply is None:
        return "taken"
    send_reply.apply_async((reply.pk,), queue="sms")
    return "answered" if Question.objects.get(pk=question_id).status == "answered" else "open"


@app.task(name="crieur.send_reply", bind=True, max_retries=MAX_TRIES)
def send_reply(self, reply_id: int) -> str:
    """planned → sending is the claim: a second run finds nothing to send."""
    if not Reply.objects.filter(pk=reply_id, status=ReplyStatus.PLANNED).update(
        status=ReplyStatus.SENDING
    ):
        return "taken"
    reply = Reply.objects.select_related("question__inbound__organisation").get(pk=reply_id)
    question = reply.question
    if not question.reply_to:
        Reply.objects.filter(pk=reply_id).update(status=ReplyStatus.FAILED, error="no phone")
        return "failed"
    recipient = Recipient(
        f"question-{question.pk}", phone=question.reply_to, locale=question.locale
    )
    channel, form = reply_channel(question)
    rendition = Rendition(form, question.locale, "text/plain", reply.body)
    try:
        receipt = channel.send(rendition, recipient, idempotency_key=f"crieur-reply-{reply.pk}")
    except UnknownOutcomeError as exc:  # it may have gone: never send it twice
        Reply.objects.filter(pk=reply_id).update(status=ReplyStatus.FAILED, error=str(exc)[:200])
        return "failed"
    except RetryableChannelError as exc:
        Reply.objects.filter(pk=reply_id).update(status=ReplyStatus.PLANNED, error=str(exc)[:200])
        if self.request.retries < MAX_TRIES:
            raise self.retry(countdown=2 ** (self.request.retries + 1)) from None
        Reply.objects.filter(pk=reply_id).update(status=ReplyStatus.FAILED)
        return "failed"
    except ChannelError as exc:
        Reply.objects.filter(pk=reply_id).update(status=ReplyStatus.FAILED, error=str(exc)[:200])
        return "failed"
    Reply.objects.filter(pk=reply_id).update(
        status=ReplyStatus.SENT, provider_ref=receipt.provider_ref[:64], sent_at=timezone.now()
    )
    # Answered: where to reach the citizen is no longer needed.
    Question.objects.filter(pk=question.pk, status=QuestionStatus.ANSWERED).update(reply_to="")
    logger.info("reply %s sent", reply_id)
    return "sent"


@app.task(name="crieur.index_announcements")
def index_announcements() -> int:
    """Embed the current announcements of every organisation (only what is new is computed)."""
    from gateway.conversation.answering import index_current

    return sum(index_current(org) for org in Organisation.objects.all())


@app.task(name="crieur.fetch_comments")
def fetch_comments() -> int:
    """Read new comments on every organisation's social accounts; each is kept once."""
    from gateway.conversation.social import fetch_all

    return fetch_all()


__all__ = ["answer_question", "fetch_comments", "index_announcements", "send_reply"]
