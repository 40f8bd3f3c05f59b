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
    rendition = Rendition("sms", question.locale, "text/plain", reply.body)
    recipient = Recipient(
        f"question-{question.pk}", phone=question.reply_to, locale=question.locale
    )
    try:
        receipt = sms_channel(question.inbound.organisation).send(
            rendition, recipient, idempotency_key=f"crieur-reply-{reply.pk}"
        )
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
