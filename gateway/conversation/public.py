"""The public pages of the conversation, reached from the verification page `/v/<code>` (and
so from the QR code of every notice and letter):

- `/v/<code>/consultation`: answer the poll on the web, no account. The voter is a phone
  checked by a 6-digit SMS code (it must be allowed to answer: it received the announcement,
  or belongs to a subscriber of its areas), or a signed link made for one delivery
  (`poll_link`, for channels that personalise, such as e-mail). One answer per phone.
- `/v/<code>/consultation/resultats`: the results, when the organisation made them public,
  once the poll is closed.
- `/v/<code>/question`: a question typed on the page, answered at once from the current
  announcements, or passed to the town hall with a private link to read the agent's answer.

Rate-limited per client address like every public page; codes also per phone.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation

from channels.base import Recipient
from channels.errors import ChannelError
from gateway.conversation import moderation, polls, questions
from gateway.conversation.models import Question, QuestionStatus, ReplyStatus
from gateway.conversation.results import results
from gateway.conversation.tasks import sms_channel
from gateway.conversation.voters import sender_of_account, voter_of_citizen, voter_of_phone
from gateway.models import Citizen, Delivery, InboundMessage
from gateway.models.citizen import normalise_phone
from gateway.public.languages import language_links
from gateway.ratelimit import TokenBucket, rate_limited
from gateway.verification import PUBLIC, pick_locale, published
from renderers.i18n import gettext
from renderers.message import Rendition

LINK_SALT = "crieur.poll-link"
LINK_MAX_AGE = 90 * 86400
CODE_TTL, MAX_ATTEMPTS = 600, 5
PER_PHONE = TokenBucket("poll-code-phone", rate=1 / 600, burst=3)
PER_IP = TokenBucket("poll-code-ip", rate=1 / 60, burst=10)
QUESTIONS = TokenBucket("question-ip", rate=1 / 60, burst=5)


def poll_link(delivery: Delivery) -> str:
    """A link that lets the delivery's citizen answer without a code (signed, 90 days)."""
    token = signing.dumps(delivery.pk, salt=LINK_SALT)
    path = reverse("poll-public", args=[delivery.announcement.verification_code])
    return f"{settings.PUBLIC_URL}{path}?t={token}"


def _digest(code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), code.encode(), hashlib.sha256).hexdigest()


def _context(request, announcement, locale: str, **extra) -> dict:
    return {
        "organisation": announcement.organisation,
        "announcement": announcement,
        "text": announcement.text(locale),
        "language_links": language_links(request, sorted(announcement.locales)),
        **extra,
    }


def _from_link(request, announcement, poll) -> dict | None:
    token = request.GET.get("t", "")
    if not token:
        return None
    try:
        pk = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    delivery = (
        Delivery.objects.filter(pk=pk, announcement=announcement).select_related("citizen").first()
    )
    if delivery is None or delivery.citizen is None:
        return None
    citizen = delivery.citizen
    voter = voter_of_phone(citizen.phone) if citizen.phone else voter_of_citizen(citizen.pk)
    return {"poll": poll.pk, "voter": voter, "citizen": citizen.pk, "locale": delivery.locale}


@rate_limited(PUBLIC)
def poll_page(request: HttpRequest, code: str) -> HttpResponse:
    announcement = published(code)
    poll = polls.poll_of(announcement)
    if poll is None:
        raise Http404("no poll")
    linked = _from_link(request, announcement, poll)
    if linked:
        request.session["poll_voter"] = linked
    locales = [t.locale for t in poll.texts.all()]
    default = linked["locale"] if linked and linked["locale"] in locales else announcement.locale
    locale = pick_locale(request, locales, default) if request.GET.get("lang") else default
    if not linked and not request.GET.get("lang"):
        locale = pick_locale(request, locales, announcement.locale)
    with translation.override(locale):
        return _poll_page(request, announcement, poll, locale)


def _poll_page(request, announcement, poll, locale: str) -> HttpResponse:
    text = polls.text_in(poll, locale)
    voter = request.session.get("poll_voter")
    voter = voter if voter and voter.get("poll") == poll.pk else None
    page = {
        "poll": poll,
        "question": text.question,
        "answers": list(enumerate(text.answers, start=1)),
        "open": poll.is_open(),
        "voter": voter,
        "pending": (request.session.get("poll_code") or {}).get("poll") == poll.pk,
        "public_results": poll.public_results and poll.is_closed(),
    }
    status, errors, done = 200, [], ""
    action = request.POST.get("action") if request.method == "POST" else None
    if action and not poll.is_open():
        errors = [("answer-1", gettext(locale, "Cette consultation est close."))]
        status = 409
    elif action == "phone":
        status, errors = _send_code(request, poll, locale)
        page["pending"] = status == 200
        if status == 200:
            done = gettext(
                locale,
                "Si ce numéro peut répondre, un code à 6 chiffres lui a été envoyé par SMS.",
            )
    elif action == "code":
        status, errors = _check_code(request, poll, locale)
        page["voter"] = request.session.get("poll_voter") if status == 200 else None
        page["pending"] = status != 200 and bool(request.session.get("poll_code"))
    elif action == "vote":
        status, errors, done = _vote(request, poll, voter, locale)
    response = render(
        request,
        "conversation/public_poll.html",
        _context(request, announcement, locale, errors=errors, done=done, **page),
        status=status,
    )
    return response


def _send_code(request, poll, locale: str) -> tuple[int, list]:
    try:
        phone = normalise_phone(request.POST.get("phone", ""))
    except ValidationError:
        return 422, [("phone", gettext(locale, "Ce numéro de téléphone n’est pas valide."))]
    key = hashlib.sha256(phone.encode()).hexdigest()[:24]
    if PER_IP.retry_after(request.META.get("REMOTE_ADDR", "")) or PER_PHONE.retry_after(key):
        return 429, [("phone", gettext(locale, "Trop de demandes. Réessayez plus tard."))]
    code = f"{secrets.randbelow(10**6):06d}"
    request.session["poll_code"] = {
        "poll": poll.pk,
        "phone": phone,
        "digest": _digest(code),
        "expires": time.time() + CODE_TTL,
        "attempts": 0,
    }
    if polls.may_answer(poll, phone) is False:
        return 200, []  # the same answer, so the page never tells who received what
    words = gettext(locale, "Votre code pour répondre à la consultation : {code}.")
    try:
        sms_channel(poll.announcement.organisation).send(
            Rendition("sms", locale, "text/plain", words.format(code=code)),
            Recipient(reference=f"poll-{poll.pk}", phone=phone, locale=locale),
            idempotency_key=f"poll-code-{secrets.token_hex(8)}",
        )
    except ChannelError:
        return 422, [("phone", gettext(locale, "Le SMS n'a pas pu être envoyé à ce numéro."))]
    return 200, []


def _check_code(request, poll, locale: str) -> tuple[int, list]:
    pending = request.session.get("poll_code")
    if not pending or pending.get("poll") != poll.pk:
        return 422, [("code", gettext(locale, "Demandez d’abord un code."))]
    if time.time() > pending["expires"] or pending["attempts"] >= MAX_ATTEMPTS:
        del request.session["poll_code"]
        return 410, [("code", gettext(locale, "Ce code n'est plus valable. Demandez-en un autre."))]
    pending["attempts"] += 1
    request.session["poll_code"] = pending
    code = "".join(request.POST.get("code", "").split())
    if not hmac.compare_digest(_digest(code), pending["digest"]):
        left = MAX_ATTEMPTS - pending["attempts"]
        return 422, [
            ("code", gettext(locale, "Code incorrect. Essais restants : {left}.").format(left=left))
        ]
    phone = pending["phone"]
    del request.session["poll_code"]
    citizen = polls.may_answer(poll, phone)
    if citizen is False:
        return 403, [
            ("code", gettext(locale, "Ce numéro ne peut pas répondre à cette consultation."))
        ]
    request.session["poll_voter"] = {
        "poll": poll.pk,
        "voter": voter_of_phone(phone),
        "citizen": citizen.pk if isinstance(citizen, Citizen) else None,
    }
    return 200, []


def _vote(request, poll, voter: dict | None, locale: str) -> tuple[int, list, str]:
    if voter is None:
        return 403, [("phone", gettext(locale, "Confirmez d’abord votre numéro."))], ""
    try:
        choice = int(request.POST.get("choice", ""))
    except ValueError:
        choice = 0
    count = len(polls.text_in(poll, locale).answers)
    if not 1 <= choice <= count:
        return 422, [("answer-1", gettext(locale, "Choisissez une réponse."))], ""
    citizen = Citizen.objects.filter(pk=voter.get("citizen")).first()
    outcome = polls.record(
        poll, voter["voter"], choice, channel="web", locale=locale, citizen=citizen
    )
    from gateway.conversation.inbound import poll_reply

    return 200, [], poll_reply(poll, locale, outcome, choice)


@rate_limited(PUBLIC)
def poll_results_page(request: HttpRequest, code: str) -> HttpResponse:
    announcement = published(code)
    poll = polls.poll_of(announcement)
    if poll is None or not poll.public_results or not poll.is_closed():
        raise Http404("no public results")
    locale = pick_locale(request, [t.locale for t in poll.texts.all()], announcement.locale)
    with translation.override(locale):
        return render(
            request,
            "conversation/public_results.html",
            _context(request, announcement, locale, results=results(poll, locale)),
        )


def _asker(request) -> str:
    return sender_of_account("web", request.META.get("REMOTE_ADDR", ""))


@rate_limited(PUBLIC)
def question_page(request: HttpRequest, code: str) -> HttpResponse:
    """Ask on the verification page: answered now when the match is confident."""
    announcement = published(code)
    locale = pick_locale(request, announcement.locales, announcement.locale)
    with translation.override(locale):
        if request.method != "POST":
            return redirect(reverse("verification", args=[code]))
        body = request.POST.get("question", "").strip()
        if not body or len(body) > 500:
            problem = gettext(locale, "Écrivez votre question (500 caractères au plus).")
            page = _context(request, announcement, locale, errors=[("question", problem)])
            return render(request, "conversation/public_question.html", page, status=422)
        if QUESTIONS.retry_after(request.META.get("REMOTE_ADDR", "")):
            problem = gettext(locale, "Trop de demandes. Réessayez plus tard.")
            page = _context(request, announcement, locale, errors=[("question", problem)])
            return render(request, "conversation/public_question.html", page, status=429)
        organisation = announcement.organisation
        inbound = InboundMessage.objects.create(
            organisation=organisation, announcement=announcement, channel="web", body=body
        )
        review = moderation.review_message(inbound, sender=_asker(request))
        question = questions.ask(inbound, locale=locale)
        if review.verdict != "spam" and review.decision != "blocked":
            reply = questions.answer(question)
            if reply is not None:
                type(reply).objects.filter(pk=reply.pk).update(status=ReplyStatus.SENT)
        else:
            Question.objects.filter(pk=question.pk).update(status=QuestionStatus.CLOSED)
        return redirect(
            reverse("question-public", args=[announcement.verification_code, question.token])
        )


@rate_limited(PUBLIC)
def question_answer_page(request: HttpRequest, code: str, token: str) -> HttpResponse:
    """The answer to a web question, at a private link (the agent's answer shows up here)."""
    announcement = published(code)
    question = get_object_or_404(
        Question.objects.select_related("announcement__organisation"),
        token=token,
        inbound__organisation=announcement.organisation,
        inbound__channel="web",
    )
    locale = pick_locale(request, announcement.locales, question.locale)
    with translation.override(locale):
        page = _context(
            request,
            announcement,
            locale,
            question=question,
            asked=question.inbound.body,
            replies=[r.body for r in question.replies.order_by("pk") if not r.automatic],
            matched=question.announcement,
            matched_text=question.announcement.text(locale) if question.announcement else None,
            matched_url=reverse("verification", args=[question.announcement.verification_code])
            if question.announcement
            else "",
            private_url=request.build_absolute_uri(),
            waiting=question.status == QuestionStatus.OPEN,
        )
        return render(request, "conversation/public_question.html", page)


__all__ = ["poll_link"]
