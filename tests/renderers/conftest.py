"""Renderer fixtures."""

from __future__ import annotations

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from renderers import i18n


@pytest.fixture(scope="session")
def compiled_catalogs():
    """Checks in other languages need the .mo files, which the build makes and git ignores."""
    for po_path in i18n.LOCALES_DIR.glob("*/LC_MESSAGES/crieur.po"):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with po_path.with_suffix(".mo").open("wb") as mo_file:
            write_mo(mo_file, catalog)
    i18n.translations.cache_clear()
