"""One preview card per broadcast account: its post in its own language, its counter, and what
the agent should know (disabled, failing, no translation in its language, outbox only)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from django.conf import settings

from channels.kinds import kinds
from channels.outbox import OutboxChannel
from gateway.accounts.models import ProviderAccount
from gateway.accounts.services import problem_of, status_of
from gateway.media.needs import BY_URL, media_forms, public_url_problem
from gateway.media.preview import AccountMedia, preview_card
from gateway.models import Organisation
from gateway.registry import DEFAULT_POST, channels, for_organisation
from gateway.renditions import FORM_OF_CHANNEL, render_form
from renderers.errors import RenderError
from renderers.i18n import gettext
from renderers.message import Message
from renderers.message import Rendition as RenditionValue


@dataclass(frozen=True)
class Note:
    """A warning: `code` is `disabled`, `failing`, `no_translation`, `outbox`, `card` (it
    cannot be made) or `public_url` (Instagram cannot fetch it)."""

    code: str
    detail: str = ""
    wanted: str = ""
    used: str = ""


@dataclass
class AccountCard:
    key: str  # `account-<id>`, or the default post's channel
    account_id: int | None
    kind: str
    label: str
    locale: str
    status: str  # ok, untested, failing, disabled, or `default` (the instance's own)
    rendition: RenditionValue | RenderError | None = None
    media: AccountMedia | None = None  # the card (and video) its posts carry
    notes: list[Note] = field(default_factory=list)
    shown_notes: list[str] = field(default_factory=list)  # in the agent's language

    @property
    def title(self) -> str:
        return self.label or self.kind.capitalize()

    def warnings(self) -> list[str]:
        """The notes in English (the API's words; the console translates the codes)."""
        who = f"account {self.account_id} ({self.label})" if self.account_id else self.kind
        texts = {
            "disabled": f"{who}: disabled, it will not post",
            "failing": f"{who}: failing: {{detail}}",
            "no_translation": f"{who}: no translation in {{wanted!r}}; it posts in {{used!r}}",
            "outbox": f"{who}: no social account; the post goes to the outbox",
            "card": f"{who}: the card cannot be made: {{detail}}",
            "public_url": f"{who}: {public_url_problem()}",
        }
        return [
            texts[n.code].format(detail=n.detail, wanted=n.wanted, used=n.used) for n in self.notes
        ]


def account_cards(
    organisation: Organisation,
    message_for: Callable[[str], Message],
    available: Collection[str],
    *,
    source: str,
    fallback: str,
) -> list[AccountCard]:
    """A card per current broadcast account of the organisation (the default post's when it has
    none), rendered by `message_for(locale)` in the account's language when `available`, else
    in `fallback` (the default post: in `source`)."""
    broadcast = {name for name, kind in kinds().items() if kind.broadcast}
    accounts = (
        ProviderAccount.objects.current()
        .filter(organisation=organisation, kind__in=broadcast)
        .select_related("organisation")
        .order_by("pk")
    )
    registry = for_organisation(organisation.pk)
    broken = registry.unavailable  # settings or secrets refused
    cards = [_card(account, broken.get(account.pk, "")) for account in accounts]
    if not cards:
        card = AccountCard(DEFAULT_POST, None, DEFAULT_POST, "", source, "default")
        if isinstance(channels()[DEFAULT_POST], OutboxChannel):
            card.notes.append(Note("outbox"))
        cards.append(card)
    for card in cards:
        if card.account_id is not None and card.locale not in available:
            card.notes.append(Note("no_translation", wanted=card.locale, used=fallback))
            card.locale = fallback
        try:
            form = FORM_OF_CHANNEL.get(card.kind, card.kind)
            card.rendition = render_form(form, message_for(card.locale), organisation)
        except (RenderError, ValueError) as error:
            card.rendition = error if isinstance(error, RenderError) else None
        card.media = media_of(
            registry.target(card.kind, card.account_id).channel, card, message_for
        )
    return cards


def media_of(channel, card: AccountCard, message_for: Callable[[str], Message]):
    """The card its posts will carry (TOO_LONG noted), and whether they carry the video."""
    forms = media_forms(channel)
    if not forms:
        return None
    message = message_for(card.locale)
    media = AccountMedia(video="video" in forms, locale=message.locale)
    if "card" in forms:
        media.card = preview_card(message)
        if media.card.error is not None:
            card.notes.append(Note("card", detail=str(media.card.error)))
    if channel.name in BY_URL and public_url_problem():
        card.notes.append(Note("public_url", detail=settings.PUBLIC_URL))
    return media


def note_words(note: Note, ui: str) -> str:
    """A note in the agent's language (the console)."""
    if note.code == "disabled":
        return gettext(ui, "Compte désactivé : il ne publiera pas.")
    if note.code == "failing":
        return gettext(ui, "Compte en échec : {detail}").format(detail=note.detail)
    if note.code == "public_url":
        return gettext(
            ui,
            "L’adresse publique {url} n’est pas une adresse https publique : Instagram ne "
            "pourra pas y chercher l’image.",
        ).format(url=note.detail)
    if note.code == "card":
        return gettext(ui, "L’image ne peut pas être faite : {detail}").format(detail=note.detail)
    if note.code == "no_translation":
        return gettext(ui, "Pas de traduction en « {wanted} » : publié en « {used} ».").format(
            wanted=note.wanted, used=note.used
        )
    return gettext(ui, "Aucun compte de réseau social : la publication va dans la boîte d’envoi.")


def with_words(cards: list[AccountCard], ui: str) -> list[AccountCard]:
    for card in cards:
        card.shown_notes = [note_words(note, ui) for note in card.notes]
    return cards


def _card(account: ProviderAccount, broken: str) -> AccountCard:
    status = status_of(account)
    if broken and status != "disabled":
        status = "failing"
    card = AccountCard(
        f"account-{account.pk}",
        account.pk,
        account.kind,
        account.label,
        account.effective_locale,
        status,
    )
    if status == "disabled":
        card.notes.append(Note("disabled"))
    elif status == "failing":
        card.notes.append(Note("failing", detail=broken or problem_of(account)))
    return card
