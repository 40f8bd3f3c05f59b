"""Issue 16 item 1: no CDN anywhere. Every page (console, public pages, API docs) and every
stylesheet they load is fetched; none asks the browser for anything outside the site."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from lxml import html

from gateway.publishing import publish
from tests.factories import create_announcement, create_citizen, create_organisation, create_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_buckets")]

# What a browser fetches by itself: scripts, styles, icons, images, frames, media, forms.
RESOURCES = " | ".join(
    ("//script/@src", "//link/@href", "//img/@src", "//iframe/@src", "//audio/@src")
    + ("//source/@src", "//video/@src", "//object/@data", "//form/@action")
    + ("//*/@hx-get", "//*/@hx-post")
)
EXTERNAL = re.compile(r"^(?:[a-z]+:)?//", re.IGNORECASE)
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)""")


def pages(org, announcement) -> list[str]:
    pk = announcement.pk
    code = announcement.verification_code
    return [
        "/console/login/",
        "/console/",
        "/console/approvals/",
        "/console/announcements/new/",
        f"/console/announcements/{pk}/",
        f"/console/announcements/{pk}/reach/",
        f"/console/announcements/{pk}/dashboard/",
        "/console/subscribers/",
        "/console/subscribers/paper-form/",
        "/console/subscribers/import/",
        f"/inscription/?commune={org.slug}",
        f"/v/{code}",
        "/v/UNKNOWN-CODE",
        "/api/docs",
        "/api/redoc",
    ]


def test_no_page_loads_anything_from_another_site(settings):
    org = create_organisation()
    user = create_user(org)
    create_citizen(org, channels=("sms",))
    announcement = create_announcement(org)
    publish(announcement)
    announcement.refresh_from_db()
    client = Client()
    client.force_login(user)
    stylesheets = set()
    for path in pages(org, announcement):
        response = client.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        doc = html.fromstring(response.content)
        for url in doc.xpath(RESOURCES):
            assert not EXTERNAL.match(url.strip()), (path, url)
            if url.endswith(".css"):
                stylesheets.add(url)
        for style in doc.xpath("//style/text() | //*/@style"):
            raise AssertionError(f"{path}: inline style {style[:60]!r} (the CSP refuses it)")
        for script in doc.xpath("//script[not(@src)]"):
            if script.get("type") != "application/json":
                raise AssertionError(f"{path}: an inline script (the CSP refuses it)")
    assert len(stylesheets) >= 3  # console, public pages, Swagger UI
    for url in stylesheets:
        path = finders.find(url.removeprefix(settings.STATIC_URL).removeprefix("/static/"))
        assert path, url
        css = open(path, encoding="utf-8").read()
        for ref in CSS_URL.findall(css):
            assert ref.startswith("data:") or not EXTERNAL.match(ref), (url, ref)


def test_the_schema_the_docs_draw_has_no_duplicate_key():
    """Swagger UI refuses a schema with a key twice (an int and a str "200" once did)."""

    def unique(pairs):
        keys = [key for key, _ in pairs]
        assert len(keys) == len(set(keys)), keys
        return dict(pairs)

    json.loads(Client().get("/api/openapi.json").content, object_pairs_hook=unique)
