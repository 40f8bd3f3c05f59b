"""Issue 14 item 11: a full day of traffic at DEBUG through real processes (`crieur web`
behind its gunicorn access log, a `crieur worker`), over the API, the console, the public pages
and the Twilio hooks, and not one phone number (in any of its written forms), address line or
searched name in anything they wrote. Django's development server (`django.server`) too."""

from __future__ import annotations

import io
import logging
import re
import threading
import time
from urllib.parse import quote

import httpx
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from twilio.request_validator import RequestValidator

from gateway.models import Announcement, ApiKey, Delivery, Role, Status
from tests.factories import ANNOUNCEMENT, create_organisation, create_user
from tests.fakes.twilio import FakeTwilio
from tests.gateway.webproc import Process, WebProcess
from tests.gateway.workerproc import SENDER

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PUBLIC = "http://crieur.test"  # what the web process believes its public address is
MOBILE, LANDLINE, SIGNUP = "+33698765432", "+33145678901", "+33611223344"
NAME, OTHER_NAME = "Yvonne Kerhervé", "Gwenaël Le Dantec"
ADDRESS = ["12 impasse des Glycines", "Bâtiment Hortensia"]
POSTCODE, CITY = "49123", "SAINT CRIEUR"


def written_forms(phone: str) -> list[str]:
    """+33698765432 as people and programs write it."""
    national = "0" + phone[3:]
    pairs = [national[i : i + 2] for i in range(0, 10, 2)]
    return [
        phone,
        phone[1:],
        phone[3:],
        "00" + phone[1:],
        national,
        " ".join(pairs),
        ".".join(pairs),
        "-".join(pairs),
        f"+33 {national[1]} " + " ".join(pairs[1:]),
        quote(phone),
        quote(" ".join(pairs)),
    ]


def forbidden() -> list[str]:
    words = [w for p in (MOBILE, LANDLINE, SIGNUP) for w in written_forms(p)]
    words += [*ADDRESS, "impasse des Glycines", f"{POSTCODE} {CITY}", "Kerherv", "Dantec"]
    words += [quote(NAME), quote(NAME).replace("%20", "+"), "Yvonne"]
    return words


def assert_nothing_personal(text: str, where: str) -> None:
    for word in forbidden():
        assert word not in text, (where, word, _around(text, word))


def _around(text: str, word: str) -> str:
    at = text.find(word)
    return text[max(0, at - 200) : at + 200]


def signed(url: str, params: dict, token: str) -> dict[str, str]:
    return {"X-Twilio-Signature": RequestValidator(token).compute_signature(url, params)}


def test_a_full_day_of_traffic_at_debug_writes_no_personal_data(tmp_path):
    org = create_organisation()
    org.sms_sender = SENDER
    org.save()
    author = create_user(org, Role.ADMIN)
    approver = create_user(org, Role.APPROVER)
    author_key = ApiKey.issue(org, author, "a")[1]
    approver_key = ApiKey.issue(org, approver, "b")[1]

    with FakeTwilio() as fake:
        env = {
            "CRIEUR_LOG_LEVEL": "DEBUG",
            "CRIEUR_PUBLIC_URL": PUBLIC,
            "CRIEUR_OUTBOX_DIR": str(tmp_path / "outbox"),
            "TWILIO_ACCOUNT_SID": fake.account_sid,
            "TWILIO_AUTH_TOKEN": fake.auth_token,
            "TWILIO_FROM_NUMBER": SENDER,
            "TWILIO_BASE_URL": fake.base_url,
        }
        web = WebProcess("--workers", "1", "--threads", "4", **env).start()
        worker = Process("worker", "--loglevel", "DEBUG", "--concurrency", "2", **env).start()
        try:
            _day(web.url, fake, author_key, approver_key, author.username)
        finally:
            web_output, worker_output = web.stop(), worker.stop()

    assert '"GET /v/' in web_output, "the access log is not written: nothing was checked"
    assert "DEBUG" in worker_output, "the worker did not log at DEBUG"
    assert_nothing_personal(web_output, "crieur web")
    assert_nothing_personal(worker_output, "crieur worker")
    assert "[redacted]" in web_output  # the request lines were there, redacted


def _day(url, fake, author_key, approver_key, username):
    api = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {author_key}"})
    # morning: the front desk enters citizens through the API, one way of writing each
    for reference, phone, channels in (
        ("R-MOBILE", "06 98 76 54 32", ["sms", "post"]),
        ("R-LAND", "01.45.67.89.01", ["voice"]),
    ):
        created = api.post(
            "/api/citizens",
            json={"reference": reference, "name": NAME, "phone": phone, "channels": channels,
                  "address_lines": ADDRESS, "postcode": POSTCODE, "city": CITY},
        )  # fmt: skip
        assert created.status_code in (200, 201), created.text
    assert api.get("/api/citizens/R-MOBILE").status_code == 200
    assert api.get("/api/citizens/R-MOBILE/export").status_code == 200
    bad = api.post("/api/citizens", json={"name": OTHER_NAME, "phone": "+33 6 11 2", "channels":
                                          ["sms"], "address_lines": ["x" * 60]})  # fmt: skip
    assert bad.status_code == 422

    # an urgent announcement, approved, published: SMS, a call, a letter printed at once
    urgent = {**ANNOUNCEMENT, "urgency": "urgent"}
    pk = api.post("/api/announcements", json=urgent).json()["id"]
    assert api.post(f"/api/announcements/{pk}/submit").status_code == 200
    approve = httpx.post(
        f"{url}/api/announcements/{pk}/approve",
        headers={"Authorization": f"Bearer {approver_key}"},
    )
    assert approve.status_code == 200
    assert api.post(f"/api/announcements/{pk}/publish").status_code == 202

    # the console: sign in, search by name and by phone number
    console = httpx.Client(base_url=url)
    token = console.get("/console/login/").cookies["csrftoken"]
    signed_in = console.post(
        "/console/login/", data={"username": username, "password": "x",
                                 "csrfmiddlewaretoken": token},
    )  # fmt: skip
    assert signed_in.status_code == 302
    for query in (NAME, "Kerhervé", MOBILE, "06 98 76 54 32", OTHER_NAME):
        assert console.get("/console/subscribers/", params={"q": query}).status_code == 200

    # public pages: a phone typed where a code goes, every way; the sign-up form
    for code in (MOBILE, quote(MOBILE), "06.98.76.54.32", "0698765432"):
        assert httpx.get(f"{url}/v/{code}").status_code == 404
    public = httpx.Client(base_url=url)
    token = public.get("/inscription/").cookies["csrftoken"]
    form = public.post(
        "/inscription/",
        data={"name": OTHER_NAME, "phone": "06 11 22 33 44", "channels": ["sms"],
              "language": "fr", "consent": "yes", "csrfmiddlewaretoken": token},
    )  # fmt: skip
    assert form.status_code in (200, 302), form.text
    public.post("/inscription/code/", data={"code": "000000", "csrfmiddlewaretoken": token})

    # the worker sends; Twilio calls back; citizens text back
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if Announcement.objects.get(pk=pk).status == Status.SENT:
            break
        time.sleep(0.3)
    assert Delivery.objects.filter(announcement_id=pk, channel="post").exists()
    assert fake.messages and fake.calls
    for message in fake.messages[:2]:
        callback = fake._callback_urls.get(message["sid"])  # noqa: SLF001
        if callback:
            params = {"MessageSid": message["sid"], "MessageStatus": "delivered",
                      "To": message["to"], "From": SENDER,
                      "AccountSid": fake.account_sid}  # fmt: skip
            path = callback.removeprefix(PUBLIC)
            httpx.post(url + path, data=params, headers=signed(callback, params, fake.auth_token))
    for body in ("STOP", "INSCRIPTION TRAVAUX", "bonjour, mon numéro est le 06 98 76 54 32"):
        params = {"From": MOBILE, "To": SENDER, "Body": body, "MessageSid": f"SM{time.time_ns()}",
                  "AccountSid": fake.account_sid}  # fmt: skip
        hook = f"{PUBLIC}/hooks/twilio/sms"
        reply = httpx.post(f"{url}/hooks/twilio/sms", data=params,
                           headers=signed(hook, params, fake.auth_token))  # fmt: skip
        assert reply.status_code == 200, reply.text
    # evening: reports
    assert api.get(f"/api/announcements/{pk}/deliveries").status_code == 200
    assert api.get(f"/api/announcements/{pk}/report").status_code == 200
    assert api.get("/api/replies").status_code == 200


def test_the_development_servers_access_log_is_redacted_too():
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    logger = logging.getLogger("django.server")
    logger.addHandler(handler)
    server = WSGIServer(("127.0.0.1", 0), WSGIRequestHandler)
    server.set_app(WSGIHandler())  # get_wsgi_application() would set logging up again
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        for path in (f"/v/{MOBILE}", f"/v/{quote(MOBILE)}", "/v/06.98.76.54.32",
                     f"/console/subscribers/?q={quote(NAME)}"):  # fmt: skip
            httpx.get(base + path)
        deadline = time.monotonic() + 10  # the line is written once the response is sent
        while written.getvalue().count('"GET /') < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        server.shutdown()
        logger.removeHandler(handler)
    text = written.getvalue()
    assert text.count('"GET /') == 4, text
    assert re.search(r'"GET /v/\[redacted\] HTTP/1.1" 404', text), text
    assert_nothing_personal(text, "django.server")
