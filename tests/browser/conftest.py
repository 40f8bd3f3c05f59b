"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium, no download).

They skip, saying why, when Chromium or Playwright is missing; `.ci/run` installs Chromium.
Screenshots of every step go to `var/test-output/browser/` (the path is printed).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = Path(__file__).resolve().parents[2] / "var" / "test-output" / "browser"

# Playwright's sync API runs an event loop in the test thread; the ORM calls the test makes
# between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(
            "browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium)"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield WatchedBrowser(browser)
        browser.close()


class WatchedBrowser:
    """The browser, whose pages report what the Content-Security-Policy blocked."""

    def __init__(self, browser) -> None:
        self._browser = browser
        self.csp_violations: list[str] = []

    def new_page(self, **options):
        page = self._browser.new_page(**options)
        page.on("console", self._console)
        return page

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(autouse=True)
def _nothing_blocked_by_the_csp(request):
    """Every page a browser test opens works under the CSP: nothing refused, nothing inline."""
    if "browser" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("browser")
    browser.csp_violations.clear()
    yield
    assert not browser.csp_violations, browser.csp_violations


@pytest.fixture
def shots(request):
    """`shots("name")` saves a full-page screenshot of a page as NN-name.png."""
    folder = OUTPUT / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    print(f"\nscreenshots: {folder}")
    count = iter(range(1, 100))

    def take(page, name: str) -> Path:
        path = folder / f"{next(count):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(autouse=True)
def _deliver_inline(settings, tmp_path):
    """Publishing runs its Celery tasks inline (in the live server's thread), to the outbox."""
    from gateway.celery import app
    from gateway.registry import channels

    settings.OUTBOX_DIR = tmp_path / "outbox"
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    channels.cache_clear()
    yield
    channels.cache_clear()
    app.conf.task_always_eager = eager
