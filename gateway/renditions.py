"""Render an announcement once per (form, locale) and archive each rendition with its hash."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import IntegrityError, transaction

from gateway.mapping import to_message
from gateway.messaging.renditions import MESSAGING_FORMS, preview_forms, render_messaging
from gateway.models import Announcement, Organisation, Rendition
from gateway.routing.audience_version import readers_by_language
from gateway.voicemenu import menu_url
from renderers.errors import RenderError, RenderErrorCode
from renderers.message import Message
from renderers.message import Rendition as RenditionValue
from renderers.print import render_notice
from renderers.sms import SMSConfig, render_sms
from renderers.social import PLATFORMS, render_social
from renderers.voice import VoiceConfig, render_voice

# The rendition form each delivery channel sends (a social account posts its network's form).
# Letters are personalised: they are rendered at print time by the mail merge, not archived.
FORM_OF_CHANNEL = {
    "sms": "sms",
    "voice": "voice",
    "mastodon": "mastodon",
    "bluesky": "bluesky",
    "x": "x",
    "facebook": "facebook",
    "telegram": "telegram",
    "instagram": "instagram",
    "linkedin": "linkedin",
    "tiktok": "tiktok",
}
PREVIEW_FORMS = ("sms", "mastodon", "voice", "notice")
# Pictures and video: archived per locale only when an enabled account needs them
# (gateway/media/needs.py). The cards are made at publication; the video, slow to make, by a
# task on the `media` queue (gateway/media/tasks.py).
CARD_FORMS = ("card", "card-square")
VISUAL_FORMS = (*CARD_FORMS, "video")
CAPTION_FORMS = ("instagram", "linkedin", "tiktok")


def sms_config(organisation: Organisation) -> SMSConfig:
    return SMSConfig(
        signature=organisation.sms_signature,
        policy=organisation.sms_policy,
        max_parts=organisation.sms_max_parts,
        prices={k: organisation.sms_price(k) for k in organisation.sms_prices},
        currency=organisation.currency,
    )


def render_form(form: str, message: Message, organisation: Organisation) -> RenditionValue:
    """One rendition; raises `renderers.RenderError` when the message cannot fit."""
    if form == "sms":
        return render_sms(message, sms_config(organisation))
    if form == "voice":
        # The menu as the webhook serves it; the delivery's own id replaces the placeholder.
        return render_voice(message, VoiceConfig(gather_action_url=menu_url(settings.PUBLIC_URL)))
    if form == "notice":
        return render_notice(message)
    if form in PLATFORMS:
        return render_social(message, form)
    if form == "telegram":
        from renderers.messaging.telegram import render_telegram

        return render_telegram(message)
    if form in CAPTION_FORMS:  # the post's text; its picture or video is attached at sending
        from renderers.visual import render_caption

        return render_caption(message, form)
    if form in CARD_FORMS:
        import renderers.visual

        return (
            renderers.visual.render_card(message)
            if form == "card"
            else (renderers.visual.render_card_square(message))
        )
    if form == "video":
        from renderers.visual import render_video

        return render_video(message)
    if form in MESSAGING_FORMS:
        return render_messaging(form, message, organisation)
    raise ValueError(f"unknown form {form!r}")


def render_in(
    form: str,
    announcement: Announcement,
    locale: str | None,
    render: Callable[[Message], RenditionValue] | None = None,
) -> RenditionValue:
    """`form` in `locale` (through `render`, when given). A form that cannot speak the
    language (a call or a video in Breton: no voice exists) is made in the announcement's
    fallback language instead, as routing does for a language without a translation."""
    organisation = announcement.organisation
    make = render or (lambda message: render_form(form, message, organisation))
    message = to_message(announcement, locale)
    try:
        return make(message)
    except RenderError as error:
        fallback = announcement.fallback_locale
        if error.code is not RenderErrorCode.UNSUPPORTED_LOCALE or message.locale == fallback:
            raise
        return make(to_message(announcement, fallback))


def preview(
    announcement: Announcement, locale: str | None = None, *, skip_unsupported: bool = False
) -> dict[str, RenditionValue]:
    """Every form sent in `locale`: the preview forms and those of the organisation's social
    accounts (publishing renders them all first, so a post that cannot fit is refused then).

    With `skip_unsupported`, a form that cannot speak the language nor its fallback (a call of
    a Breton-only text) is left out, for the warnings to say so, instead of failing the whole
    preview."""
    from gateway.registry import for_organisation

    posts = for_organisation(announcement.organisation_id).posts
    forms = dict.fromkeys(
        [
            *PREVIEW_FORMS,
            *(FORM_OF_CHANNEL.get(p.channel) for p in posts),
            *preview_forms(announcement.organisation),
        ]
    )
    found = {}
    for form in filter(None, forms):
        try:
            found[form] = render_in(form, announcement, locale)
        except RenderError as error:
            if not skip_unsupported or error.code is not RenderErrorCode.UNSUPPORTED_LOCALE:
                raise
    return found


def preview_warnings(
    announcement: Announcement, locale: str | None, renditions: dict[str, RenditionValue]
) -> list[str]:
    """What the agent should know before publishing: languages that will get another one."""
    wanted = locale or announcement.locale
    fallback = announcement.fallback_locale
    warnings = []
    if wanted not in announcement.locales:
        warnings.append(f"no translation in {wanted!r}: this preview is in {fallback!r}")
    for form, rendition in renditions.items():
        if wanted in announcement.locales and rendition.locale != wanted:
            warnings.append(f"{form}: not available in {wanted!r}; sent in {rendition.locale!r}")
    for form in PREVIEW_FORMS:
        if form not in renditions:
            warnings.append(
                f"{form}: not available in {wanted!r}, and no translation in a language it "
                "can be sent in: add one (e.g. the organisation's default) before publishing"
            )
    for reads, count in readers_by_language(announcement.organisation_id).items():
        if reads not in announcement.locales:
            warnings.append(
                f"no translation in {reads!r}: {count} citizen(s) who read it will get {fallback!r}"
            )
    return warnings


def try_render(
    forms: Iterable[str], message: Message, organisation: Organisation
) -> dict[str, RenditionValue | RenderError]:
    """Each form, or the RenderError saying why it cannot fit: a preview of unsaved text shows
    every form even when one of them fails."""
    results: dict[str, RenditionValue | RenderError] = {}
    for form in forms:
        try:
            results[form] = render_form(form, message, organisation)
        except RenderError as error:
            results[form] = error
    return results


def archive(announcement: Announcement, pairs: Iterable[tuple[str, str]]) -> int:
    """Render and store each (form, locale) not archived yet; return how many were made."""
    existing = set(announcement.renditions.values_list("form", "locale"))
    made = 0
    for form, locale in sorted(set(pairs) - existing):
        made += store(announcement, form, locale, render_in(form, announcement, locale))
    return made


def store(announcement: Announcement, form: str, locale: str, value: RenditionValue) -> bool:
    """Archive `value` as the (form, locale) rendition; False if one was archived first."""
    body = value.body
    try:
        with transaction.atomic():
            Rendition.objects.create(
                announcement=announcement,
                form=form,
                locale=locale,
                media_type=value.media_type,
                text=body if isinstance(body, str) else "",
                data=body if isinstance(body, bytes) else None,
                meta=_json_safe(value.meta),
                sha256=Rendition.digest(body),
            )
    except IntegrityError:  # another worker archived it first: the archive is immutable
        return False
    return True


def archived(announcement_id: int, form: str, locale: str) -> RenditionValue:
    """The archived rendition; made now if a fallback needs a form publication did not."""
    rows = Rendition.objects.filter(announcement_id=announcement_id, form=form, locale=locale)
    row = rows.first()
    if row is None:
        archive(Announcement.objects.get(pk=announcement_id), [(form, locale)])
        row = rows.get()
    return RenditionValue(
        form=row.form, locale=row.locale, media_type=row.media_type, body=row.body, meta=row.meta
    )


def _json_safe(meta) -> dict:
    return {
        k: v
        if isinstance(v, (int, float, bool, str, type(None)))
        else (list(v) if isinstance(v, (list, tuple)) else str(v))
        for k, v in meta.items()
    }
