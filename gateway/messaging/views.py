"""`/u/<token>`: the unsubscribe link of every email (body and `List-Unsubscribe` header).

- `GET` only shows a page asking to confirm: mail scanners and link previews fetch links, and
  must never unsubscribe anybody.
- `POST` unsubscribes at once: the RFC 8058 one-click request a mailbox provider sends
  (`List-Unsubscribe=One-Click`, no cookies, no CSRF token), or the page's button. A second
  POST changes nothing and answers the same page.

The page is in the citizen's language (`?lang=` overrides); an unknown token gets a 404 page
that says so, in the visitor's language.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from gateway.audience.subscriptions import available_languages
from gateway.messaging.unsubscribe import open_link, unsubscribe
from gateway.public.languages import language_links

ONE_CLICK = "List-Unsubscribe=One-Click"


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    link = open_link(token)
    citizen = link.citizen if link is not None else None
    asked = request.GET.get("lang")
    lang = asked if asked in available_languages() else None
    if lang is None and citizen is not None and citizen.language in available_languages():
        lang = citizen.language
    translation.activate(lang or translation.get_language_from_request(request))
    context = {
        "organisation": citizen.organisation if citizen else None,
        "language_links": language_links(request),
    }
    if link is None or citizen.erased_at is not None:
        return render(request, "public/unsubscribe_unknown.html", context, status=404)
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        how = "one-click (RFC 8058)" if one_click else "unsubscribe page"
        unsubscribe(link, how=how)
        return render(request, "public/unsubscribed.html", context)
    return render(request, "public/unsubscribe.html", context)
