"""Issue 14, the property: over random sequences of import, sign-up, paper form, keyword,
edit and erase on one phone, no field an agent or a citizen set is lost without an explicit
change by someone allowed to make it, every consent can reach the citizen, and a phone that
said STOP is never texted again (asked of the planner) until the citizen asks again."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway import ratelimit
from gateway.models import Citizen, Consent
from gateway.routing.planning import routes_for
from tests.factories import create_announcement, create_api_key, create_organisation
from tests.gateway.audience import (
    PUBLIC,
    SENDER,
    TOKEN,
    api_client,
    post_json,
    put_json,
    sign_up,
    text,
)

pytestmark = pytest.mark.django_db
PHONE = "+33612345678"
REFERENCE = "P-1"
FIELDS = ("name", "phone", "address_lines", "area", "language", "channels", "topics")

names = st.sampled_from(["Anne Dupont", "Anne Martin", ""])
phones = st.sampled_from(["06 12 34 56 78", ""])
channel_lists = st.lists(
    st.sampled_from(["sms", "voice", "post"]), min_size=1, max_size=3, unique=True
)
topic_lists = st.lists(st.sampled_from(["travaux", "eau"]), max_size=2, unique=True)
areas = st.sampled_from(["centre", "nord", ""])
addresses = st.sampled_from([("5 rue des Lilas", "49123", "Saint-Crieur"), ("", "", "")])
languages = st.sampled_from(["fr", "en"])

IMPORT = st.fixed_dictionaries(
    {
        "kind": st.just("import"),
        "target": st.sampled_from(["P-1", "first"]),
        "columns": st.lists(
            st.sampled_from(["name", "phone", "channels", "topics", "area", "address"]), unique=True
        ),
        "name": names,
        "phone": phones,
        "channels": channel_lists,
        "topics": topic_lists,
        "area": areas,
        "address": addresses,
    }
)
EDIT = st.fixed_dictionaries(
    {
        "kind": st.just("edit"),
        "target": st.sampled_from(["P-1", "first"]),
        "columns": st.lists(
            st.sampled_from(["name", "phone", "channels", "topics", "area", "address", "language"]),
            unique=True,
        ),
        "name": names,
        "phone": phones,
        "channels": channel_lists,
        "topics": topic_lists,
        "area": areas,
        "address": addresses,
        "language": languages,
    }
)
PAPER = st.fixed_dictionaries(
    {
        "kind": st.just("paper"),
        "name": names,
        "phone": phones,
        "channels": channel_lists,
        "topics": topic_lists,
        "area": areas,
        "address": addresses,
        "choice": st.sampled_from(["merge", "new"]),
    }
)
SIGN_UP = st.fixed_dictionaries(
    {
        "kind": st.just("signup"),
        "name": names,
        "channels": channel_lists,
        "topics": topic_lists,
        "language": languages,
        "area": areas,
    }
)
KEYWORD = st.fixed_dictionaries(
    {
        "kind": st.just("keyword"),
        "text": st.sampled_from(["STOP", "START", "INSCRIPTION TRAVAUX", "LANGUE EN", "ARRET"]),
    }
)
ERASE = st.fixed_dictionaries({"kind": st.just("erase")})
OPERATIONS = st.lists(
    st.one_of(IMPORT, EDIT, PAPER, SIGN_UP, KEYWORD, ERASE), min_size=1, max_size=7
)


@pytest.fixture(autouse=True)
def _twilio(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.PUBLIC_URL = PUBLIC


def snapshot() -> dict[int, dict]:
    found = {}
    for citizen in Citizen.objects.order_by("pk"):
        found[citizen.pk] = {
            "name": citizen.name,
            "phone": citizen.phone,
            "address_lines": citizen.address_lines,
            "area": citizen.area_id,
            "language": citizen.language,
            "channels": citizen.channels,
            "topics": set(citizen.topics.values_list("slug", flat=True)),
            "consents": dict(
                Consent.objects.filter(citizen=citizen).values_list("channel", "granted")
            ),
            "erased": citizen.erased_at is not None,
            "reference": citizen.reference,
            "mobile": citizen.is_mobile,
        }
    return found


def reachable(row: dict) -> set[str]:
    found = set()
    if row["phone"]:
        found |= {"voice", "sms"} if row["mobile"] else {"voice"}
    if row["address_lines"]:
        found.add("post")
    return found


def address_of(op) -> dict:
    line, postcode, city = op["address"]
    return {"address_lines": [line] if line else [], "postcode": postcode, "city": city}


def target_reference(op, mine) -> str:
    """P-1, or the first citizen stored with the phone (created by any way in)."""
    first = mine.filter(phone=PHONE).order_by("pk").first()
    return first.reference if op["target"] == "first" and first else REFERENCE


def run(op, admin) -> tuple[str, set[int]]:
    """Apply one operation; (who acted, the citizens it explicitly targets)."""
    kind = op["kind"]
    mine = Citizen.objects.filter(erased_at__isnull=True)
    if kind in ("import", "edit"):
        reference = target_reference(op, mine)
    if kind == "import":
        columns = ["reference"]
        cells = [reference]
        for column in op["columns"]:
            if column == "address":
                line, postcode, city = op["address"]
                columns += ["address1", "postcode", "city"]
                cells += [line, postcode, city]
            else:
                value = op[column]
                columns.append(column)
                cells.append(" ".join(value) if isinstance(value, list) else value)
        csv = ",".join(columns) + "\n" + ",".join(cells) + "\n"
        file = SimpleUploadedFile("a.csv", csv.encode(), content_type="text/csv")
        admin.post("/api/citizens/import", {"file": file})
        return "agent", set(mine.filter(reference=reference).values_list("pk", flat=True))
    if kind == "edit":
        body = {}
        for column in op["columns"]:
            body.update(address_of(op) if column == "address" else {column: op[column]})
        put_json(admin, f"/api/citizens/{reference}", body)
        return "agent", set(mine.filter(reference=reference).values_list("pk", flat=True))
    if kind == "paper":
        body = {
            "name": op["name"],
            "phone": op["phone"],
            "channels": op["channels"],
            "topics": op["topics"],
            "area": op["area"],
            **address_of(op),
            "form_reference": "PF",
            "signed_on": "2026-11-18",
        }
        response = post_json(admin, "/api/citizens/paper-forms", body)
        if response.status_code == 409:
            candidate = response.json()["candidates"][0]["reference"]
            extra = {"merge_into": candidate} if op["choice"] == "merge" else {"confirm_new": True}
            post_json(admin, "/api/citizens/paper-forms", {**body, **extra})
            if op["choice"] == "merge":
                return "merge", set(mine.filter(reference=candidate).values_list("pk", flat=True))
        return "agent", set()
    if kind == "signup":
        form = {
            "name": op["name"],
            "channels": op["channels"],
            "topics": op["topics"],
            "language": op["language"],
            "area": op["area"],
        }
        if "post" in op["channels"]:
            form.update(address1="5 rue des Lilas", postcode="49123", city="Saint-Crieur")
        done = sign_up(**form)
        return ("citizen" if done.status_code == 200 else "nobody"), set(
            mine.filter(phone=PHONE).values_list("pk", flat=True)
        )
    if kind == "keyword":
        text(op["text"], phone=PHONE)
        return "keyword:" + op["text"], set(mine.filter(phone=PHONE).values_list("pk", flat=True))
    target = (
        mine.filter(reference=REFERENCE).first() or mine.filter(phone=PHONE).order_by("pk").first()
    )
    if target is not None:
        admin.post(f"/api/citizens/{target.reference}/erase")
        return "erase", {target.pk}
    return "erase", set()


def changed_only_as_allowed(who: str, op, before: dict, after: dict) -> None:
    kind = op["kind"]
    explicit = set()
    if who == "agent" and kind in ("import", "edit"):
        explicit = {"address_lines" if c == "address" else c for c in op["columns"]}
    if who == "merge":
        explicit = {"channels", "topics"}
        explicit |= {f for f in ("name", "phone", "area") if op[f]}
        explicit |= {"address_lines"} if op["address"][0] else set()
    for field in FIELDS:
        if field in explicit or before[field] == after[field]:
            continue
        if who == "citizen" and field == "language":
            continue
        if who in ("citizen", "merge") or who.startswith("keyword:"):
            if field in ("channels",) and set(before[field]) <= set(after[field]):
                continue
            if field == "topics" and before[field] <= after[field]:
                continue
            if (
                who == "citizen"
                and field in ("name", "area", "address_lines")
                and not before[field]
            ):
                continue
            if who == "keyword:LANGUE EN" and field == "language":
                continue
        raise AssertionError(f"{who} {kind} changed {field}: {before[field]!r} → {after[field]!r}")
    for channel, was in before["consents"].items():
        now = after["consents"].get(channel)
        if who == "agent" or who == "merge":
            assert now == was, f"{who} {kind} changed the {channel} consent {was} → {now}"
        elif who.startswith("keyword:") and op["text"] in ("STOP", "ARRET"):
            assert now == (False if channel == "sms" else was)


@given(operations=OPERATIONS)
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_property_no_field_is_lost_and_an_opted_out_phone_is_never_texted(operations, monkeypatch):
    with transaction.atomic():
        buckets = ratelimit.MemoryBackend()  # fresh for each example
        monkeypatch.setattr(ratelimit, "backend", lambda: buckets)
        org = create_organisation(sms_sender=SENDER)
        admin = api_client(create_api_key(org))
        alert = create_announcement(org, urgency="urgent", topics=[])
        stopped = False
        for op in operations:
            before = snapshot()
            who, targets = run(op, admin)
            after = snapshot()
            for pk, row in before.items():
                if row["erased"]:
                    assert after[pk]["erased"] and not after[pk]["phone"]
                    continue
                if pk in targets and who == "erase":
                    continue
                if pk not in targets:
                    assert after[pk] == row, f"{op} changed {row['reference']}"
                else:
                    changed_only_as_allowed(who, op, row, after[pk])
            for row in after.values():
                granted = {c for c, g in row["consents"].items() if g}
                assert granted <= reachable(row), (op, row)
            if who in ("keyword:STOP", "keyword:ARRET"):
                stopped = True
            elif who in ("keyword:START", "keyword:INSCRIPTION TRAVAUX"):
                stopped = False
            elif who == "citizen" and "sms" in op["channels"]:
                stopped = False  # a verified sign-up asking for SMS again
            if stopped:
                texted = {route.citizen_id for route in routes_for(alert) if route.channel == "sms"}
                phones = set(Citizen.objects.filter(pk__in=texted).values_list("phone", flat=True))
                assert PHONE not in phones, (operations, op)
        transaction.set_rollback(True)
