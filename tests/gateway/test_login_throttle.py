"""Issue 14 item 12: the console's sign-in is throttled per account and per client address,
with a clear translated message, audited, and counted across processes."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from django.test import Client

from gateway.models import AuditEvent
from tests.factories import create_organisation, create_user
from tests.gateway.webproc import WebProcess
from tests.gateway.workerproc import on_server_stack

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user(fresh_buckets):
    return create_user(create_organisation())


def sign_in(username: str, password: str, address: str = "192.0.2.1", **headers) -> object:
    client = Client(REMOTE_ADDR=address, **headers)
    response = client.post("/console/login/", {"username": username, "password": password})
    response.signed_in = "_auth_user_id" in client.session
    return response


def test_after_five_failures_even_the_right_password_is_refused(user):
    for _ in range(5):
        failed = sign_in(user.username, "wrong")
        assert failed.status_code == 200 and not failed.signed_in
    refused = sign_in(user.username, "x")
    assert refused.status_code == 429 and not refused.signed_in
    page = refused.content.decode()
    assert "Trop de tentatives de connexion. Réessayez dans 3 minutes." in page
    assert 'role="alert"' in page and int(refused["Retry-After"]) > 0
    # the lock is the account's: from another address too, and whatever the case typed
    assert sign_in(user.username.upper(), "x", address="198.51.100.7").status_code == 429
    actions = list(AuditEvent.objects.filter(object_type="login").values_list("action", flat=True))
    assert actions == ["console.login_failed"] * 5 + ["console.login_refused"] * 2
    refusal = AuditEvent.objects.filter(action="console.login_refused").first()
    assert refusal.object_id == user.username and refusal.data["address"] == "192.0.2.1"


def test_the_message_is_in_the_agents_language(user, settings):
    settings.LOGIN_FAILURES = 1
    sign_in(user.username, "wrong")
    refused = sign_in(user.username, "x", HTTP_ACCEPT_LANGUAGE="en")
    assert "Too many sign-in attempts. Try again in 15 minutes." in refused.content.decode()


def test_an_address_trying_many_accounts_is_refused(fresh_buckets):
    org = create_organisation()
    for n in range(20):  # four times the per-account limit, spread over accounts
        assert sign_in(f"nobody{n}", "guess").status_code == 200
    fresh = create_user(org)
    assert sign_in(fresh.username, "x").status_code == 429
    assert sign_in(fresh.username, "x", address="198.51.100.7").signed_in


def test_successful_sign_ins_do_not_count(user):
    for _ in range(12):
        assert sign_in(user.username, "x").signed_in
    assert sign_in(user.username, "wrong").status_code == 200


def test_the_lock_ends_when_the_failures_are_forgotten(user, settings):
    settings.LOGIN_FAILURES, settings.LOGIN_LOCKOUT_SECONDS = 2, 4
    sign_in(user.username, "wrong")
    sign_in(user.username, "wrong")
    assert sign_in(user.username, "x").status_code == 429
    time.sleep(2.2)  # one failure is forgotten every two seconds
    assert sign_in(user.username, "x").signed_in


@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_on_two_web_processes_check_five_passwords_at_most():
    if not on_server_stack():
        pytest.skip("buckets are shared between processes through Redis (the server stack)")
    user = create_user(create_organisation())
    user.username = f"agent-{uuid.uuid4().hex[:8]}"  # Redis outlives the test database
    user.save()
    web = WebProcess("--workers", "2", "--threads", "8", CRIEUR_LOGIN_LOCKOUT_MINUTES="1").start()
    try:

        def guess(n: int) -> int:
            with httpx.Client(base_url=web.url, timeout=60) as client:
                token = client.get("/console/login/").cookies["csrftoken"]
                return client.post(
                    "/console/login/",
                    data={"username": user.username, "password": f"guess{n}",
                          "csrfmiddlewaretoken": token},
                ).status_code  # fmt: skip

        with ThreadPoolExecutor(16) as pool:
            statuses = list(pool.map(guess, range(24)))
    finally:
        web.stop()
    assert statuses.count(200) <= 5 + 1  # five, and one more refilled in the run at most
    assert statuses.count(429) >= 18, statuses
