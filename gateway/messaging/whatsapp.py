"""WhatsApp as the gateway uses it: which account a webhook is for, its signature, and what
each webhook does (statuses move deliveries forward, inbound texts are keywords and replies
and open the 24-hour window, template changes update the organisation's templates); the
templates synced from Meta.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from channels.errors import ChannelError
from channels.whatsapp import (
    InboundMessage,
    StatusUpdate,
    TemplateUpdate,
    WhatsAppChannel,
    handshake,
    parse_webhook,
    verify_signature,
)
from gateway.accounts.services import config_of
from gateway.audience.text import provider_id
from gateway.models import (
    Citizen,
    Delivery,
    DeliveryStatus,
    ProviderAccount,
    WhatsAppTemplate,
)
from gateway.models.citizen import normalise_phone
from renderers.messaging.whatsapp import PARAMETERS

logger = logging.getLogger(__name__)

S = DeliveryStatus
WINDOW = timedelta(hours=24)
# Meta's status → ours; `read` is a delivered message read (it moves nothing further).
STATUS = {"sent": S.SENT, "delivered": S.DELIVERED, "read": S.DELIVERED, "failed": S.FAILED}
DEFAULT_PARAMETERS = ("title", "summary", "link", "code", "organisation", "contact")
_PLACEHOLDER = re.compile(r"\{\{\s*([^}\s]+)\s*\}\}")


def accounts() -> Iterable[ProviderAccount]:
    return ProviderAccount.objects.current().filter(kind="whatsapp").select_related("organisation")


def ids_of(payload: Any) -> set[str]:
    """The WABA and phone number ids a webhook body names (read before it is trusted, only
    to find whose app secret signs it)."""
    found: set[str] = set()
    if not isinstance(payload, dict):
        return found
    for entry in payload.get("entry") or []:
        if not isinstance(entry, dict):
            continue
        found.add(str(entry.get("id", "")))
        for change in entry.get("changes") or []:
            value = change.get("value") if isinstance(change, dict) else None
            metadata = value.get("metadata") if isinstance(value, dict) else None
            if isinstance(metadata, dict):
                found.add(str(metadata.get("phone_number_id", "")))
    found.discard("")
    return found


def signed_by(raw: bytes, header: str | None, payload: Any) -> ProviderAccount | None:
    """The account this webhook is for, when its app secret signs the raw body; else None."""
    ids = ids_of(payload)
    if not ids or not header:
        return None
    candidates = accounts().filter(
        Q(settings__phone_number_id__in=list(ids)) | Q(settings__waba_id__in=list(ids))
    )
    for account in candidates:
        try:
            secret = config_of(account).app_secret
        except Exception:  # an account whose secrets cannot be read signs nothing
            continue
        if verify_signature(raw, header, secret):
            return account
    return None


def challenge(params: Mapping[str, str]) -> str | None:
    """The subscription handshake: `hub.challenge` when the verify token is an account's."""
    for account in accounts():
        try:
            token = config_of(account).verify_token
        except Exception:
            continue
        answer = handshake(params, token)
        if answer is not None:
            return answer
    return None


# Applying a verified webhook (on the callbacks queue) ------------------------------------------


def apply(account: ProviderAccount, payload: Any) -> dict[str, int]:
    """Statuses, inbound messages and template changes of one webhook body."""
    batch = parse_webhook(payload)
    done = {"statuses": 0, "messages": 0, "templates": 0}
    for update in batch.statuses:
        done["statuses"] += apply_status(account, update)
    for message in batch.messages:
        done["messages"] += receive(account, message)
    for change in batch.templates:
        done["templates"] += template_changed(account, change)
    return done


def delivery_for(account: ProviderAccount, update: StatusUpdate):
    """The delivery a status is about (by the key Meta echoes, else by its wamid), among this
    account's organisation's WhatsApp deliveries only; a queryset for a guarded update."""
    mine = Delivery.objects.filter(
        channel="whatsapp", announcement__organisation_id=account.organisation_id
    )
    key = update.callback_data
    pk = key.removeprefix("crieur-delivery-")
    if key.startswith("crieur-delivery-") and pk.isdigit():
        rows = mine.filter(pk=int(pk)).filter(
            Q(provider_ref="") | Q(provider_ref=update.message_id)
        )
        if rows.exists():
            return rows
    rows = mine.filter(provider_ref=update.message_id[:64])
    return rows if rows.exists() else None


def apply_status(account: ProviderAccount, update: StatusUpdate) -> bool:
    """Move the delivery forward (never back); a final failure starts the fallback."""
    from gateway.tasks.callbacks import after_status

    rows = delivery_for(account, update)
    new = STATUS.get(update.status)
    if rows is None or new is None:
        return False
    wamid = update.message_id[:64]
    # A message whose reply was lost (back to `planned`): keep its id, so the retry adopts it
    # instead of sending it again.
    rows.filter(status=S.PLANNED, provider_ref="").update(provider_ref=wamid)
    changes: dict[str, Any] = {"provider": "whatsapp"}
    if new == S.DELIVERED:
        changes["delivered_at"] = update.timestamp
    if new == S.FAILED:
        error = update.error()
        changes["last_error"] = (str(error) if error else "whatsapp: failed")[:200]
    if new != S.SENT:
        changes["sent_at"] = update.timestamp
    moved = rows.move(new, **changes)
    if moved:
        rows.filter(provider_ref="").update(provider_ref=wamid)
        if new != S.SENT:
            pk = rows.values_list("pk", flat=True).first()
            after_status.apply_async((pk,), queue="callbacks")
    return bool(moved)


def receive(account: ProviderAccount, message: InboundMessage) -> bool:
    """A citizen's message: the 24-hour window opens; a text takes the SMS road (keywords, poll
    answers, questions, free text for moderation) and is answered by WhatsApp, once: a
    replayed webhook changes nothing and sends nothing."""
    from gateway.conversation.inbound import handle_text

    try:
        phone = normalise_phone(message.sender)
    except ValidationError:
        return False
    organisation = account.organisation
    open_window(organisation.pk, phone, message.timestamp)
    if not message.text:
        return False
    reply, new = handle_text(organisation, phone, message.text, message.message_id, "whatsapp")
    if new and reply:
        from gateway.messaging.tasks import send_reply

        send_reply.apply_async((account.pk, provider_id(message.message_id)), queue="callbacks")
    return new


def open_window(organisation_id: int, phone: str, at: datetime) -> int:
    until = min(at, timezone.now()) + WINDOW
    citizens = Citizen.objects.filter(
        organisation_id=organisation_id, phone=phone, erased_at__isnull=True
    )
    return citizens.filter(
        Q(whatsapp_window_until__isnull=True) | Q(whatsapp_window_until__lt=until)
    ).update(whatsapp_window_until=until)


def template_changed(account: ProviderAccount, change: TemplateUpdate) -> int:
    """`APPROVED`, `REJECTED`, `PAUSED`… or a new category, for one template."""
    rows = WhatsAppTemplate.objects.filter(
        organisation_id=account.organisation_id, name=change.name, language=change.language
    )
    event = change.event.upper()
    if event in ("UTILITY", "MARKETING", "AUTHENTICATION"):
        return rows.update(category=event)
    if not rows.exists() and event == "APPROVED":
        sync_templates(account)  # a new template: its body and parameters come from Meta
        return 1
    return rows.update(status=event[:20])


# Templates ----------------------------------------------------------------------------------------


def default_parameters(body: str) -> tuple[tuple[str, ...], bool]:
    """What fills a template body's placeholders: `{{title}}`… by name when every name is
    one Crieur knows, else title, summary, link… in order."""
    names = list(dict.fromkeys(_PLACEHOLDER.findall(body)))
    if names and all(not n.isdigit() for n in names) and all(n in PARAMETERS for n in names):
        return tuple(names), True
    count = len(names)
    return DEFAULT_PARAMETERS[:count], False


def sync_templates(account: ProviderAccount, channel: WhatsAppChannel | None = None) -> int:
    """Meta's list of the account's templates into the organisation's; how many changed.

    A template whose body changed gets default parameters again; one Meta no longer lists is
    kept as `DELETED` (past deliveries name it)."""
    channel = channel or WhatsAppChannel(config_of(account))
    listed = channel.templates()
    organisation = account.organisation
    changed = 0
    seen = set()
    for remote in listed:
        seen.add((remote.name, remote.language))
        parameters, named = default_parameters(remote.body)
        row = WhatsAppTemplate.objects.filter(
            organisation=organisation, name=remote.name, language=remote.language
        ).first()
        values = {
            "account": account,
            "status": remote.status[:20],
            "category": remote.category[:20],
        }
        if row is None or row.body != remote.body:
            values |= {"body": remote.body, "parameters": list(parameters), "named": named}
        if row is None:
            WhatsAppTemplate.objects.create(
                organisation=organisation, name=remote.name, language=remote.language, **values
            )
            changed += 1
            continue
        if any(getattr(row, k) != v for k, v in values.items()):
            WhatsAppTemplate.objects.filter(pk=row.pk).update(**values, updated_at=timezone.now())
            changed += 1
    gone = WhatsAppTemplate.objects.filter(organisation=organisation, account=account).exclude(
        status="DELETED"
    )
    for row in gone:
        if (row.name, row.language) not in seen:
            WhatsAppTemplate.objects.filter(pk=row.pk).update(status="DELETED")
            changed += 1
    return changed


def try_sync(account: ProviderAccount) -> str:
    """After a successful `accounts test`: the templates synced, or why not (one line)."""
    try:
        changed = sync_templates(account)
    except ChannelError as exc:
        return f"templates not synced: {exc}"
    return f"templates synced ({changed} changed)"
