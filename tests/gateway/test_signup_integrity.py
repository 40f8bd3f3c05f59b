"""Issue 14, the public sign-up: opaque preference links that expire (1), a sign-up never
removes what an agent stored (3), code attempts counted atomically (5), no session for an
anonymous visit (14), the countries an organisation serves and the daily cost of codes (15)."""

from __future__ import annotations

import base64
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import time_machine
from django.contrib.sessions.models import Session
from django.core import signing
from django.test import Client
from lxml import html

from gateway.models import Citizen, Consent, Organisation
from tests.factories import create_api_key, create_citizen, create_organisation
from tests.gateway.audience import SIGN_UP, api_client, post_json, sent_codes, sign_up
from tests.gateway.serverproc import ServerProcess

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_buckets")]


@pytest.fixture
def org():
    return create_organisation()


def preferences_link(done) -> str:
    assert done.status_code == 200, done.content.decode()[:500]
    [link] = [
        a for a in html.fromstring(done.content).xpath("//main//a/@href") if "preferences" in a
    ]
    return link


def reachable(citizen: Citizen) -> set[str]:
    """The channels the record can reach: what a granted consent needs."""
    found = set()
    if citizen.phone:
        found.add("voice")
        if citizen.is_mobile:
            found.add("sms")
    if citizen.address_lines:
        found.add("post")
    return found


def granted(citizen: Citizen) -> set[str]:
    return set(
        Consent.objects.filter(citizen=citizen, granted=True).values_list("channel", flat=True)
    )


# item 1 ---------------------------------------------------------------------------------------


def test_item1_a_link_signed_the_old_way_opens_nothing(org):
    citizen = create_citizen(org, channels=("sms", "voice"))
    forged = signing.dumps(citizen.reference, salt="crieur.preferences")
    page = Client().get(f"/inscription/preferences/{forged}/")
    assert page.status_code == 410
    assert "expiré" in page.content.decode()
    left = Client().post(f"/inscription/preferences/{forged}/", {"leave": "yes"})
    assert left.status_code == 410
    assert granted(citizen) == {"sms", "voice"}


def test_item1_preference_links_are_opaque_and_expire(org):
    link = preferences_link(sign_up())
    citizen = Citizen.objects.get()
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert citizen.reference not in token
    decoded = base64.urlsafe_b64decode(token.split(":")[0] + "=" * (-len(token) % 4))
    assert citizen.reference.encode() not in decoded
    assert Client().get(link).status_code == 200
    with time_machine.travel(time.time() + 366 * 86400, tick=False):
        expired = Client().get(link)
        assert expired.status_code == 410 and "expiré" in expired.content.decode()
        assert Client().post(link, {"leave": "yes"}).status_code == 410
    assert granted(citizen) == {"sms"}


# item 3 ---------------------------------------------------------------------------------------


def test_item3_sign_up_never_removes_what_an_agent_stored(org):
    agent = api_client(create_api_key(org))
    stored = post_json(
        agent,
        "/api/citizens",
        {
            "name": "Anne Dupont",
            "phone": "06 12 34 56 78",
            "address_lines": ["5 rue des Lilas"],
            "postcode": "49123",
            "city": "Saint-Crieur",
            "channels": ["voice", "post"],
            "topics": ["travaux"],
            "area": "centre",
            "large_print": True,
        },
    )
    assert stored.status_code == 201, stored.json()
    before = Citizen.objects.get()
    done = sign_up(name="A. D.", channels=["sms"], topics=["eau"], area="nord", language="en")
    preferences_link(done)
    citizen = Citizen.objects.get()
    assert citizen.pk == before.pk
    assert citizen.name == "Anne Dupont"
    assert citizen.address_lines == before.address_lines
    assert citizen.large_print
    assert citizen.area.slug == "centre"
    assert citizen.channels == ["voice", "post", "sms"]
    assert set(citizen.topics.values_list("slug", flat=True)) == {"travaux", "eau"}
    assert citizen.language == "en"  # a citizen may change their language
    assert granted(citizen) == {"voice", "post", "sms"}
    assert granted(citizen) <= reachable(citizen)


def test_item3_sign_up_fills_what_was_empty_and_stays_consistent(org):
    known = create_citizen(org, phone="+33612345678", channels=("sms",), name="", area=None)
    done = sign_up(
        channels=["sms", "post"], address1="5 rue des Lilas", postcode="49123", city="Saint-Crieur"
    )
    preferences_link(done)
    known.refresh_from_db()
    assert known.name == "Anne Dupont" and known.area.slug == "centre"
    assert known.address_lines == ["5 rue des Lilas", "49123 Saint-Crieur"]
    assert granted(known) == {"sms", "post"} <= reachable(known)


# item 5 ---------------------------------------------------------------------------------------


@pytest.fixture
def server(tmp_path, settings):
    process = ServerProcess(tmp_path / "data", settings.OUTBOX_DIR).start()
    yield process
    output = process.stop()
    assert "Traceback" not in output, output


@pytest.mark.django_db(transaction=True)
def test_item5_code_attempts_are_counted_atomically_under_parallel_requests(server):
    create_organisation()
    web = requests.Session()
    form = web.get(server.url + "/inscription/")
    token = html.fromstring(form.content).xpath("//input[@name='csrfmiddlewaretoken']/@value")[0]
    started = web.post(
        server.url + "/inscription/",
        data={**SIGN_UP, "csrfmiddlewaretoken": token},
        headers={"Referer": server.url + "/inscription/"},
        allow_redirects=False,
    )
    assert started.status_code == 302, started.text[:500]
    [code] = sent_codes()
    wrong = "000000" if code != "000000" else "111111"

    def attempt(value: str) -> int:
        return web.post(
            server.url + "/inscription/code/",
            data={"code": value, "csrfmiddlewaretoken": token},
            headers={"Referer": server.url + "/inscription/code/"},
        ).status_code

    # 10 at once: the development server's listen backlog is 10 connections.
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(attempt, [wrong] * 30))
    assert statuses.count(422) == 5, statuses  # five wrong codes checked, no more
    assert set(statuses) == {422, 410}, statuses
    assert attempt(code) == 410  # the right code no longer passes
    assert not Citizen.objects.exists()


# item 14 --------------------------------------------------------------------------------------


def test_item14_anonymous_gets_of_public_pages_create_no_session(org):
    citizen = create_citizen(org)
    from gateway.public.signup import preferences_url

    link = preferences_url(citizen)
    for path in (
        "/inscription/",
        "/inscription/?lang=en",
        "/inscription/code/",
        link,
        "/v/NOPE-NOPE",
    ):
        for _ in range(5):
            response = Client().get(path)
            assert response.status_code < 500
            assert "sessionid" not in response.cookies, path
    assert Session.objects.count() == 0


def test_item14_the_language_chosen_survives_posting_the_form(org):
    client = Client()
    client.get("/inscription/?lang=en")
    refused = client.post("/inscription/?lang=en", {**SIGN_UP, "consent": ""})
    assert refused.status_code == 422
    assert html.fromstring(refused.content).get("lang") == "en"


# item 15 --------------------------------------------------------------------------------------


@pytest.mark.parametrize("phone", ["+44 7400 123456", "+234 803 123 4567", "+63 917 123 4567"])
def test_item15_sign_up_refuses_a_country_the_organisation_does_not_serve(org, phone):
    refused = Client().post("/inscription/?lang=en", {**SIGN_UP, "phone": phone})
    assert refused.status_code == 422
    page = html.fromstring(refused.content)
    assert page.xpath("//*[@id='phone-error-1']"), refused.content.decode()[:800]
    assert "country" in page.xpath("string(//*[@id='phone-error-1'])")
    assert sent_codes() == []


def test_item15_an_organisation_lists_the_countries_it_serves(org):
    admin = api_client(create_api_key(org))
    assert admin.get("/api/organisation").json()["countries"] == ["FR"]
    changed = admin.patch(
        "/api/organisation", {"countries": ["FR", "GB"]}, content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["countries"] == ["FR", "GB"]
    bad = admin.patch("/api/organisation", {"countries": ["QQ"]}, content_type="application/json")
    assert bad.status_code == 422 and "countries" in bad.json()["detail"]
    assert (
        Client().post("/inscription/", {**SIGN_UP, "phone": "+44 7400 123456"}).status_code == 302
    )


def test_item15_the_daily_cost_of_codes_is_bounded(org):
    Organisation.objects.filter(pk=org.pk).update(signup_codes_per_day=2)
    for n in range(2):
        client = Client(REMOTE_ADDR=f"10.0.0.{n}")
        assert (
            client.post("/inscription/", {**SIGN_UP, "phone": f"06 12 34 56 7{n}"}).status_code
            == 302
        )
    refused = Client(REMOTE_ADDR="10.0.0.9").post(
        "/inscription/?lang=en", {**SIGN_UP, "phone": "06 12 34 56 79"}
    )
    assert refused.status_code == 429
    assert "today" in refused.content.decode()
    assert len(sent_codes()) == 2
    with time_machine.travel(time.time() + 86400, tick=False):
        later = Client(REMOTE_ADDR="10.0.1.1").post(
            "/inscription/", {**SIGN_UP, "phone": "06 12 34 56 79"}
        )
        assert later.status_code == 302
