"""Compose an announcement with a live preview of every form, as the agent types."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_GET, require_POST

from gateway.accounts.preview import account_cards
from gateway.console import preview as previews
from gateway.console import warnings
from gateway.console.access import member, own_announcement
from gateway.console.forms import ComposeForm
from gateway.models import Announcement, Status
from gateway.publishing import create_announcement, submit
from gateway.renditions import PREVIEW_FORMS, try_render
from renderers.errors import RenderError
from renderers.message import Message
from renderers.voice import AudioUnavailableError, audio_preview, render_voice


def ui_locale() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


@login_required
def compose(request):
    """A new announcement; `?follows=ID`: the correction of a published one, prefilled."""
    membership = member(request)
    earlier = _followed(membership, request.POST.get("follows") or request.GET.get("follows"))
    initial = follow_up_initial(earlier) if earlier else None
    form = ComposeForm(membership.organisation, request.POST or None, initial=initial)
    if initial:
        form.fields["locale"].initial = initial["locale"]
    if request.method == "POST" and form.is_valid():
        data = form.announcement_data()
        if earlier is not None:
            data |= {name: getattr(earlier, name) for name in FOLLOWED_FIELDS}
            data["follows"] = earlier.pk
        try:
            announcement = create_announcement(membership.organisation, data, author=request.user)
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            if request.POST.get("then") == "submit":
                submit(announcement, actor=request.user)
            return redirect("console:announcement", announcement.pk)
    context = {"form": form, "member": membership, "follows": earlier}
    return render(request, "console/compose.html", context)


# What a correction keeps of the announcement it follows (CAP fields the form does not show).
FOLLOWED_FIELDS = ("category", "event", "severity", "certainty", "response_type", "exercise")


def _followed(membership, value: str | None) -> Announcement | None:
    """The published announcement of the organisation a new one follows (None otherwise)."""
    if not value or not value.isdigit():
        return None
    earlier = own_announcement(membership, int(value))  # another organisation's: 404
    return earlier if earlier.status in (Status.SENDING, Status.SENT) else None


def follow_up_initial(earlier: Announcement) -> dict:
    """The compose form filled with the published announcement's texts and settings."""
    initial = {
        "locale": earlier.locale,
        "urgency": earlier.urgency,
        "topics": [t.slug for t in earlier.topics.all()],
        "areas": [a.slug for a in earlier.areas.all()],
        "contact": earlier.contact,
        "links": earlier.links[0] if earlier.links else "",
    }
    for text in earlier.texts.all():
        suffix = "" if text.locale == earlier.locale else f"_{text.locale}"
        for field in ("title", "summary", "body"):
            initial[f"{field}{suffix}"] = getattr(text, field)
    return initial


@login_required
@require_POST
def preview_partial(request):
    """The renditions of the unsaved compose data in the chosen language, and the warnings."""
    organisation = member(request).organisation
    data = request.POST
    source = previews.source_locale(data, organisation)
    texts = previews.texts_from_data(data, source)
    locale = data.get("preview_locale") or source
    fallback = organisation.default_locale if organisation.default_locale in texts else source
    messages = {code: previews.message_from_data(data, organisation, code) for code in texts}
    cards = account_cards(
        organisation,
        lambda code: messages.get(code) or previews.message_from_data(data, organisation, code),
        texts,
        source=source,
        fallback=fallback,
    )
    message = messages.get(locale) or previews.message_from_data(data, organisation, locale)
    query = data.copy()
    query.pop("csrfmiddlewaretoken", None)
    query["preview_locale"] = message.locale

    keys = {}

    def page_url(form: str) -> str:  # loaded by the browser, made once per content hash
        keys[form] = previews.remember_page(message, organisation, form)
        return reverse("console:preview-page", args=[form, keys[form]])

    errors = []
    text_forms = [form for form in PREVIEW_FORMS if form not in previews.PAGES]
    made = {}
    for code, each in messages.items():
        made[code] = results = try_render(text_forms, each, organisation)
        errors += [((form, code), e) for form, e in results.items() if isinstance(e, RenderError)]
    shown = previews.preview(
        message, organisation, cards, page_url=page_url, renditions=made.get(message.locale)
    )
    found = warnings.missing_translations(texts, organisation, fallback, ui_locale())
    found += warnings.render_errors(errors, ui_locale())
    found += warnings.readability(texts, ui_locale())
    return render(
        request,
        "console/_preview.html",
        {
            "preview": shown,
            "warnings": found,
            "locales": [(c, n) for c, n in settings.LANGUAGES if c in texts],
            "audio_url": f"{reverse('console:preview-audio')}?{query.urlencode()}",
            "media_query": query.urlencode(),  # the card images of the text being written
            "print_urls": {  # the thumbnails open the whole PDF
                form: reverse("console:preview-pdf", args=[form, key]) for form, key in keys.items()
            },
        },
    )


@login_required
@require_GET
def preview_page(request, form: str, key: str):
    """The first page of the notice or letter being written, by the hash of its text."""
    organisation = member(request).organisation
    message = previews.remembered_page(key, organisation)
    if message is None:
        raise Http404("no such preview")
    return previews.page_response(message, organisation, form)


@login_required
@require_GET
def preview_pdf(request, form: str, key: str):
    """The whole notice or letter being written, by the hash of its text."""
    organisation = member(request).organisation
    message = previews.remembered_page(key, organisation)
    if message is None:
        raise Http404("no such preview")
    try:
        pdf = previews.PAGES[form](message, organisation)
    except RenderError as error:
        return HttpResponse(str(error), status=422, content_type="text/plain; charset=utf-8")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{form}-preview.pdf"'
    return response


@login_required
@require_GET
def preview_audio(request):
    organisation = member(request).organisation
    locale = request.GET.get("preview_locale") or request.GET.get("locale") or "fr"
    return wav_response(previews.message_from_data(request.GET, organisation, locale))


@login_required
@require_GET
def announcement_audio(request, announcement_id: int):
    announcement = own_announcement(member(request), announcement_id)
    locale = request.GET.get("locale")
    return wav_response(previews.saved_message(announcement, locale or announcement.locale))


def wav_response(message: Message) -> HttpResponse:
    """The call spoken offline (espeak-ng); 503 with the reason when audio is unavailable."""
    try:
        script = render_voice(message).meta["script"]
        with tempfile.TemporaryDirectory() as folder:
            wav = audio_preview(script, message.locale, Path(folder) / "preview.wav")
            return HttpResponse(wav.read_bytes(), content_type="audio/wav")
    except (AudioUnavailableError, RenderError) as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
