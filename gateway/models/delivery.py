"""One delivery: an announcement sent to one citizen on one channel (or to one social account)."""

from __future__ import annotations

from django.db import connection, models
from django.db.models import Q
from django.utils import timezone as tz

from gateway.models.announcement import Announcement
from gateway.models.citizen import Citizen


class DeliveryStatus(models.TextChoices):
    PLANNED = "planned"
    DEFERRED = "deferred"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    UNDELIVERED = "undelivered"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


S = DeliveryStatus
FINAL = {S.DELIVERED, S.FAILED, S.UNDELIVERED, S.SKIPPED, S.CANCELLED}
# Still to send or in flight: an announcement is not done while a delivery is in one of these.
PENDING = (S.PLANNED, S.DEFERRED, S.SENDING)

# The delivery state machine, as the statuses each status may be reached from. Every change of
# status is a guarded update through `DeliveryQuerySet.move`, so two workers, a replayed task or
# a late callback can never move a delivery backwards or send it twice:
# - planned → sending is the claim (one worker wins); sending → planned is a retry or a
#   reconciliation that found nothing sent;
# - a callback may overtake the worker's own record (sending → delivered), never go back
#   (a late "sent" does not undo "delivered");
# - only what has not been claimed yet can be skipped (too old) or cancelled.
MOVES_FROM: dict[str, tuple[str, ...]] = {
    S.PLANNED: (S.DEFERRED, S.SENDING),
    S.SENDING: (S.PLANNED,),
    S.SENT: (S.SENDING,),
    S.DELIVERED: (S.SENDING, S.SENT),
    S.UNDELIVERED: (S.SENDING, S.SENT),
    S.FAILED: (S.SENDING, S.SENT),
    S.SKIPPED: (S.PLANNED, S.DEFERRED),
    S.CANCELLED: (S.PLANNED, S.DEFERRED),
    S.DEFERRED: (),  # only planning creates deferred deliveries
}


class DeliveryQuerySet(models.QuerySet):
    def record_sent(self, to: str, sent: list[tuple[int, str, str]]) -> int:
        """Guarded bulk record of accepted sends, `(id, provider_ref, provider)` each: only rows
        still `sending` move to `to` (a callback may have moved them further already).

        One statement whatever the number of rows; the ORM's `Case(When…)` of a `bulk_update`
        costs more to compile than the sends it records.
        """
        assert S.SENDING in MOVES_FROM[to] and sent
        table = connection.ops.quote_name(self.model._meta.db_table)
        values = ", ".join(["(%s, %s, %s)"] * len(sent))
        now = tz.now()
        sql = (
            f"WITH v(id, ref, provider) AS (VALUES {values}) "
            f"UPDATE {table} SET status = %s, provider_ref = v.ref, provider = v.provider, "
            "sent_at = %s, delivered_at = %s, last_error = '', updated_at = %s "
            f"FROM v WHERE {table}.id = v.id AND {table}.status = %s"
        )
        params = [x for row in sent for x in row]
        params += [to, now, now if to == S.DELIVERED else None, now, S.SENDING]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount

    def move(self, to: str, *, only_from: tuple[str, ...] | None = None, **changes) -> int:
        """Compare-and-set: move the rows whose status allows it to `to`; the number moved.

        `only_from` narrows the allowed starting statuses (e.g. a retry moves sending → planned
        but never deferred → planned).
        """
        allowed = MOVES_FROM[to]
        if only_from is not None:
            allowed = tuple(s for s in allowed if s in only_from)
        return self.filter(status__in=allowed).update(status=to, updated_at=tz.now(), **changes)


class Delivery(models.Model):
    objects = DeliveryQuerySet.as_manager()

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="deliveries"
    )
    citizen = models.ForeignKey(
        Citizen, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    channel = models.CharField(max_length=20, help_text="sms, voice, post, or a social account.")
    locale = models.CharField(max_length=12)
    status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PLANNED
    )
    provider = models.CharField(max_length=30, blank=True)
    provider_ref = models.CharField(max_length=64, blank=True, db_index=True)
    provider_state = models.JSONField(
        default=dict,
        blank=True,
        help_text="What a post without idempotency key needs to be retried safely (Telegram: "
        "`message_ids` posted so far, `after_id` the channel's last message before it).",
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    account = models.ForeignKey(
        "gateway.ProviderAccount",
        null=True,
        blank=True,
        on_delete=models.RESTRICT,  # accounts are removed softly: their history stays
        related_name="deliveries",
        help_text="The broadcast account posted to; empty: the instance's default.",
    )
    cost = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    cost_currency = models.CharField(
        max_length=3, blank=True, help_text="What the provider charged in (its price_unit)."
    )
    not_before = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=tz.now)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the citizen confirmed receipt (voice menu 2)."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "citizen", "channel"], name="one_delivery_per_channel"
            ),
            # One post (or thread) per announcement and broadcast account; the instance's
            # default account (no row) once per announcement and channel.
            models.UniqueConstraint(
                fields=["announcement", "account"],
                condition=Q(citizen__isnull=True, account__isnull=False),
                name="one_post_per_account",
            ),
            models.UniqueConstraint(
                fields=["announcement", "channel"],
                condition=Q(citizen__isnull=True, account__isnull=True),
                name="one_post_per_social_account",
            ),
        ]
        indexes = [
            models.Index(fields=["announcement", "status"]),
            # The counts per channel, language and status of the report and the deliveries
            # list, read from the index alone.
            models.Index(
                fields=["announcement", "channel", "locale", "status"], name="delivery_counts"
            ),
            # The deliveries list, a page at a time in id order.
            models.Index(fields=["announcement", "id"], name="delivery_pages"),
            # The periodic sweeps: stuck `sending`, stale `planned`, due `deferred`.
            models.Index(fields=["status", "updated_at"]),
            models.Index(fields=["status", "not_before"]),
        ]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"delivery {self.pk} {self.channel} {self.status}"

    @property
    def idempotency_key(self) -> str:
        return f"crieur-delivery-{self.pk}"
