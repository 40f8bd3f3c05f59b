"""Templates translate through the one catalog with `{% t %}`, and pybabel extracts them."""

import io

from django.template import Context, Template
from django.utils import translation

from gateway.i18n_extract import extract
from renderers.i18n import gettext

SOURCE = "{% load crieur %}<p>{% t \"Choix non reconnu.\" %}</p>\n{% t 'Bonjour {name}' name=who %}"


def test_tag_uses_the_catalog_of_the_active_language():
    with translation.override("en"):
        html = Template(SOURCE).render(Context({"who": "<b>Ana</b>"}))
    assert gettext("en", "Choix non reconnu.") in html
    assert "Choix non reconnu" not in html
    assert "&lt;b&gt;Ana&lt;/b&gt;" in html  # fields are escaped


def test_tag_keeps_french_source_words():
    with translation.override("fr"):
        html = Template(SOURCE).render(Context({"who": "Ana"}))
    assert "Choix non reconnu." in html
    assert "Bonjour Ana" in html


def test_extractor_finds_every_tag_with_its_line():
    found = list(extract(io.BytesIO(SOURCE.encode()), None, None, {}))
    assert [(line, msg[1]) for line, _, msg, _ in found] == [
        (1, "Choix non reconnu."),
        (2, "Bonjour {name}"),
    ]
