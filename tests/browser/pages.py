"""Helpers for the console's browser tests: sign in, switch the language, run axe-core."""

from __future__ import annotations

import re
from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe-4.14.1.min.js"
SERIOUS = ("serious", "critical")


def log_in(browser, live_server, user, *, locale: str = "fr", **options):
    page = browser.new_page(locale="fr-FR", viewport={"width": 1280, "height": 900}, **options)
    page.goto(f"{live_server.url}/console/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill("x")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/console/$"))
    if locale != "fr":
        switch(page, locale)
    return page


def switch(page, locale: str) -> None:
    """The language switch in the console's header (a form posting to Django's set_language)."""
    page.locator("#language").select_option(locale)
    page.locator("form.lang button").click()
    page.wait_for_function(f"document.documentElement.lang === '{locale}'")


def axe_violations(page) -> list[dict]:
    """Serious and critical axe-core violations of the page (WCAG 2.1 A and AA rules)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, {
                runOnly: {type: 'tag', values: [
                    'wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice',
                ]},
                resultTypes: ['violations'],
            });
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
            }));
        }"""
    )
    return [v for v in found if v["impact"] in SERIOUS]
