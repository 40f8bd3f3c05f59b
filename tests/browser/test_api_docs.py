"""The API's documentation in Chromium, offline: Swagger UI and ReDoc draw the schema from the
packages' own files and nothing is fetched from another site.

ReDoc's sidebar always shows its maker's logo from their CDN; the CSP (`img-src 'self'`)
stops that one image before any request leaves, and ReDoc hides it. That refusal is the only
one allowed, and only there."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db(transaction=True)
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@pytest.mark.parametrize(
    "path, drawn",
    [("/api/docs", ".opblock-summary-path"), ("/api/redoc", "[data-section-id^='tag/']")],
    ids=["swagger-ui", "redoc"],
)
def test_the_docs_draw_from_this_site_only(browser, live_server, shots, path, drawn):
    page = browser.new_page()
    answered: list[str] = []  # requests that reached a server
    page.on("response", lambda response: answered.append(response.url))
    page.goto(live_server.url + path)
    page.wait_for_selector(drawn, timeout=30000)
    assert page.get_by_text("/api/announcements").first.is_visible()
    shots(page, path.rsplit("/", 1)[-1])
    page.close()
    outside = [u for u in answered if not u.startswith((live_server.url, "data:", "blob:"))]
    assert not outside, outside
    assert any(u.endswith("/api/openapi.json") for u in answered)
    if path == "/api/redoc":
        blocked = [v for v in browser.csp_violations if REDOC_LOGO in v]
        assert blocked and len(blocked) == len(browser.csp_violations), browser.csp_violations
        browser.csp_violations.clear()
