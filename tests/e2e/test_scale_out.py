"""Issue 16 item 5: the production topology as processes, on PostgreSQL + Redis.

Two `crieur web` (two ports, nothing in front), two `crieur worker` on different queues, one
`crieur beat`; a town of 5,000 citizens; an urgent announcement written, approved and published
through the API, spread over both web processes. One worker is killed with SIGKILL mid-way and
started again: every delivery ends, none is sent twice (counted at the fake Twilio).

Marked `production`: `make test` leaves it out, `.ci/run` runs it once on the server stack.
"""

from __future__ import annotations

import time
from collections import Counter
from itertools import cycle

import httpx
import pytest

from gateway.celery import app
from gateway.models import ApiKey, Delivery, Role
from tests.factories import ANNOUNCEMENT, create_citizens, create_organisation, create_user
from tests.fakes.twilio import FakeTwilio
from tests.gateway.webproc import Process, WebProcess, collect_static
from tests.gateway.workerproc import SENDER, on_server_stack

pytestmark = [pytest.mark.production, pytest.mark.django_db(transaction=True)]

TOWN = 5_000
FINAL = {"sent", "delivered", "failed", "undelivered", "skipped", "cancelled"}


def test_two_webs_two_workers_one_beat_a_worker_killed_nothing_lost_nothing_twice(tmp_path):
    if not on_server_stack():
        pytest.skip("the production topology runs on PostgreSQL + Redis (.ci/run)")
    app.control.purge()
    org = create_organisation()
    phones = create_citizens(org, TOWN)
    author_key = ApiKey.issue(org, create_user(org, Role.AUTHOR), "author")[1]
    approver_key = ApiKey.issue(org, create_user(org, Role.APPROVER), "approver")[1]
    static = tmp_path / "static"
    production = {
        "CRIEUR_ENV": "production",
        "CRIEUR_SSL_REDIRECT": "0",  # plain HTTP on the loopback: no proxy in this test
        "CRIEUR_ALLOWED_HOSTS": "127.0.0.1",
        "CRIEUR_STATIC_ROOT": str(static),
        "CRIEUR_OUTBOX_DIR": str(tmp_path / "outbox"),
        "CRIEUR_STUCK_AFTER": "20",  # the sweep takes back a killed worker's deliveries
        "CRIEUR_PERIODIC_SECONDS": "1",
        "CRIEUR_RATE_TWILIO_SMS": "0",
        "CRIEUR_LOG_LEVEL": "INFO",
    }
    collect_static(static, **production)
    with FakeTwilio() as fake:
        env = {
            **production,
            "TWILIO_ACCOUNT_SID": fake.account_sid,
            "TWILIO_AUTH_TOKEN": fake.auth_token,
            "TWILIO_FROM_NUMBER": SENDER,
            "TWILIO_BASE_URL": fake.base_url,
        }
        webs = [WebProcess("--workers", "2", "--threads", "4", **env) for _ in range(2)]
        front, back = "publish,sms,retry,callbacks,periodic", "sms,voice,social,print"

        def worker(queues: str) -> Process:
            return Process("worker", "--queues", queues, "--concurrency", "2", **env)

        workers = [worker(front), worker(back)]
        beat = Process("beat", **env)
        processes = [*webs, *workers, beat]
        try:
            for process in processes:
                process.start()
            answered = Counter()
            clients = cycle(webs)

            def call(method: str, path: str, key: str = author_key, **kwargs) -> httpx.Response:
                web = next(clients)
                response = httpx.request(
                    method, web.url + path, headers={"Authorization": f"Bearer {key}"},
                    timeout=60, **kwargs,
                )  # fmt: skip
                assert response.status_code < 300, (path, response.status_code, response.text)
                answered[web.url] += 1
                return response

            pk = call("POST", "/api/announcements", json={**ANNOUNCEMENT, "urgency": "urgent"})
            pk = pk.json()["id"]
            call("POST", f"/api/announcements/{pk}/submit")
            call("POST", f"/api/announcements/{pk}/approve", key=approver_key)
            call("POST", f"/api/announcements/{pk}/publish")

            wait(lambda: len(fake.messages) >= TOWN // 3, 240, "a third sent", pk, call)
            workers[1].kill()  # SIGKILL, its pool with it: nothing acknowledged, nothing saved
            killed_at = len(fake.messages)
            assert killed_at < TOWN, "everything was sent before the kill"
            workers[1] = worker(back).start()
            wait(lambda: ended(pk), 300, "every delivery ended", pk, call)
            report = call("GET", f"/api/announcements/{pk}/report").json()
        finally:
            outputs = [process.stop() for process in processes if process.process]
            outputs.append(workers[1].stop())

    counts = fake.count_by_to()
    assert len(fake.messages) == TOWN, f"{len(fake.messages) - TOWN} sent twice"
    assert set(counts) == set(phones) and set(counts.values()) == {1}
    rows = Delivery.objects.filter(announcement_id=pk, channel="sms")
    assert rows.count() == TOWN
    assert set(rows.values_list("status", flat=True)) == {"sent"}
    assert report
    assert set(answered) == {web.url for web in webs} and min(answered.values()) >= 3
    for web in webs:  # each access log shows the API requests it answered
        assert '"POST /api/announcements' in web.output or '"GET /api/' in web.output
    for output in outputs:
        assert "Traceback" not in output, output[-3000:]
    assert any("stopped" in output for output in outputs)


def ended(pk: int) -> bool:
    rows = Delivery.objects.filter(announcement_id=pk)  # the SMS, and the post on social
    statuses = set(rows.values_list("status", flat=True))
    return statuses <= FINAL and rows.filter(channel="sms").count() == TOWN


def wait(condition, timeout: float, what: str, pk: int, call) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        call("GET", f"/api/announcements/{pk}/deliveries?limit=1")  # both webs keep answering
        time.sleep(0.5)
    counts = Counter(Delivery.objects.filter(announcement_id=pk).values_list("status", flat=True))
    raise AssertionError(f"{what} not reached after {timeout} s: {counts}")
