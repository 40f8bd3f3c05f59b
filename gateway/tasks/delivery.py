"""Deliver batches: claim by guarded update, send (paced, a few at once), record in bulk, then
retry with backoff or fall back. Safe to run twice: only the claim's winner sends."""

from __future__ import annotations

import logging
import os
import random
import time
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from channels.base import Channel, Receipt, Recipient
from channels.errors import ChannelError, RetryableChannelError, UnknownOutcomeError
from channels.twilio import TwilioVoiceChannel
from gateway import voicemenu
from gateway.accounts.models import ProviderAccount
from gateway.celery import app
from gateway.messaging import delivery as messaging
from gateway.messaging.feedback import bounced
from gateway.models import Delivery, DeliveryStatus, Status
from gateway.ratelimit import TokenBucket
from gateway.registry import OrgChannels, Target, UnavailableChannel, for_organisation
from gateway.renditions import FORM_OF_CHANNEL, archived
from gateway.routing.fallback import start_fallbacks
from gateway.tasks import posts
from gateway.tasks.media import MediaFiles, hold_waiting
from gateway.tasks.publish import finish_if_done
from renderers.errors import RenderError
from renderers.message import Rendition

logger = logging.getLogger(__name__)

S = DeliveryStatus
UNKNOWN_OUTCOME = "unknown outcome"
PACE_CHUNK = 10  # sends per token-bucket reservation
# A send paced further out than this is not waited for in a send thread: it goes back to
# `planned` and is queued again when its turn comes (Instagram: 50 posts a day).
PACE_MAX_WAIT = 30.0
# Networks where a post whose reply was lost may be online, and which give no way to look:
# a person checks the page (the delivery fails saying so), it is never posted again by itself.
ASK_A_PERSON = ("linkedin", "tiktok")


def backoff(attempt: int) -> float:
    """Exponential backoff with full jitter: 0–2 s, 0–4 s, 0–8 s… capped at 5 minutes."""
    cap = min(300.0, settings.DELIVERY_STUCK_AFTER / 2)
    return random.uniform(0, min(cap, 2.0**attempt))


def expires_at(due: datetime, urgency: str) -> datetime:
    return due + timedelta(minutes=settings.DELIVERY_MAX_AGE_MINUTES[urgency])


# What a send needs from a delivery row: the claim reads it with the lock (see `prepare`).
JOB_FIELDS = (
    "pk",
    "announcement_id",
    "channel",
    "locale",
    "attempts",
    "last_error",
    "created_at",
    "citizen__reference",
    "citizen__phone",
    "account_id",
    "announcement__organisation_id",
    "citizen__email",
    "citizen__whatsapp_window_until",
    "updated_at",  # before the claim: when the last attempt ended
)


def claim(ids: list[int]) -> list[tuple]:
    """Move planned deliveries to sending; only the rows this call moved are returned (their
    `JOB_FIELDS`, in id order, `attempts` counting this claim).

    A delivery of a cancelled announcement ends `cancelled`, one past its maximum age ends
    `skipped`: neither is ever sent.
    """
    now = timezone.now()
    planned = Delivery.objects.filter(pk__in=ids, status=S.PLANNED)
    with transaction.atomic():
        rows = planned.select_for_update(skip_locked=True, of=("self",)).values_list(
            *JOB_FIELDS, "not_before", "announcement__urgency", "announcement__status"
        )
        cancelled, expired, mine = [], [], []
        for row in rows:
            *job, not_before, urgency, status = row
            if status == Status.CANCELLED:
                cancelled.append(row[0])
            elif expires_at(not_before or job[6], urgency) < now:  # job[6]: created_at
                expired.append(row[0])
            else:
                job[4] += 1  # attempts
                mine.append(tuple(job))
        mine.sort()
        Delivery.objects.filter(pk__in=cancelled).move(S.CANCELLED, only_from=(S.PLANNED,))
        Delivery.objects.filter(pk__in=expired).move(
            S.SKIPPED, only_from=(S.PLANNED,), last_error="expired: past the maximum age"
        )
        Delivery.objects.filter(pk__in=[row[0] for row in mine]).move(
            S.SENDING, attempts=F("attempts") + 1
        )
    return mine


def cancel_deliveries(announcement_id: int) -> int:
    """Cancel every delivery of the announcement not yet claimed; the number cancelled.

    What is already `sending` finishes (it may be at the provider); nothing else is sent.
    """
    return Delivery.objects.filter(announcement_id=announcement_id).move(S.CANCELLED)


def for_channel(rendition: Rendition, channel: Channel, pk: int) -> Rendition:
    """A Twilio call fetches its TwiML from the voice hook, whose menu names this delivery;
    any other call (the outbox) gets the same TwiML, its menu naming this delivery too."""
    if rendition.form != "voice":
        return rendition
    if not isinstance(channel, TwilioVoiceChannel):
        body = voicemenu.for_delivery(str(rendition.body), settings.PUBLIC_URL, pk)
        return replace(rendition, body=body)
    twiml_url = f"{settings.PUBLIC_URL}/hooks/twilio/voice/{pk}"
    return replace(rendition, meta={**rendition.meta, "twiml_url": twiml_url})


@dataclass(frozen=True)
class Job:
    """One send, prepared with everything the database knows, so threads never query it."""

    pk: int
    announcement_id: int
    target: Target  # the organisation's channel for this delivery (its account, its rate)
    rendition: Rendition
    recipient: Recipient
    attempts: int
    reconcile_since: datetime | None  # the previous attempt may have been accepted: look first
    broadcast: bool = False  # a post to an account, not a message to a citizen
    resume: posts.Resume | None = None  # a Telegram post: where it starts again
    waiting: str = ""  # what it waits for (its video, still being made): not sent now

    @property
    def channel(self) -> Channel:
        return self.target.channel

    @property
    def key(self) -> str:
        return f"crieur-delivery-{self.pk}"


@dataclass
class Outcome:
    sent: list[tuple[int, Receipt, str]] = field(default_factory=list)  # and the provider
    retry: list[tuple[int, str]] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)
    wait: float = 0.0  # the longest `retry_after` a provider asked for


@app.task(name="crieur.deliver_batch")
def deliver_batch(delivery_ids: list[int]) -> dict[str, int]:
    """Claim, send and record the batch part by part: while one part's sends are in flight,
    this thread claims and prepares the next part and records the previous one, so the
    database work overlaps the HTTP requests instead of waiting for them."""
    outcome, jobs = Outcome(), []
    in_flight: list[list[Future[Sent]]] = []
    size = max(1, settings.DELIVERY_PART_SIZE)
    for start in range(0, len(delivery_ids), size):
        part = hold_waiting(prepare(claim(delivery_ids[start : start + size])))
        jobs += part
        in_flight.append(start_sends(part))
        if len(in_flight) > 1:
            record(collect(in_flight.pop(0), outcome))
    for futures in in_flight:
        record(collect(futures, outcome))
    settle(outcome, jobs)
    return {"sent": len(outcome.sent), "retry": len(outcome.retry), "failed": len(outcome.failed)}


NOTHING = Rendition(form="", locale="", media_type="text/plain", body="")


def prepare(rows: Iterable[tuple]) -> list[Job]:
    """Jobs from delivery rows (`JOB_FIELDS`): each through its organisation's channel (its
    registry read once per batch), each rendition looked up once."""
    registries: dict[int, OrgChannels] = {}
    renditions: dict[tuple[int, str, str], Rendition | RenderError] = {}
    files = MediaFiles()
    jobs, ended = [], {}
    now = timezone.now()
    for row in rows:
        pk, ann_id, name, locale, attempts, last_error, created, reference, phone = row[:9]
        account, org, email, window, ended[pk] = row[9:14]
        if org not in registries:
            registries[org] = for_organisation(org)
        target = registries[org].target(name, account)
        form = FORM_OF_CHANNEL.get(name) or messaging.form_for(name, window, now)
        if form is None and not isinstance(target.channel, UnavailableChannel):
            target = Target(UnavailableChannel(f"no rendition is made for {name!r}"), account)
        rendition = NOTHING  # an unavailable channel refuses it unseen
        waiting = ""
        if not isinstance(target.channel, UnavailableChannel):
            key = (ann_id, str(form), locale)
            if key not in renditions:
                try:
                    renditions[key] = archived(*key)
                except RenderError as error:  # cannot fit any more, or no WhatsApp template:
                    # its delivery fails saying so (and a citizen's falls back)
                    renditions[key] = error
            found = renditions[key]
            if isinstance(found, RenderError):
                target = Target(UnavailableChannel(f"{form}: {found}"), account)
            else:
                rendition = for_channel(found, target.channel, pk)
                rendition, waiting, problem = files.attach(rendition, target.channel, ann_id)
                if problem:
                    target = Target(UnavailableChannel(problem), account)
        jobs.append(
            Job(
                pk=pk,
                announcement_id=ann_id,
                target=target,
                rendition=rendition,
                recipient=Recipient(
                    reference=reference or name, phone=phone or "", locale=locale, email=email or ""
                ),
                attempts=attempts,
                reconcile_since=created if last_error == UNKNOWN_OUTCOME else None,
                broadcast=reference is None,
                waiting=waiting,
            )
        )
    return with_resume_points(messaging.prepared(jobs, ended))


def with_resume_points(jobs: list[Job]) -> list[Job]:
    """Telegram posts get where they start again (their ids so far, their channel's last)."""
    telegram = [
        (job.pk, job.target.account_id, job.reconcile_since is not None)
        for job in jobs
        if not job.waiting and posts.is_telegram(job.channel)
    ]
    points = posts.resume_points(telegram)
    return [replace(job, resume=points[job.pk]) if job.pk in points else job for job in jobs]


def rate_of(target: Target) -> float | None:
    """Requests per second: the account's limit, else CRIEUR_RATE_<CHANNEL>, else the
    channel's own; 0 or None: no limit."""
    channel = target.channel
    if target.rate is not None:
        return target.rate or None
    rate = settings.PROVIDER_RATES.get(channel.name, channel.request_rate_per_sec)
    return rate or None


Sent = list[tuple[Job, Receipt | ChannelError]]
_pool: tuple[int, ThreadPoolExecutor] | None = None


def send_pool() -> ThreadPoolExecutor:
    """This process's send threads, started once (never inherited across a fork)."""
    global _pool
    if _pool is None or _pool[0] != os.getpid():
        threads = max(1, settings.DELIVERY_SEND_THREADS)
        _pool = (os.getpid(), ThreadPoolExecutor(threads, thread_name_prefix="send"))
    return _pool[1]


def start_sends(jobs: list[Job]) -> list[Future[Sent]]:
    """Start sending, a few at once, each account paced by its own token bucket."""
    by_bucket: dict[str, list[Job]] = defaultdict(list)
    for job in jobs:
        by_bucket[job.target.bucket].append(job)
    futures = []
    for group in by_bucket.values():
        rate = rate_of(group[0].target)
        bucket = TokenBucket("provider", rate, max(rate, PACE_CHUNK)) if rate else None
        for i in range(0, len(group), PACE_CHUNK):
            futures.append(send_pool().submit(send_chunk, group[i : i + PACE_CHUNK], bucket))
    return futures


class PacedOutError(RetryableChannelError):
    """Not sent: the account's rate allows it only in `retry_after` seconds."""

    def __init__(self, channel: str, wait: float) -> None:
        super().__init__(f"{channel}: rate limit of the account, next send in {wait:.0f} s")
        self.retry_after = wait


def send_chunk(chunk: list[Job], bucket: TokenBucket | None) -> Sent:
    if bucket is not None:
        key = chunk[0].target.bucket
        wait = bucket.reserve(key, len(chunk))
        if wait > PACE_MAX_WAIT:  # not now: the tokens go back, the sends to a later task
            bucket.give_back(key, len(chunk))
            return [(job, PacedOutError(job.channel.name, wait)) for job in chunk]
        time.sleep(wait)
    return [(job, send_one(job)) for job in chunk]


def collect(futures: list[Future[Sent]], total: Outcome) -> Outcome:
    """Wait for the sends; their outcome, also added to `total`."""
    outcome = Outcome()
    posted: set[int] = set()
    failed_posts: dict[int, str] = {}
    refused: list[int] = []
    for future in futures:
        for job, result in future.result():
            account = job.target.account_id if job.broadcast else None
            if job.resume is not None:
                posts.remember(job.pk, job.target.account_id, result)
            if isinstance(result, Receipt):
                outcome.sent.append((job.pk, result, job.channel.name))
                if account is not None:
                    posted.add(account)
                continue
            outcome.wait = max(outcome.wait, float(getattr(result, "retry_after", 0) or 0))
            if isinstance(result, UnknownOutcomeError) and job.channel.name in ASK_A_PERSON:
                outcome.failed.append((job.pk, ask_a_person(job.channel.name, result)))
            elif isinstance(result, UnknownOutcomeError):
                outcome.retry.append((job.pk, UNKNOWN_OUTCOME))
            elif result.retryable and job.attempts < settings.DELIVERY_MAX_ATTEMPTS:
                outcome.retry.append((job.pk, str(result)[:200]))
            else:
                outcome.failed.append((job.pk, str(result)[:200]))
                if messaging.refused_address(result):
                    refused.append(job.pk)
                if account is not None:
                    failed_posts[account] = str(result)[:200]
    total.sent += outcome.sent
    total.retry += outcome.retry
    total.failed += outcome.failed
    total.wait = max(total.wait, outcome.wait)
    note_accounts(failed_posts, posted - set(failed_posts))
    if refused:  # hard bounces: those addresses are not written to again
        bounced(refused, how="refused by the mail server")
    return outcome


def ask_a_person(network: str, error: ChannelError) -> str:
    return (
        f"{error} - the post may be online: look at the {network} page, and post it by hand "
        "only if it is not there (never posted again automatically)"
    )[:200]


def note_accounts(failed: dict[int, str], posted: set[int]) -> None:
    """A post that failed for good marks its account failing (the console and the preview
    warn); one that went through clears it. A message to a citizen says nothing of its account
    (a number that opted out is not the account's fault)."""
    now = timezone.now()
    for account_id, error in failed.items():
        ProviderAccount.objects.filter(pk=account_id).update(last_error=error, last_error_at=now)
    if posted:
        ProviderAccount.objects.filter(pk__in=posted).exclude(last_error="").update(
            last_error="", last_error_at=now
        )


def send_one(job: Job) -> Receipt | ChannelError:
    """Send, unless the provider shows the previous attempt already went through."""
    try:
        find_sent = getattr(job.channel, "find_sent", None)
        if job.reconcile_since is not None and find_sent is not None:
            found = find_sent(
                job.recipient.phone, job.reconcile_since, job.key, body=job.rendition.text
            )
            if found is not None:
                logger.info("delivery %s was already accepted: not sent again", job.pk)
                return found
        if job.resume is not None:  # Telegram: resume after what the channel already shows
            return job.channel.post(  # type: ignore[attr-defined]
                job.rendition,
                known_ids=job.resume.known_ids,
                unsure=job.resume.unsure,
                after_id=job.resume.after_id,
            )
        return job.channel.send(job.rendition, job.recipient, idempotency_key=job.key)
    except ChannelError as exc:
        return exc
    except Exception as exc:  # a provider library's own bug must not lose the whole batch
        # It may have struck after the provider accepted: handled as an unknown outcome
        # (looked for before any resend, or left to a person where nothing can look).
        logger.warning(
            "delivery %s: unexpected %s from %s", job.pk, type(exc).__name__, job.channel.name
        )
        return UnknownOutcomeError(f"{job.channel.name}: unexpected {type(exc).__name__}")


def record(outcome: Outcome) -> None:
    """Write the outcome with a few guarded updates: a row a callback already moved stays."""
    by_status: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for pk, receipt, provider in outcome.sent:
        status = S.DELIVERED if receipt.status == "delivered" else S.SENT
        by_status[status].append((pk, receipt.provider_ref[:64], provider))
        if receipt.cost is not None:
            currency = receipt.extra.get("currency", "")[:3]
            Delivery.objects.filter(pk=pk).update(cost=receipt.cost, cost_currency=currency)
    for status, sent in by_status.items():
        Delivery.objects.record_sent(status, sent)
    for to, items in ((S.PLANNED, outcome.retry), (S.FAILED, outcome.failed)):
        by_error: dict[str, list[int]] = defaultdict(list)
        for pk, error in items:
            by_error[error].append(pk)
        for error, ids in by_error.items():
            Delivery.objects.filter(pk__in=ids).move(to, only_from=(S.SENDING,), last_error=error)


def settle(outcome: Outcome, jobs: list[Job]) -> None:
    """Queue the retries, start the fallbacks, close the announcements that are done."""
    if outcome.retry:
        attempts = {job.pk: job.attempts for job in jobs}
        ids = [pk for pk, _ in outcome.retry]
        # The provider's Retry-After wins over our backoff when it asks for longer.
        countdown = max(backoff(max(attempts[pk] for pk in ids)), outcome.wait)
        deliver_batch.apply_async((ids,), countdown=countdown, queue="retry")
    if outcome.failed:
        start_fallbacks([pk for pk, _ in outcome.failed])
    for ann_id in {job.announcement_id for job in jobs}:
        finish_if_done(ann_id)


@app.task(name="crieur.print_letters")
def print_letters(delivery_ids: list[int]) -> int:
    """Mail-merge a batch of postal deliveries into one PDF and manifest for the mailroom."""
    from gateway.printing import merge_deliveries

    mine = [row[0] for row in claim(delivery_ids)]
    if not mine:
        return 0
    result = merge_deliveries(mine, settings.OUTBOX_DIR / "print")
    now = timezone.now()
    Delivery.objects.filter(pk__in=result.printed).move(
        S.SENT, provider="outbox_print", sent_at=now
    )
    for pk, reason in result.rejected.items():
        failed = Delivery.objects.filter(pk=pk)
        failed.move(S.FAILED, only_from=(S.SENDING,), last_error=reason[:200])
    if result.rejected:
        start_fallbacks(list(result.rejected))
    for ann_id in set(
        Delivery.objects.filter(pk__in=mine).values_list("announcement_id", flat=True)
    ):
        finish_if_done(ann_id)
    return len(result.printed)
