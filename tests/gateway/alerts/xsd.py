"""The OASIS schema, applied with lxml independently of the gateway's own checks."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

SCHEMA = Path(__file__).resolve().parents[3] / "gateway" / "alerts" / "cap12.xsd"
NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def assert_valid(xml: str | bytes) -> etree._Element:
    """The document, after asserting it validates against cap12.xsd and CAP's prose rules."""
    document = etree.fromstring(xml.encode() if isinstance(xml, str) else xml)
    assert schema().validate(document), schema().error_log
    for name in ("sent", "effective", "onset", "expires"):
        for node in document.iter(f"{{{NS['cap']}}}{name}"):
            assert not node.text.endswith("Z"), node.text
    for name in ("identifier", "sender"):
        text = document.findtext(f"cap:{name}", namespaces=NS)
        assert not any(c in text for c in " ,<&"), text
    return document


def text(document, path: str) -> str:
    return document.findtext(path, namespaces=NS)


def texts(document, path: str) -> list[str]:
    return [n.text for n in document.findall(path, namespaces=NS)]
