"""The conversation API: polls and their results, the moderation queue and word lists, and the
questions agents answer. Mounted at /api/polls, /api/moderation, /api/questions."""

# No `from __future__ import annotations`: ninja reads these annotations at import time.
from datetime import UTC, datetime
from typing import Literal

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from pydantic import field_validator

from gateway.api.errors import errors
from gateway.api.params import Id
from gateway.api.security import needs
from gateway.conversation import moderation, questions
from gateway.conversation.models import (
    Decision,
    Poll,
    Question,
    QuestionStatus,
    Review,
    Verdict,
    WordEntry,
)
from gateway.conversation.polls import PollError, save_poll
from gateway.conversation.results import results, results_csv
from gateway.models import Announcement

polls_router = Router(tags=["polls"])
moderation_router = Router(tags=["moderation"])
questions_router = Router(tags=["questions"])

Text = Field(min_length=1, max_length=300)


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("give a time zone, e.g. 2026-11-24T09:00:00+01:00")
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("date out of range") from exc


class PollTextIn(Schema):
    question: str = Text
    answers: list[str] = Field(min_length=2, max_length=9)


class PollIn(Schema):
    question: str = Text
    answers: list[str] = Field(min_length=2, max_length=9, description="2 to 9, typed 1 to 9.")
    translations: dict[str, PollTextIn] = Field(
        default_factory=dict, description="The same poll in each language of the announcement."
    )
    opens_at: datetime | None = Field(None, description="Empty: at publication.")
    closes_at: datetime
    counts: Literal["first", "last"] = "last"
    voters: Literal["recipients", "subscribers"] = "recipients"
    public_results: bool = False

    _dates = field_validator("opens_at", "closes_at")(classmethod(lambda cls, v: _aware(v)))


class AnswerCount(Schema):
    number: int
    answer: str
    count: int
    percent: float


class SplitCell(Schema):
    count: int
    percent: float


class SplitRow(Schema):
    value: str
    total: int
    cells: list[SplitCell]


class PollOut(Schema):
    announcement: int
    question: str
    answers: list[str]
    translations: dict[str, PollTextIn]
    opens_at: datetime | None
    closes_at: datetime
    counts: str
    voters: str
    public_results: bool
    open: bool
    total: int
    results: list[AnswerCount]
    by_channel: list[SplitRow]
    by_locale: list[SplitRow]
    by_area: list[SplitRow]


def _poll_out(poll: Poll) -> dict:
    data = results(poll)
    texts = {t.locale: {"question": t.question, "answers": t.answers} for t in poll.texts.all()}
    source = texts.get(poll.announcement.locale) or next(iter(texts.values()))
    return {
        "announcement": poll.announcement_id,
        **source,
        "translations": {k: v for k, v in texts.items() if k != poll.announcement.locale},
        "opens_at": poll.opens_at,
        "closes_at": poll.closes_at,
        "counts": poll.counts,
        "voters": poll.voters,
        "public_results": poll.public_results,
        "open": poll.is_open(),
        "total": data["total"],
        "results": data["answers"],
        "by_channel": data["by_channel"],
        "by_locale": data["by_locale"],
        "by_area": data["by_area"],
    }


def _own_poll(request, announcement_id: int) -> Poll:
    return get_object_or_404(
        Poll.objects.select_related("announcement__organisation").prefetch_related("texts"),
        announcement_id=announcement_id,
        announcement__organisation=request.auth.organisation,
    )


@polls_router.get("", response={200: list[PollOut], **errors()}, auth=needs("read"))
def list_polls(request):
    """Every poll of the organisation with its results, newest first."""
    rows = (
        Poll.objects.filter(announcement__organisation=request.auth.organisation)
        .select_related("announcement__organisation")
        .prefetch_related("texts")
        .order_by("-created_at")[:100]
    )
    return [_poll_out(p) for p in rows]


@polls_router.put(
    "/{announcement_id}",
    response={200: PollOut, **errors(404, 409, body=True)},
    auth=needs("write"),
)
def put_poll(request, announcement_id: Id, payload: PollIn):
    """Create or replace the announcement's poll (until it is published or answered)."""
    announcement = get_object_or_404(
        Announcement.objects.prefetch_related("texts"),
        pk=announcement_id,
        organisation=request.auth.organisation,
    )
    data = payload.dict()
    data["translations"] = {k: v for k, v in data["translations"].items()}
    try:
        poll = save_poll(announcement, data, actor=request.auth.user)
    except PollError as exc:
        return Status(409 if exc.conflict else 422, {"detail": str(exc)})
    return _poll_out(poll)


@polls_router.get("/{announcement_id}", response={200: PollOut, **errors(404)}, auth=needs("read"))
def get_poll(request, announcement_id: Id):
    """The poll and its live results: per answer, channel, language and area."""
    return _poll_out(_own_poll(request, announcement_id))


@polls_router.get(
    "/{announcement_id}/results.csv",
    response={200: None, **errors(404)},
    openapi_extra={"responses": {200: {"content": {"text/csv": {}}}}},  # int: one "200" key
    auth=needs("read"),
)
def poll_csv(request, announcement_id: Id):
    """The results as CSV (cells that look like formulas are neutralised)."""
    poll = _own_poll(request, announcement_id)
    response = HttpResponse(results_csv(poll), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="poll-{announcement_id}.csv"'
    return response


class ReviewOut(Schema):
    id: int
    channel: str
    citizen: str | None
    author: str
    body: str
    verdict: str
    reason: str
    decision: str
    received_at: datetime


def _review_out(review: Review) -> dict:
    inbound = review.inbound
    return {
        "id": review.pk,
        "channel": inbound.channel,
        "citizen": inbound.citizen.reference if inbound.citizen else None,
        "author": review.author,
        "body": inbound.body,
        "verdict": review.verdict,
        "reason": review.reason,
        "decision": review.decision,
        "received_at": inbound.received_at,
    }


@moderation_router.get("", response={200: list[ReviewOut], **errors()}, auth=needs("read"))
def list_reviews(
    request,
    decision: Literal["pending", "fine", "blocked", "hidden"] = "pending",
    verdict: Literal["ok", "to_review", "spam"] | None = None,
):
    """The moderation queue (pending, flagged) or past decisions; oldest first, 200 at most."""
    rows = Review.objects.filter(
        inbound__organisation=request.auth.organisation, decision=decision
    ).select_related("inbound__citizen")
    if verdict:
        rows = rows.filter(verdict=verdict)
    elif decision == Decision.PENDING:
        rows = rows.filter(verdict__in=(Verdict.TO_REVIEW, Verdict.SPAM))
    return [_review_out(r) for r in rows.order_by("inbound__received_at", "pk")[:200]]


class DecisionIn(Schema):
    decision: Literal["fine", "blocked", "hidden"]


@moderation_router.post(
    "/{review_id}/decide",
    response={200: ReviewOut, **errors(404, 409, body=True)},
    auth=needs("write"),
)
def decide(request, review_id: Id, payload: DecisionIn):
    """Mark as fine, block the sender from replies, or hide the comment on its network."""
    from gateway.conversation.social import hide_comment

    review = get_object_or_404(
        Review.objects.select_related("inbound__organisation", "inbound__citizen"),
        pk=review_id,
        inbound__organisation=request.auth.organisation,
    )
    try:
        review = moderation.decide(
            review, payload.decision, actor=request.auth.user, hide=hide_comment
        )
    except moderation.ModerationError as exc:
        return Status(409 if exc.conflict else 422, {"detail": str(exc)})
    return _review_out(review)


class WordIn(Schema):
    term: str = Field(min_length=1, max_length=100)
    category: Literal["insult", "threat", "hate", "sexual", "spam", ""] = ""
    allowed: bool = Field(False, description="True: a word never flagged (an allow-list).")


class WordOut(Schema):
    id: int
    term: str
    category: str
    allowed: bool


@moderation_router.get("/words", response={200: list[WordOut], **errors()}, auth=needs("read"))
def list_words(request):
    """The organisation's own terms and allowed words (the shipped lists are in the code)."""
    return list(
        WordEntry.objects.filter(organisation=request.auth.organisation)
        .order_by("allowed", "term")
        .values("id", "term", "category", "allowed")
    )


@moderation_router.post("/words", response={201: WordOut, **errors(body=True)}, auth=needs("admin"))
def add_word(request, payload: WordIn):
    try:
        entry = moderation.add_word(
            request.auth.organisation,
            payload.term,
            category=payload.category,
            allowed=payload.allowed,
            actor=request.auth.user,
        )
    except moderation.ModerationError as exc:
        return Status(422, {"detail": str(exc)})
    return Status(
        201,
        {"id": entry.pk, "term": entry.term, "category": entry.category, "allowed": entry.allowed},
    )


@moderation_router.delete(
    "/words/{word_id}", response={204: None, **errors(404)}, auth=needs("admin")
)
def delete_word(request, word_id: Id):
    entry = get_object_or_404(WordEntry, pk=word_id, organisation=request.auth.organisation)
    moderation.remove_word(entry, actor=request.auth.user)
    return Status(204, None)


class QuestionOut(Schema):
    id: int
    channel: str
    citizen: str | None
    body: str
    status: str
    locale: str
    announcement: int | None
    margin: float | None
    replies: list[str]
    received_at: datetime


def _question_out(question: Question) -> dict:
    inbound = question.inbound
    return {
        "id": question.pk,
        "channel": inbound.channel,
        "citizen": inbound.citizen.reference if inbound.citizen else None,
        "body": inbound.body,
        "status": question.status,
        "locale": question.locale,
        "announcement": question.announcement_id,
        "margin": question.margin,
        "replies": [r.body for r in question.replies.order_by("pk")],
        "received_at": inbound.received_at,
    }


@questions_router.get("", response={200: list[QuestionOut], **errors()}, auth=needs("read"))
def list_questions(
    request, status: Literal["new", "open", "answered", "closed"] = QuestionStatus.OPEN
):
    """Citizens' questions: `open` are the ones passed to the town hall; oldest first."""
    rows = (
        Question.objects.filter(inbound__organisation=request.auth.organisation, status=status)
        .select_related("inbound__citizen")
        .prefetch_related("replies")
        .order_by("created_at", "pk")[:200]
    )
    return [_question_out(q) for q in rows]


class AnswerIn(Schema):
    text: str = Field(min_length=1, max_length=questions.MAX_REPLY)


def _own_question(request, question_id: int) -> Question:
    return get_object_or_404(
        Question.objects.select_related("inbound__organisation", "inbound__citizen"),
        pk=question_id,
        inbound__organisation=request.auth.organisation,
    )


@questions_router.post(
    "/{question_id}/answer",
    response={200: QuestionOut, **errors(404, 409, body=True)},
    auth=needs("write"),
)
def answer_question(request, question_id: Id, payload: AnswerIn):
    """The agent's answer, sent back on the question's channel (SMS through the
    organisation's SMS channel; a web question shows it on its page)."""
    question = _own_question(request, question_id)
    try:
        questions.answer_by_agent(question, payload.text, actor=request.auth.user)
    except questions.QuestionError as exc:
        return Status(409 if exc.conflict else 422, {"detail": str(exc)})
    question.refresh_from_db()
    return _question_out(question)


@questions_router.post(
    "/{question_id}/close", response={200: QuestionOut, **errors(404)}, auth=needs("write")
)
def close_question(request, question_id: Id):
    """Closed without an answer (the phone to answer it is forgotten)."""
    question = _own_question(request, question_id)
    questions.close(question, actor=request.auth.user)
    question.refresh_from_db()
    return _question_out(question)
