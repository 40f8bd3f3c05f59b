"""The public subscription pages (every language with a catalog): sign-up, SMS code, preferences.

- `/inscription/`: name, phone, channels, topics, area, language; an SMS code is sent to the
  phone (rate-limited per number and per IP, only to the countries the organisation serves,
  at most `signup_codes_per_day` a day) and the sign-up waits in the database
  (`gateway.audience.signup_codes`), the session only pointing at it;
- `/inscription/code/`: the code (5 attempts, counted atomically); right, the citizen is stored
  with consent source `web`, merged into the citizen of that phone when there is one (a sign-up
  adds, it never removes what an agent stored);
- `/inscription/preferences/<token>/`: change channels, topics, area, language, or leave; the
  token is opaque and expires (`gateway.audience.links`).

An anonymous visit (GET) creates no session: the language and organisation come from the
query string (`?lang=`, `?commune=`), which the forms post back to.
"""

from __future__ import annotations

import hashlib
import secrets
import time

import phonenumbers
import pydantic
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation

from channels.base import Recipient
from channels.errors import ChannelError
from gateway.audience import links, merging, signup_codes, suppression
from gateway.audience.citizens import (
    CitizenIn,
    Problem,
    check,
    granted_channels,
    problems_of,
    save,
)
from gateway.audience.consents import set_consent
from gateway.audience.signup_codes import Attempt
from gateway.audience.subscriptions import available_languages
from gateway.audience.text import slug
from gateway.messaging.confirm import confirm, open_confirmation, send_confirmation
from gateway.models import CHANNELS, Citizen, Organisation, SignupCode
from gateway.public.languages import language_links, public_languages
from gateway.ratelimit import TokenBucket
from gateway.registry import for_organisation
from renderers.i18n import gettext
from renderers.message import Rendition

PER_PHONE = TokenBucket("signup-phone", rate=1 / 600, burst=3)  # 3 codes, then 1 per 10 min
PER_IP = TokenBucket("signup-ip", rate=1 / 60, burst=10)
STAMP = "%Y-%m-%dT%H:%M:%SZ"


def _language(request: HttpRequest) -> str:
    asked = request.GET.get("lang") or request.POST.get("lang") or request.session.get("lang")
    if asked not in available_languages():
        asked = translation.get_language_from_request(request)
    lang = asked if asked in available_languages() else "fr"
    if request.method == "POST":  # no session for a visit, only for a form posted
        request.session["lang"] = lang
    translation.activate(lang)
    return lang


def _organisation(request: HttpRequest) -> Organisation:
    asked = request.GET.get("commune") or request.session.get("commune")
    found = Organisation.objects.filter(slug=slug(asked)) if asked else Organisation.objects.all()
    organisations = list(found[:2])
    if len(organisations) != 1:
        raise Http404("no such organisation")
    if request.method == "POST":
        request.session["commune"] = organisations[0].slug
    return organisations[0]


def _choices(organisation: Organisation, lang: str) -> dict:
    names = {
        "sms": gettext(lang, "SMS"),
        "voice": gettext(lang, "Appel vocal"),
        "post": gettext(lang, "Courrier (lettre hebdomadaire)"),
        "whatsapp": gettext(lang, "WhatsApp"),
        "email": gettext(lang, "Courriel"),
    }
    return {
        "channels": [(c, names[c]) for c in CHANNELS],
        "topics": list(organisation.topics.order_by("name").values_list("slug", "name")),
        "areas": list(organisation.areas.order_by("name").values_list("slug", "name")),
        "languages": public_languages(),
    }


# Where a problem is shown: the input the visitor typed it in. The summary links to it, or to
# the first input of a group of checkboxes.
INPUTS = {"address_lines.0": "address1", "address_lines.1": "address2"}
ANCHORS = {"channels": "channel-sms", "consent": "consent-box", "address": "address1"}
GROUPS = {"address_lines": "address", "country": "address"}


def _error_context(errors: list[tuple[str, str]], topics: list) -> dict:
    """The summary's (anchor, message) links and the messages shown next to each input."""
    anchors = {**ANCHORS, "topics": f"topic-{topics[0][0]}" if topics else "topics"}
    summary, by_field = [], {}
    for field, problem in errors:
        summary.append((anchors.get(field, field), problem))
        by_field.setdefault(field, []).append(problem)
    return {"errors": summary, "field_errors": by_field}


def _shown(problems: list[Problem], lang: str) -> list[tuple[str, str]]:
    """(input, message in the visitor's language) of the service's problems."""
    out = []
    for problem in problems:
        if problem.field == "address":  # the input holding the printed line it names
            where = INPUTS.get(problem.input, problem.input) or "address"
        else:
            where = INPUTS.get(problem.field, problem.field.split(".")[0])
        out.append((GROUPS.get(where, where), problem.message(lang)))
    return out


def _data(post, lang: str) -> dict:
    return {
        "name": post.get("name", ""),
        "phone": post.get("phone", ""),
        "email": post.get("email", ""),
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


def start(request: HttpRequest) -> HttpResponse:
    lang = _language(request)
    organisation = _organisation(request)
    if request.method != "POST":
        return _page(request, "form.html", organisation, lang, values={"language": lang})
    values = _data(request.POST, lang)

    def refused(status: int, *problems: tuple[str, str]) -> HttpResponse:
        return _page(
            request,
            "form.html",
            organisation,
            lang,
            status,
            values=values,
            consent=bool(request.POST.get("consent")),  # the box keeps its state
            errors=list(problems),
        )

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
    errors += [(f, p) for f, p in _shown(problems, lang) if f not in named]
    if errors or checked is None:
        return refused(422, *errors)
    if checked.phone and not checked.is_mobile:
        return refused(
            422, ("phone", gettext(lang, "Le code est envoyé par SMS : donnez un mobile."))
        )
    country = phonenumbers.region_code_for_number(phonenumbers.parse(checked.phone))
    if country not in organisation.countries:
        served = ", ".join(organisation.countries)
        return refused(
            422,
            (
                "phone",
                gettext(
                    lang,
                    "Nous n'envoyons pas de SMS vers ce pays ({country}). "
                    "Pays desservis : {served}.",
                ).format(country=country, served=served),
            ),
        )
    ip = request.META.get("REMOTE_ADDR", "")
    phone_key = hashlib.sha256(checked.phone.encode()).hexdigest()[:24]
    wait = PER_IP.retry_after(ip) or PER_PHONE.retry_after(phone_key)
    if wait:
        response = refused(429, ("phone", gettext(lang, "Trop de demandes. Réessayez plus tard.")))
        response["Retry-After"] = str(int(wait) + 1)
        return response
    if not signup_codes.take_daily_quota(organisation):
        return refused(
            429,
            (
                "phone",
                gettext(
                    lang,
                    "Trop de codes envoyés aujourd'hui pour cette commune. Réessayez demain.",
                ),
            ),
        )
    code = signup_codes.new_code()
    text = gettext(lang, "Votre code d'inscription : {code}. Il expire dans 10 minutes.")
    try:
        for_organisation(organisation.pk).target("sms").channel.send(  # its own sender
            Rendition("sms", lang, "text/plain", text.format(code=code)),
            Recipient(reference="signup", phone=checked.phone, locale=lang),
            idempotency_key=f"signup-{secrets.token_hex(8)}",
        )
    except ChannelError:
        return refused(422, ("phone", gettext(lang, "Le SMS n'a pas pu être envoyé à ce numéro.")))
    row = signup_codes.pending(
        organisation, checked.phone, {**values, "phone": checked.phone}, code
    )
    request.session["signup"] = row.pk
    return redirect(reverse("signup:code"))


def verify(request: HttpRequest) -> HttpResponse:
    lang = _language(request)
    organisation = _organisation(request)
    pending_id = (
        request.session.get("signup")
        if request.method == "POST" or request.session.session_key
        else None
    )
    row = (
        SignupCode.objects.filter(pk=pending_id, organisation=organisation).first()
        if isinstance(pending_id, int)
        else None
    )
    if row is None:
        return redirect(reverse("signup:start"))
    if request.method != "POST":
        return _page(request, "code.html", organisation, lang)
    code = "".join(request.POST.get("code", "").split())
    outcome, left = signup_codes.attempt(row, code)
    if outcome is Attempt.SPENT:
        # The session is left as it is: a parallel request may still be reading it.
        error = gettext(lang, "Ce code n'est plus valable. Recommencez l'inscription.")
        return _page(request, "code.html", organisation, lang, 410, errors=[("code", error)])
    if outcome is Attempt.WRONG:
        error = gettext(lang, "Code incorrect. Essais restants : {left}.").format(left=left)
        return _page(request, "code.html", organisation, lang, 422, errors=[("code", error)])
    request.session.pop("signup", None)
    citizen = _signed_up(organisation, row.values)
    if citizen is None:  # a topic or area removed meanwhile
        return redirect(reverse("signup:start"))
    link = reverse("signup:preferences", args=[links.issue(citizen)])
    emailed = _confirm_email(citizen, row.values)
    return _page(request, "done.html", organisation, lang, preferences=link, emailed=emailed)


def _confirm_email(citizen: Citizen, asked: dict) -> str:
    """The address a confirmation link was sent to (email asked, address not confirmed yet):
    "" when none was needed; "failed" when it could not be sent."""
    if "email" not in asked.get("channels", []) or not citizen.email:
        return ""
    if citizen.email_confirmed_at is not None and granted_channels(citizen) & {"email"}:
        return ""
    return citizen.email if send_confirmation(citizen) else "failed"


def email_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link of a confirmation email: GET asks, POST confirms (scanners only GET)."""
    lang = _language(request)
    confirmation = open_confirmation(token)
    if confirmation is None:
        page = {"language_links": language_links(request), "lang": lang}
        return render(request, "subscribe/email_expired.html", page, status=410)
    organisation = confirmation.citizen.organisation
    if request.method != "POST":
        return _page(request, "email_confirm.html", organisation, lang)
    confirm(confirmation)
    return _page(request, "email_confirm.html", organisation, lang, confirmed=True)


def _signed_up(organisation: Organisation, asked: dict) -> Citizen | None:
    """Store a verified sign-up: a new citizen, or added to the one of that phone."""
    with transaction.atomic():
        existing = (
            Citizen.objects.select_for_update()
            .filter(organisation=organisation, phone=asked["phone"], erased_at__isnull=True)
            .order_by("pk")
            .first()
        )
        data = merging.signed_up(merging.stored(existing), asked) if existing else asked
        checked, _ = check(organisation, CitizenIn(**data), consents=granted_channels(existing))
        if checked is None:
            return None
        citizen, _ = save(
            organisation,
            checked,
            source="web",
            evidence=f"web sign-up, SMS code verified {time.strftime(STAMP, time.gmtime())}",
            citizen=existing,
            # Email only once its link is followed (`_confirm_email`), unless already proven.
            grant=[c for c in asked["channels"] if c != "email" or _confirmed(existing, asked)],
            regrant=True,
        )
    return citizen


def _confirmed(citizen: Citizen | None, asked: dict) -> bool:
    """The address asked is the one this citizen already confirmed."""
    return bool(
        citizen is not None
        and citizen.email_confirmed_at is not None
        and citizen.email.lower() == (asked.get("email") or citizen.email).lower()
    )


def preferences_url(citizen: Citizen) -> str:
    """A new preferences link of `citizen` (the page given at the end of a sign-up)."""
    return reverse("signup:preferences", args=[links.issue(citizen)])


def preferences(request: HttpRequest, token: str) -> HttpResponse:
    lang = _language(request)
    try:
        citizen = links.open_link(token)
    except links.LinkExpiredError:
        page = {"language_links": language_links(request), "lang": lang}
        return render(request, "subscribe/expired.html", page, status=410)
    if citizen is None:
        raise Http404("no such link")
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
        "topics": [slug(t) for t in request.POST.getlist("topics")],
        "area": slug(request.POST.get("area", "")),
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
    if {"sms", "voice", "whatsapp"} & set(values["channels"]) and not citizen.phone:
        errors.append(
            ("channels", gettext(lang, "Pas de numéro de téléphone : contactez la mairie."))
        )
    if "email" in values["channels"] and not citizen.email:
        errors.append(
            ("channels", gettext(lang, "Pas d'adresse de courriel : contactez la mairie."))
        )
    if errors:
        return errors
    evidence = "web preferences page"
    unconfirmed = citizen.email_confirmed_at is None
    with transaction.atomic():
        for channel in CHANNELS:
            contact = suppression.contact_of(citizen, channel)
            if channel == "email" and channel in values["channels"] and unconfirmed:
                if not citizen.consents.filter(channel=channel, granted=True).exists():
                    transaction.on_commit(lambda: send_confirmation(citizen))
                continue  # granted when the citizen follows the link sent to the address
            if channel in values["channels"]:
                suppression.lift(organisation, contact, channel)
                set_consent(citizen, channel, True, source="web", evidence=evidence)
            elif citizen.consents.filter(channel=channel, granted=True).exists():
                set_consent(citizen, channel, False, source="web", evidence=evidence)
                suppression.suppress(organisation, contact, channel, source="web")
        kept = [c for c in citizen.channels if c in values["channels"]]
        citizen.channels = kept + [c for c in values["channels"] if c not in kept]
        citizen.language = values["language"]
        citizen.area = area
        citizen.save(update_fields=["channels", "language", "area"])
        citizen.topics.set(topics)
    return []
