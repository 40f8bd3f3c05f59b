"""`crieur render --channel` accepts every form Crieur renders; PDFs take `--large-print`."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from gateway.cli import main
from gateway.cli.render import FORMS

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "coupure-eau.yaml"
TEXT_FORMS = {
    "sms": "STOP",
    "mastodon": "#Travaux",
    "bluesky": "#Travaux",
    "x": "#Travaux",
    "facebook": "Coupure d’eau rue des Lilas mardi\n\nEn raison de travaux",
    "voice": "<Gather",
    "cell-broadcast": "Coupure d'eau",
}


def test_the_form_table_holds_every_form():
    assert set(FORMS) == {*TEXT_FORMS, "notice", "letter", "card", "card-square", "video"}


@pytest.mark.parametrize("form", sorted(TEXT_FORMS))
def test_text_forms_print(form, capsys):
    assert main(["render", "--channel", form, str(EXAMPLE)]) == 0
    assert TEXT_FORMS[form] in capsys.readouterr().out


@pytest.mark.parametrize("form", ["notice", "letter"])
def test_pdf_forms_in_large_print(form, tmp_path, capsys):
    normal, large = tmp_path / "normal.pdf", tmp_path / "large.pdf"
    assert main(["render", "--channel", form, "-o", str(normal), str(EXAMPLE)]) == 0
    assert main(["render", "--channel", form, "--large-print", "-o", str(large), str(EXAMPLE)]) == 0
    assert "wrote" in capsys.readouterr().out
    assert len(PdfReader(large).pages) >= len(PdfReader(normal).pages)
    text = " ".join(PdfReader(large).pages[0].extract_text().split())
    assert "Coupure d’eau" in text
    if form == "letter":
        assert "DESTINATAIRE EXEMPLE" in text


def test_an_unknown_form_is_one_line(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["render", "--channel", "telegraph", str(EXAMPLE)])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1
