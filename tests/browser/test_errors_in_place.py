"""The problems a citizen or the front desk causes, in the browser, in French and Arabic: each
next to the input it was typed in, in the page's language; the consent box keeps its state."""

from __future__ import annotations

import re

import pytest

from tests.factories import create_organisation, create_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_signup_postcode_error_under_the_postcode(browser, live_server, shots, lang):
    create_organisation()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/inscription/?lang={lang}")
    page.locator("#name").fill("Anne Dupont")
    page.locator("#phone").fill("06 12 34 56 78")
    page.locator("#channel-sms").check()
    page.locator("#channel-post").check()
    page.locator("#address1").fill("5 bis rue des Lilas")
    page.locator("#postcode").fill("4912")
    page.locator("#city").fill("Saint-Crieur")
    page.locator("#consent-box").check()
    page.locator("form button[type=submit]").last.click()
    error = page.locator("#postcode-error-1")
    error.wait_for()
    text = error.inner_text()
    assert "must" not in text and "POSTCODE" not in text
    if lang == "ar":
        assert re.search(r"[\u0600-\u06FF]", text), text
    else:
        assert "code postal" in text
    assert page.locator("#postcode").get_attribute("aria-invalid") == "true"
    assert page.locator("#address1").get_attribute("aria-invalid") is None
    assert page.locator("#consent-box").is_checked()
    shots(page, f"signup-postcode-error-{lang}")


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_paper_form_line_error_under_that_line(browser, live_server, shots, lang):
    from tests.browser.test_console_work import log_in

    org = create_organisation()
    page = log_in(browser, live_server, create_user(org), lang)
    page.goto(f"{live_server.url}/console/subscribers/paper-form/")
    page.locator("#id_form_reference").fill("PF-1")
    page.locator("#id_signed_on").fill("2026-11-18")
    page.locator("#id_name").fill("Madame Lucie Marchand")
    page.locator("#id_phone").fill("06 12 34 56 78")
    page.locator("#id_address1").fill("Résidence des Grands Chênes, escalier B, porte 12")
    page.locator("#id_address2").fill("Bâtiment B")
    page.locator("#id_address3").fill("5 bis rue des Lilas")
    page.locator("#id_postcode").fill("49123")
    page.locator("#id_city").fill("Saint-Crieur")
    page.locator("input[name=channels][value=post]").check()
    page.locator("form.paper-form button[type=submit], form button[type=submit]").last.click()
    error = page.locator("#id_address1-error")
    error.wait_for()
    assert "38" in error.inner_text() and "line" not in error.inner_text()
    assert page.locator("#id_address3-error").count() == 0
    shots(page, f"paper-form-line-error-{lang}")
