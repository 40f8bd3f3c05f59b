"""Polls: saving one (validated, and checked to fit the SMS in every language), the poll as
renderers read it, who may answer, and counting an answer once whatever the replays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from gateway.conversation.models import Ballot, Counts, Poll, PollAnswer, PollText, Voters
from gateway.models import (
    Announcement,
    AuditEvent,
    Citizen,
    Consent,
    Delivery,
    DeliveryStatus,
    Status,
)
from inbound.polls import MAX_ANSWERS, PollTextError, check_answers, choice_of
from renderers.errors import RenderError
from renderers.poll import Poll as PollValue

RECEIVED = (DeliveryStatus.SENT, DeliveryStatus.DELIVERED)
EDITABLE = (Status.DRAFT, Status.PENDING_APPROVAL, Status.APPROVED, Status.SCHEDULED)


class PollError(ValueError):
    """A poll that cannot be saved: `field: problem`; `conflict` when its state forbids it."""

    def __init__(self, detail: str, *, conflict: bool = False) -> None:
        super().__init__(detail)
        self.conflict = conflict


def poll_of(announcement: Announcement) -> Poll | None:
    try:
        return announcement.poll
    except Poll.DoesNotExist:
        return None


def web_url(announcement: Announcement) -> str:
    return f"{settings.PUBLIC_URL}/v/{announcement.verification_code}/consultation"


def poll_value(announcement: Announcement, locale: str, now: datetime | None = None):
    """The poll in `locale` as renderers read it; None without a poll, once it is closed, or
    when the poll has no text in that language (never a question in another language)."""
    poll = poll_of(announcement)
    if poll is None or poll.is_closed(now):
        return None
    text = next((t for t in poll.texts.all() if t.locale == locale), None)
    if text is None:
        return None
    organisation = announcement.organisation
    sms = organisation.sms_sender if organisation.sms_sender.startswith("+") else ""
    return PollValue(
        question=text.question,
        answers=tuple(text.answers),
        sms_number=sms,
        phone_number=organisation.voice_sender,
        web_url=web_url(announcement),
        closes_at=poll.closes_at,
    )


def _texts(data: dict, source: str) -> dict[str, dict]:
    texts = {source: {"question": data.get("question"), "answers": data.get("answers")}}
    texts.update(data.get("translations") or {})
    checked = {}
    count = None
    for locale, text in texts.items():
        where = "" if locale == source else f"translations.{locale}."
        question = str((text or {}).get("question") or "").strip()
        answers = [str(a).strip() for a in (text or {}).get("answers") or []]
        if not question:
            raise PollError(f"{where}question: required")
        if len(question) > 300:
            raise PollError(f"{where}question: at most 300 characters")
        too_long = next((n for n, a in enumerate(answers, start=1) if len(a) > 100), None)
        if too_long:
            raise PollError(f"{where}answers.{too_long}: at most 100 characters")
        try:
            check_answers(answers, field=f"{where}answers")
        except PollTextError as exc:
            raise PollError(str(exc)) from None
        if count is not None and len(answers) != count:
            raise PollError(f"{where}answers: {len(answers)} answers, the poll has {count}")
        count = len(answers)
        checked[locale] = {"question": question, "answers": answers}
    return checked


def save_poll(announcement: Announcement, data: dict, *, actor=None) -> Poll:
    """Create or replace the announcement's poll from `data` (question, answers, translations,
    opens_at, closes_at, counts, voters, public_results). Refused (conflict) once the
    announcement is sent, or once anyone answered."""
    from gateway.mapping import to_message
    from gateway.renditions import render_form

    if announcement.status not in EDITABLE:
        raise PollError(
            "the announcement is published: its poll can no longer change", conflict=True
        )
    existing = poll_of(announcement)
    if existing is not None and existing.ballots.exists():
        raise PollError("citizens have answered: the poll can no longer change", conflict=True)
    texts = _texts(data, announcement.locale)
    missing = sorted(set(announcement.locales) - set(texts))
    if missing:
        raise PollError(
            f"translations.{missing[0]}: the announcement is written in {missing[0]!r}, "
            "the poll must be too"
        )
    unknown = sorted(set(texts) - set(announcement.locales))
    if unknown:
        raise PollError(f"translations.{unknown[0]}: the announcement has no {unknown[0]!r} text")
    closes_at, opens_at = data.get("closes_at"), data.get("opens_at")
    if closes_at is None:
        raise PollError("closes_at: required")
    if closes_at <= (opens_at or timezone.now()):
        raise PollError("closes_at: must be after the opening (and in the future)")
    fields = {
        "opens_at": opens_at,
        "closes_at": closes_at,
        "counts": data.get("counts") or Counts.LAST,
        "voters": data.get("voters") or Voters.RECIPIENTS,
        "public_results": bool(data.get("public_results")),
    }
    if fields["counts"] not in Counts.values:
        raise PollError(f"counts: one of {', '.join(Counts.values)}")
    if fields["voters"] not in Voters.values:
        raise PollError(f"voters: one of {', '.join(Voters.values)}")
    with transaction.atomic():
        poll, created = Poll.objects.update_or_create(announcement=announcement, defaults=fields)
        announcement.poll = poll  # the reverse relation cached "no poll" before: refresh it
        PollText.objects.filter(poll=poll).delete()
        PollText.objects.bulk_create(
            PollText(poll=poll, locale=locale, **text) for locale, text in texts.items()
        )
        # The question must fit the SMS with the answers, in every language: check it now,
        # so the agent hears it here and not at publication.
        for locale in texts:
            try:
                render_form("sms", to_message(announcement, locale), announcement.organisation)
            except RenderError as exc:
                raise PollError(
                    f"question: with the poll, the SMS in {locale!r} cannot fit: {exc}"
                ) from None
        AuditEvent.record(
            "poll.created" if created else "poll.changed",
            poll,
            actor=actor,
            organisation=announcement.organisation,
            announcement=announcement.pk,
            answers=len(texts[announcement.locale]["answers"]),
        )
    return poll


# --- who may answer ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Voter:
    poll: Poll
    citizen: Citizen | None
    locale: str


def open_polls(organisation, now=None):
    now = now or timezone.now()
    return (
        Poll.objects.filter(
            announcement__organisation=organisation,
            announcement__published_at__isnull=False,
            closes_at__gt=now,
        )
        .exclude(announcement__status=Status.CANCELLED)
        .select_related("announcement__organisation")
        .prefetch_related("texts", "announcement__areas")
        .order_by("-announcement__published_at", "-pk")
    )


def may_answer(poll: Poll, phone: str) -> Citizen | None | bool:
    """The citizen of `phone` allowed to answer `poll` (True when allowed with no citizen row),
    or False: recipients answer by the phone the announcement reached; subscribers by being a
    citizen of the announcement's areas with a consent."""
    citizens = Citizen.objects.filter(
        organisation=poll.announcement.organisation, phone=phone, erased_at__isnull=True
    ).order_by("pk")
    if poll.voters == Voters.RECIPIENTS:
        received = Delivery.objects.filter(
            announcement=poll.announcement, citizen__in=citizens, status__in=RECEIVED
        ).select_related("citizen")
        found = received.order_by("pk").first()
        return found.citizen if found else False
    areas = [a.pk for a in poll.announcement.areas.all()]
    subscribers = citizens.filter(pk__in=Consent.objects.filter(granted=True).values("citizen_id"))
    if areas:
        subscribers = subscribers.filter(area_id__in=areas)
    return subscribers.first() or False


def poll_for_phone(organisation, phone: str, now=None) -> Voter | None:
    """The most recent open poll this phone may answer (its citizen and language)."""
    for poll in open_polls(organisation, now):
        if not poll.is_open(now):
            continue
        citizen = may_answer(poll, phone)
        if citizen is False:
            continue
        citizen = citizen if isinstance(citizen, Citizen) else None
        return Voter(poll, citizen, locale_for(poll, citizen.language if citizen else ""))
    return None


def locale_for(poll: Poll, wanted: str) -> str:
    locales = [t.locale for t in poll.texts.all()]
    if wanted in locales:
        return wanted
    announcement = poll.announcement
    return announcement.fallback_locale if announcement.fallback_locale in locales else locales[0]


def answers_by_locale(poll: Poll) -> dict[str, list[str]]:
    return {t.locale: list(t.answers) for t in poll.texts.all()}


def text_in(poll: Poll, locale: str) -> PollText:
    return next(t for t in poll.texts.all() if t.locale == locale_for(poll, locale))


def parse_choice(poll: Poll, text: str) -> int | None:
    return choice_of(text, answers_by_locale(poll))


# --- counting -----------------------------------------------------------------------------------


class Outcome(StrEnum):
    COUNTED = "counted"
    CHANGED = "changed"  # the last answer counts, and it replaced another one
    ALREADY = "already"  # the first answer counts, and there was one
    CLOSED = "closed"
    NOT_OPEN = "not_open"
    REPLAY = "replay"  # this very message was counted before (a replayed webhook)
    HELP = "help"  # not understood: say how to answer (once)
    IGNORED = "ignored"  # not understood again: the text goes on as free text


def record(
    poll: Poll,
    voter: str,
    choice: int | None,
    *,
    channel: str,
    locale: str,
    citizen: Citizen | None = None,
    provider_ref: str = "",
) -> Outcome:
    """Count `choice` for `voter` once. Every message is kept as a ballot (unique per provider
    message id: a replay changes nothing); the answer that counts is the first or the last, as
    the poll says. Safe under concurrency: the unique constraints decide, not a prior read."""
    now = timezone.now()
    with transaction.atomic():
        if provider_ref and Ballot.objects.filter(poll=poll, provider_ref=provider_ref).exists():
            return Outcome.REPLAY
        helped = (
            choice is None
            and Ballot.objects.filter(poll=poll, voter=voter, choice__isnull=True).exists()
        )
        try:
            with transaction.atomic():
                Ballot.objects.create(
                    poll=poll,
                    voter=voter,
                    choice=choice,
                    channel=channel,
                    provider_ref=provider_ref[:64],
                    received_at=now,
                )
        except IntegrityError:
            return Outcome.REPLAY
        if choice is None:
            return Outcome.IGNORED if helped else Outcome.HELP
        opened = poll.opened()
        if opened is None or now < opened:
            return Outcome.NOT_OPEN
        if poll.is_closed(now):
            return Outcome.CLOSED
        if not 1 <= choice <= MAX_ANSWERS:
            return Outcome.HELP
        fields = {
            "choice": choice,
            "channel": channel,
            "locale": locale,
            "citizen": citizen,
            "area_id": citizen.area_id if citizen else None,
            "answered_at": now,
        }
        try:
            with transaction.atomic():
                PollAnswer.objects.create(poll=poll, voter=voter, **fields)
            return Outcome.COUNTED
        except IntegrityError:
            pass  # answered before (or at this very moment, by another request)
        if poll.counts == Counts.FIRST:
            return Outcome.ALREADY
        rows = PollAnswer.objects.filter(poll=poll, voter=voter)
        changed = rows.exclude(choice=choice).update(**fields, changed=F("changed") + 1)
        if not changed:
            rows.update(answered_at=now)
        return Outcome.CHANGED if changed else Outcome.COUNTED


def public_summary(announcement: Announcement, locale: str) -> dict | None:
    """What the verification page says of the poll: its question, open, results public.
    One query: the page is public, rate-limited and must stay cheap."""
    texts = {
        t.locale: t
        for t in PollText.objects.filter(poll__announcement=announcement).select_related("poll")
    }
    if not texts:
        return None
    text = (
        texts.get(locale) or texts.get(announcement.fallback_locale) or next(iter(texts.values()))
    )
    poll = text.poll
    poll.announcement = announcement
    return {
        "question": text.question,
        "open": poll.is_open(),
        "results": poll.public_results and poll.is_closed(),
    }
