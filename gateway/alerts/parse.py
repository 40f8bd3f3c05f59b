"""Untrusted CAP 1.2 XML → an `Alert` value, or one `CapError` line naming the element and the
rule it breaks. defusedxml refuses DTDs, entities and external references; the size is capped
before parsing; the spec's prose rules are checked here, the schema's by `validate_schema`."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml
from defusedxml.ElementTree import fromstring

from gateway.alerts.values import (
    CAP_TIME,
    CATEGORIES,
    CERTAINTIES,
    FORBIDDEN_IN_ID,
    MSG_TYPES,
    NS,
    RESPONSE_TYPES,
    SCOPES,
    SEVERITIES,
    STATUSES,
    URGENCIES,
    Alert,
    Area,
    Info,
    reference_key,
)

MAX_BYTES = 1024 * 1024  # a CAP alert is a few kilobytes; MeteoAlarm's largest are ~100 kB
MAX_ID = 200  # identifier, sender: what Crieur stores (real ones are under 100)
SCHEMA = Path(__file__).with_name("cap12.xsd")
OTHER_CAP = {
    "urn:oasis:names:tc:emergency:cap:1.1": "CAP 1.1",
    "urn:oasis:names:tc:emergency:cap:1.0": "CAP 1.0",
    "http://www.incident.com/cap/1.0": "CAP 1.0",
}


class CapError(ValueError):
    """The document is not a CAP 1.2 alert we accept; `str()` is one line: element: rule."""

    def __init__(self, element: str, rule: str) -> None:
        super().__init__(f"{element}: {rule}")
        self.element = element
        self.rule = rule


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def parse_xml(data: bytes | str, *, what: str = "alert") -> Element:
    """The root element of an untrusted XML document (size-limited, no DTD nor entities)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_BYTES:
        raise CapError(what, f"larger than {MAX_BYTES // 1024} kB ({len(data)} bytes); refused")
    if not data.strip():
        raise CapError(what, "the document is empty")
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DTDForbidden:
        raise CapError("DOCTYPE", "a DTD is refused (CAP never needs one)") from None
    except defusedxml.EntitiesForbidden as exc:
        raise CapError("ENTITY", f"entity declarations are refused ({exc.name})") from None
    except defusedxml.ExternalReferenceForbidden:
        raise CapError("ENTITY", "external references are refused") from None
    except defusedxml.DefusedXmlException as exc:
        raise CapError("XML", f"refused ({type(exc).__name__})") from None
    except ParseError as exc:
        line, column = exc.position
        raise CapError("XML", f"not well-formed at line {line}, column {column}") from None
    except LookupError as exc:  # an encoding Python does not know
        raise CapError("XML", f"unknown encoding ({exc})") from None
    except ValueError as exc:
        raise CapError("XML", f"unreadable ({exc})") from None


def parse_alert(data: bytes | str) -> Alert:
    """A CAP 1.2 alert, checked against the spec's rules (CapError otherwise)."""
    root = parse_xml(data)
    namespace, _, tag = root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", "")
    if not namespace:
        tag = root.tag
    if namespace in OTHER_CAP:
        raise CapError("alert", f"this is {OTHER_CAP[namespace]}; only CAP 1.2 ({NS}) is read")
    if tag != "alert" or namespace != NS:
        found = f"<{tag}>" + (f" in namespace {namespace}" if namespace else " without namespace")
        raise CapError("alert", f"the root element must be <alert> in namespace {NS} ({found})")
    alert = _alert(root)
    validate_schema(data)
    _rules(alert, root)
    return alert


def _text(node: Element, name: str, *, required: str = "") -> str:
    child = node.find(_q(name))
    value = (child.text or "").strip() if child is not None else ""
    if required and not value:
        raise CapError(name, f"required in <{required}>, missing or empty")
    return value


def _texts(node: Element, name: str) -> tuple[str, ...]:
    return tuple((c.text or "").strip() for c in node.findall(_q(name)))


def _one_of(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise CapError(name, f"{value!r} is not one of {', '.join(allowed)}")
    return value


def _time(name: str, value: str) -> str:
    if value and not CAP_TIME.match(value):
        raise CapError(
            name, f"{value!r} is not a date-time with a numeric offset (Z is not allowed in CAP)"
        )
    return value


def _alert(root: Element) -> Alert:
    identifier = _text(root, "identifier", required="alert")
    sender = _text(root, "sender", required="alert")
    for name, value in (("identifier", identifier), ("sender", sender)):
        if FORBIDDEN_IN_ID.search(value):
            raise CapError(name, "must not contain spaces, commas, < or &")
        if len(value) > MAX_ID:
            raise CapError(name, f"longer than {MAX_ID} characters ({len(value)})")
    sent = _time("sent", _text(root, "sent", required="alert"))
    references = tuple(_text(root, "references").split())
    for reference in references:
        try:
            reference_key(reference)
        except ValueError:
            raise CapError("references", f"{reference!r} is not sender,identifier,sent") from None
    return Alert(
        identifier=identifier,
        sender=sender,
        sent=sent,
        status=_one_of("status", _text(root, "status", required="alert"), STATUSES),
        msg_type=_one_of("msgType", _text(root, "msgType", required="alert"), MSG_TYPES),
        scope=_one_of("scope", _text(root, "scope", required="alert"), SCOPES),
        references=references,
        incidents=_text(root, "incidents"),
        note=_text(root, "note"),
        infos=tuple(_info(node) for node in root.findall(_q("info"))),
    )


def _info(node: Element) -> Info:
    categories = _texts(node, "category")
    if not categories:
        raise CapError("category", "at least one is required in <info>")
    for category in categories:
        _one_of("category", category, CATEGORIES)
    responses = _texts(node, "responseType")
    for response in responses:
        _one_of("responseType", response, RESPONSE_TYPES)
    return Info(
        language=_text(node, "language") or "en-US",
        categories=categories,
        event=_text(node, "event", required="info"),
        urgency=_one_of("urgency", _text(node, "urgency", required="info"), URGENCIES),
        severity=_one_of("severity", _text(node, "severity", required="info"), SEVERITIES),
        certainty=_certainty(_text(node, "certainty", required="info")),
        response_types=responses,
        effective=_time("effective", _text(node, "effective")),
        expires=_time("expires", _text(node, "expires")),
        sender_name=_text(node, "senderName"),
        headline=_text(node, "headline"),
        description=_text(node, "description"),
        instruction=_text(node, "instruction"),
        web=_text(node, "web"),
        contact=_text(node, "contact"),
        areas=tuple(_area(a) for a in node.findall(_q("area"))),
    )


def _certainty(value: str) -> str:
    # "Very Likely" was CAP 1.0's; 1.2 keeps it readable as Likely (spec 3.2.2).
    return "Likely" if value == "Very Likely" else _one_of("certainty", value, CERTAINTIES)


def _area(node: Element) -> Area:
    geocodes = []
    for geocode in node.findall(_q("geocode")):
        geocodes.append(
            (
                _text(geocode, "valueName", required="geocode"),
                _text(geocode, "value", required="geocode"),
            )
        )
    return Area(
        desc=_text(node, "areaDesc", required="area"),
        polygons=_texts(node, "polygon"),
        geocodes=tuple(geocodes),
    )


def _rules(alert: Alert, root: Element) -> None:
    """The spec's rules the schema cannot say."""
    if alert.scope == "Restricted" and not _text(root, "restriction"):
        raise CapError("restriction", "required when scope is Restricted")
    if alert.scope == "Private" and not _text(root, "addresses"):
        raise CapError("addresses", "required when scope is Private")
    if alert.msg_type in ("Update", "Cancel", "Ack", "Error") and not alert.references:
        raise CapError("references", f"required in a msgType {alert.msg_type} alert")
    for info in alert.infos:
        for area in info.areas:
            for polygon in area.polygons:
                _polygon(polygon)


def _polygon(polygon: str) -> None:
    points = polygon.split()
    if len(points) < 4 or points[0] != points[-1]:
        raise CapError("polygon", "needs at least 4 points, the first equal to the last")
    for point in points:
        try:
            lat, lon = (float(v) for v in point.split(","))
        except ValueError:
            raise CapError("polygon", f"{point!r} is not latitude,longitude") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise CapError("polygon", f"{point!r} is outside the WGS 84 range")


@cache
def _schema():
    try:
        from lxml import etree
    except ImportError:  # pragma: no cover - lxml is a dependency
        return None
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def validate_schema(data: bytes | str) -> None:
    """Check the document against cap12.xsd (CapError naming the first problem).

    The document was already parsed by defusedxml (no DTD, no entity): lxml only validates it.
    """
    schema = _schema()
    if schema is None:
        return
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        document = etree.fromstring(data.encode() if isinstance(data, str) else data, parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise CapError("XML", f"not readable as XML ({str(exc).splitlines()[0]})") from None
    if schema.validate(document):
        return
    error = schema.error_log.filter_from_errors()[0]
    raise CapError(_element(error.message), f"{_rule(error.message)} (line {error.line})")


def _element(message: str) -> str:
    # lxml: "Element '{urn:…}sent': [facet 'pattern'] The value …"
    if message.startswith("Element '"):
        name = message.split("'", 2)[1]
        return name.rpartition("}")[2]
    return "alert"


def _rule(message: str) -> str:
    rule = message.split(": ", 1)[1] if message.startswith("Element '") else message
    return rule.replace(f"{{{NS}}}", "").rstrip(".")
