"""An `Alert` value → CAP 1.2 XML, children in the schema's order (no Django)."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

from gateway.alerts.values import NS, Alert, Area, Info

# Characters XML 1.0 cannot carry (a pasted text may hold a vertical tab or a form feed).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _add(parent: ET.Element, name: str, text: str | None) -> None:
    if text:
        ET.SubElement(parent, f"{{{NS}}}{name}").text = NOT_XML.sub(" ", text)


def _area(parent: ET.Element, area: Area) -> None:
    node = ET.SubElement(parent, f"{{{NS}}}area")
    _add(node, "areaDesc", area.desc)
    for polygon in area.polygons:
        _add(node, "polygon", polygon)
    for name, value in area.geocodes:
        geocode = ET.SubElement(node, f"{{{NS}}}geocode")
        _add(geocode, "valueName", name)
        _add(geocode, "value", value)


def _info(parent: ET.Element, info: Info) -> None:
    node = ET.SubElement(parent, f"{{{NS}}}info")
    _add(node, "language", info.language)
    for category in info.categories:
        _add(node, "category", category)
    _add(node, "event", info.event)
    for response in info.response_types:
        _add(node, "responseType", response)
    _add(node, "urgency", info.urgency)
    _add(node, "severity", info.severity)
    _add(node, "certainty", info.certainty)
    _add(node, "effective", info.effective)
    _add(node, "expires", info.expires)
    _add(node, "senderName", info.sender_name)
    _add(node, "headline", info.headline)
    _add(node, "description", info.description)
    _add(node, "instruction", info.instruction)
    _add(node, "web", info.web)
    _add(node, "contact", info.contact)
    for area in info.areas:
        _area(node, area)


def to_xml(alert: Alert) -> bytes:
    """The alert as a UTF-8 XML document."""
    root = ET.Element(f"{{{NS}}}alert")
    for name, value in (
        ("identifier", alert.identifier),
        ("sender", alert.sender),
        ("sent", alert.sent),
        ("status", alert.status),
        ("msgType", alert.msg_type),
        ("scope", alert.scope),
        ("note", alert.note),
        ("references", " ".join(alert.references)),
        ("incidents", alert.incidents),
    ):
        _add(root, name, value)
    for info in alert.infos:
        _info(root, info)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True, default_namespace=NS) + b"\n"
