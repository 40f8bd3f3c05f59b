"""The public subscription pages (every language with a catalog): sign-up, SMS code, preferences.

- `/inscription/`: name, phone, channels, topics, area, language; an SMS code is sent to the
  phone (rate-limited per number and per IP) and kept hashed in the session with its expiry
  and the attempts left;
- `/inscription/code/`: the code; right, the citizen is stored with consent source `web`;
- `/inscription/preferences/<signed token>/`: change channels, topics, area, language, or
  leave; the link is signed with `django.core.signing`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pydantic
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation

from channels.base import Recipient
from channels.errors import ChannelError
from gateway.audience.citizens import CitizenIn, check, problems_of, save
from gateway.audience.consents import set_consent
from gateway.audience.subscriptions import available_languages
from gateway.models import CHANNELS, Citizen, Organisation
from gateway.public.languages import language_links, public_languages
from gateway.ratelimit import TokenBucket
from gateway.registry import channels
from renderers.i18n import gettext
from renderers.message import Rendition

CODE_TTL = 600  # seconds a code stays valid
MAX_ATTEMPTS = 5
PER_PHONE = TokenBucket("signup-phone", rate=1 / 600, burst=3)  # 3 codes, then 1 per 10 min
PER_IP = TokenBucket("signup-ip", rate=1 / 60, burst=10)
SALT = "crieur.preferences"
STAMP = "%Y-%m-%dT%H:%M:%SZ"
PREFERENCES_MAX_AGE = 2 * 365 * 86400


def _language(request: HttpRequest) -> str:
    asked = request.GET.get("lang") or request.POST.get("lang") or request.session.get("lang")
    if asked not in available_languages():
        asked = translation.get_language_from_request(request)
    lang = asked if asked in available_languages() else "fr"
    request.session["lang"] = lang
    translation.activate(lang)
    return lang


def _organisation(request: HttpRequest) -> Organisation:
    slug = request.GET.get("commune") or request.session.get("commune")
    found = Organisation.objects.filter(slug=slug) if slug else Organisation.objects.all()
    organisations = list(found[:2])
    if len(organisations) != 1:
        raise Http404("no such organisation")
    request.session["commune"] = organisations[0].slug
    return organisations[0]


def _choices(organisation: Organisation, lang: str) -> dict:
    names = {
        "sms": gettext(lang, "SMS"),
        "voice": gettext(lang, "Appel vocal"),
        "post": gettext(lang, "Courrier (lettre hebdomadaire)"),
    }
    return {
        "channels": [(c, names[c]) for c in CHANNELS],
        "topics": list(organisation.topics.order_by("name").values_list("slug", "name")),
        "areas": list(organisation.areas.order_by("name").values_list("slug", "name")),
        "languages": public_languages(),
    }


# Where the error summary sends the reader: the first input of the field's group.
ANCHORS = {"channels": "channel-sms", "consent": "consent-box", "address": "address1"}
GROUPS = {"address_lines": "address", "postcode": "address", "city": "address"}


def _error_context(errors: list[tuple[str, str]], topics: list) -> dict:
    """The summary's (anchor, message) links and the messages shown next to each field."""
    anchors = {**ANCHORS, "topics": f"topic-{topics[0][0]}" if topics else "topics"}
    summary, by_field = [], {}
    for field, problem in errors:
        group = field.split(".")[0]
        group = GROUPS.get(group, group)
        summary.append((anchors.get(group, group), problem))
        by_field.setdefault(group, []).append(problem)
    return {"errors": summary, "field_errors": by_field}


def _data(post, lang: str) -> dict:
    return {
        "name": post.get("name", ""),
        "phone": post.get("phone", ""),
        "address_lines": [v for v in (post.get("address1", ""), post.get("address2", "")) if v],
        "postcode": post.get("postcode", ""),
        "city": post.get("city", ""),
        "language": post.get("language") or lang,
        "channels": post.getlist("channels"),
        "topics": post.getlist("topics"),
        "area": post.get("area", ""),
    }


def _page(request, template: str, organisation, lang: str, status: int = 200, **context):
    choices = _choices(organisation, lang)
    context = {
        "organisation": organisation,
        "lang": lang,
        "language_links": language_links(request),
        **choices,
        **context,
        **_error_context(context.get("errors", []), choices["topics"]),
    }
    return render(request, f"subscribe/{template}", context, status=status)


def _digest(code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), code.encode(), hashlib.sha256).hexdigest()


def start(request: HttpRequest) -> HttpResponse:
    lang = _language(request)
    organisation = _organisation(request)
    if request.method != "POST":
        return _page(request, "form.html", organisation, lang, values={"language": lang})
    values = _data(request.POST, lang)
    errors: list[tuple[str, str]] = []
    if not request.POST.get("consent"):
        errors.append(("consent", gettext(lang, "Cochez la case pour donner votre accord.")))
    if not values["phone"]:
        errors.append(("phone", gettext(lang, "Le numéro de téléphone est obligatoire.")))
    if not values["channels"]:
        errors.append(("channels", gettext(lang, "Choisissez au moins un moyen d'être prévenu.")))
    try:
        checked, problems = check(organisation, CitizenIn(**values))
    except pydantic.ValidationError as exc:  # no channel chosen, a field too long
        checked, problems = None, problems_of(exc)
    named = {field for field, _ in errors}
    errors += [(field, problem) for field, problem in problems if field not in named]
    if errors or checked is None:
        return _page(request, "form.html", organisation, lang, 422, values=values, errors=errors)
    if checked.phone and not checked.is_mobile:
        errors.append(("phone", gettext(lang, "Le code est envoyé par SMS : donnez un mobile.")))
        return _page(request, "form.html", organisation, lang, 422, values=values, errors=errors)
    ip = request.META.get("REMOTE_ADDR", "")
    phone_key = hashlib.sha256(checked.phone.encode()).hexdigest()[:24]
    wait = PER_IP.retry_after(ip) or PER_PHONE.retry_after(phone_key)
    if wait:
        errors.append(("phone", gettext(lang, "Trop de demandes. Réessayez plus tard.")))
        response = _page(
            request, "form.html", organisation, lang, 429, values=values, errors=errors
        )
        response["Retry-After"] = str(int(wait) + 1)
        return response
    code = f"{secrets.randbelow(10**6):06d}"
    text = gettext(lang, "Votre code d'inscription : {code}. Il expire dans 10 minutes.")
    try:
        channels()["sms"].send(
            Rendition("sms", lang, "text/plain", text.format(code=code)),
            Recipient(reference="signup", phone=checked.phone, locale=lang),
            idempotency_key=f"signup-{secrets.token_hex(8)}",
        )
    except ChannelError:
        errors.append(("phone", gettext(lang, "Le SMS n'a pas pu être envoyé à ce numéro.")))
        return _page(request, "form.html", organisation, lang, 422, values=values, errors=errors)
    request.session["signup"] = {
        "values": {**values, "phone": checked.phone},
        "digest": _digest(code),
        "expires": time.time() + CODE_TTL,
        "attempts": 0,
    }
    return redirect(reverse("signup:code"))


def verify(request: HttpRequest) -> HttpResponse:
    lang = _language(request)
    organisation = _organisation(request)
    pending = request.session.get("signup")
    if not pending:
        return redirect(reverse("signup:start"))
    if request.method != "POST":
        return _page(request, "code.html", organisation, lang)
    error = ""
    if time.time() > pending["expires"] or pending["attempts"] >= MAX_ATTEMPTS:
        del request.session["signup"]
        error = gettext(lang, "Ce code n'est plus valable. Recommencez l'inscription.")
        return _page(request, "code.html", organisation, lang, 410, errors=[("code", error)])
    pending["attempts"] += 1
    request.session["signup"] = pending
    code = "".join(request.POST.get("code", "").split())
    if not hmac.compare_digest(_digest(code), pending["digest"]):
        left = MAX_ATTEMPTS - pending["attempts"]
        error = gettext(lang, "Code incorrect. Essais restants : {left}.").format(left=left)
        return _page(request, "code.html", organisation, lang, 422, errors=[("code", error)])
    checked, _ = check(organisation, CitizenIn(**pending["values"]))
    if checked is None:  # a topic or area removed meanwhile
        return redirect(reverse("signup:start"))
    with transaction.atomic():
        existing = Citizen.objects.filter(
            organisation=organisation, phone=checked.phone, erased_at__isnull=True
        ).first()
        citizen = save(
            organisation,
            checked,
            source="web",
            evidence=f"web sign-up, SMS code verified {time.strftime(STAMP, time.gmtime())}",
            citizen=existing,
            regrant=True,
        )
    del request.session["signup"]
    link = preferences_url(citizen)
    return _page(request, "done.html", organisation, lang, preferences=link)


def preferences_url(citizen: Citizen) -> str:
    token = signing.dumps(citizen.reference, salt=SALT)
    return reverse("signup:preferences", args=[token])


def preferences(request: HttpRequest, token: str) -> HttpResponse:
    lang = _language(request)
    try:
        reference = signing.loads(token, salt=SALT, max_age=PREFERENCES_MAX_AGE)
    except signing.BadSignature:
        raise Http404("invalid or expired link") from None
    citizen = Citizen.objects.filter(reference=reference, erased_at__isnull=True).first()
    if citizen is None:
        raise Http404("no such subscriber")
    organisation = citizen.organisation
    consents = dict(citizen.consents.values_list("channel", "granted"))
    values = {
        "channels": [c for c in citizen.channels if consents.get(c)],
        "topics": list(citizen.topics.values_list("slug", flat=True)),
        "area": citizen.area.slug if citizen.area else "",
        "language": citizen.language,
    }
    if request.method != "POST":
        return _page(request, "preferences.html", organisation, lang, values=values)
    wanted = [] if request.POST.get("leave") else request.POST.getlist("channels")
    values = {
        **values,
        "channels": wanted,
        "topics": request.POST.getlist("topics"),
        "area": request.POST.get("area", ""),
        "language": request.POST.get("language") or citizen.language,
    }
    errors = _apply_preferences(citizen, values, lang)
    status = 422 if errors else 200
    saved = not errors
    return _page(
        request,
        "preferences.html",
        organisation,
        lang,
        status,
        values=values,
        errors=errors,
        saved=saved,
    )


def _apply_preferences(citizen: Citizen, values: dict, lang: str) -> list[tuple[str, str]]:
    organisation = citizen.organisation
    topics = list(organisation.topics.filter(slug__in=values["topics"]))
    area = organisation.areas.filter(slug=values["area"]).first() if values["area"] else None
    errors = []
    if values["language"] not in available_languages():
        errors.append(("language", gettext(lang, "Langue inconnue.")))
    for channel in values["channels"]:
        if channel not in CHANNELS:
            errors.append(("channels", gettext(lang, "Canal inconnu.")))
    if "post" in values["channels"] and not citizen.address_lines:
        errors.append(("channels", gettext(lang, "Pas d'adresse postale : contactez la mairie.")))
    if errors:
        return errors
    evidence = "web preferences page"
    with transaction.atomic():
        for channel in CHANNELS:
            if channel in values["channels"]:
                set_consent(citizen, channel, True, source="web", evidence=evidence)
            elif citizen.consents.filter(channel=channel, granted=True).exists():
                set_consent(citizen, channel, False, source="web", evidence=evidence)
        kept = [c for c in citizen.channels if c in values["channels"]]
        citizen.channels = kept + [c for c in values["channels"] if c not in kept]
        citizen.language = values["language"]
        citizen.area = area
        citizen.save(update_fields=["channels", "language", "area"])
        citizen.topics.set(topics)
    return []
