"""The FR-Alert text in the preview of urgent announcements: API, console and CLI."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from gateway.models import Role
from tests.factories import create_announcement, create_api_key, create_organisation, create_user

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = {
    "locale": "fr",
    "title": "Crue de la Loire",
    "summary": "Évacuez les quais avant 18 h. Amende [art. 12] : 135 €.",
    "body": "Texte long.",
    "urgency": "urgent",
    "topics": ["travaux"],
    "contact": "",
    "links": "",
    "preview_locale": "fr",
}


def forms_of(preview: dict) -> dict:
    return {r["form"]: r for r in preview["renditions"]}


def test_the_api_preview_of_an_urgent_announcement_has_the_cell_broadcast():
    org = create_organisation()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_key(org)}")
    urgent = create_announcement(org, urgency="urgent", summary=COMPOSE["summary"])
    info = create_announcement(org)

    preview = client.get(f"/api/announcements/{urgent.pk}/preview").json()
    cell = forms_of(preview)["cell-broadcast"]
    assert cell["text"].startswith("ALERTE : ") and "135 €" in cell["text"]
    assert (cell["meta"]["encoding"], cell["meta"]["per_page"]) == ("GSM-7", 93)
    assert cell["meta"]["pages"] == -(-cell["meta"]["units"] // 93)
    arabic = client.get(f"/api/announcements/{urgent.pk}/preview?locale=ar").json()
    assert forms_of(arabic)["cell-broadcast"]["locale"] == "fr"  # no Arabic text: the default

    info_preview = client.get(f"/api/announcements/{info.pk}/preview").json()
    assert "cell-broadcast" not in forms_of(info_preview)


def test_too_long_for_fr_alert_is_a_warning_not_a_failed_preview():
    org = create_organisation()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_key(org)}")
    urgent = create_announcement(org, urgency="urgent", summary="Évacuez. " * 170)
    response = client.get(f"/api/announcements/{urgent.pk}/preview")
    assert response.status_code == 200
    body = response.json()
    assert "cell-broadcast" not in forms_of(body)
    (warning,) = [w for w in body["warnings"] if w.startswith("cell-broadcast:")]
    assert "the limit is 15 pages of 93 = 1395" in warning and "too many" in warning


def test_the_console_preview_shows_pages_and_encoding(client, settings):
    org = create_organisation()
    client.force_login(create_user(org, Role.AUTHOR))
    page = client.post(reverse("console:preview"), COMPOSE).content.decode()
    assert 'data-testid="cell-broadcast"' in page
    assert 'data-testid="cell-broadcast-encoding">GSM-7<' in page
    assert 'data-testid="cell-broadcast-pages">2 / 15<' in page  # 138 septets with the link
    arabic = {
        **COMPOSE,
        "locale": "ar",
        "title": "فيضان نهر اللوار",
        "summary": "أخلوا الأرصفة قبل الساعة السادسة مساءً. " * 3,
        "body": "نص",
        "preview_locale": "ar",
    }
    page = client.post(reverse("console:preview"), arabic).content.decode()
    assert 'data-testid="cell-broadcast-encoding">UCS-2<' in page
    pages = int(re.search(r'data-testid="cell-broadcast-pages">(\d+) / 15<', page).group(1))
    assert pages >= 4  # 3 × 40 Arabic letters, 41 a page
    long = {**COMPOSE, "summary": "Évacuez. " * 170}
    page = client.post(reverse("console:preview"), long).content.decode()
    assert 'data-testid="cell-broadcast-error"' in page and "too many" in page
    info = client.post(reverse("console:preview"), {**COMPOSE, "urgency": "info"}).content.decode()
    assert 'data-testid="cell-broadcast"' not in info


def crieur(*args):
    return subprocess.run(
        [sys.executable, "-m", "gateway.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_crieur_render_cell_broadcast_prints_the_text_and_its_pages(tmp_path):
    result = crieur("render", "--channel", "cell-broadcast", ROOT / "examples" / "coupure-eau.yaml")
    assert result.returncode == 0, result.stderr
    assert "Coupure d'eau" in result.stdout and "Détails" not in result.stdout.splitlines()[0]
    assert "page(s) of 15, GSM-7" in result.stderr and "préfecture" in result.stderr
    long = tmp_path / "long.yaml"
    long.write_text(
        "organisation: Mairie\nlocale: fr\ntitle: Crue\nurgency: urgent\nbody: Texte.\n"
        f"summary: {'Évacuez. ' * 170}\n",
        encoding="utf-8",
    )
    refused = crieur("render", "--channel", "cell-broadcast", long)
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and "the limit is 15 pages" in refused.stderr
