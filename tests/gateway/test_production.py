"""`crieur web` under production settings, as a town hall's IT runs it behind a TLS proxy:
security headers and cookies (issue 14 item 13), the HTTPS redirect, hashed static files from
WhiteNoise, probes that answer plain HTTP, and `crieur manage check --deploy` without a
warning."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys

import httpx
import pytest

from tests.factories import create_organisation, create_user
from tests.gateway.webproc import WebProcess, collect_static, server_env
from tests.gateway.workerproc import ROOT

pytestmark = pytest.mark.django_db(transaction=True)

HOST = "crieur.example.org"
PRODUCTION = {
    "CRIEUR_ENV": "production",
    "CRIEUR_PUBLIC_URL": f"https://{HOST}",
    "CRIEUR_PROXY_SSL_HEADER": "X-Forwarded-Proto",
}
VIA_PROXY = {"Host": HOST, "X-Forwarded-Proto": "https"}


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    collect_static(root, **PRODUCTION)
    return root


@pytest.fixture
def web(static_root):
    process = WebProcess(
        "--workers", "2", "--threads", "2", CRIEUR_STATIC_ROOT=str(static_root), **PRODUCTION
    ).start()
    yield process
    output = process.stop()
    assert "Traceback" not in output, output


def test_check_deploy_prints_no_warning_under_production_settings():
    env = server_env(**PRODUCTION, CRIEUR_SECRET_KEY=secrets.token_urlsafe(50))
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests for themselves
    result = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "manage", "check", "--deploy", "--fail-level",
         "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_every_page_is_unframeable_with_a_csp_and_no_referrer_to_other_sites(web):
    org = create_organisation()
    for path in ("/console/login/", "/inscription/", "/api/docs", "/api/announcements",
                 "/v/UNKNOWN", f"/inscription/?commune={org.slug}"):  # fmt: skip
        response = httpx.get(web.url + path, headers=VIA_PROXY)
        assert response.status_code in (200, 401, 404), (path, response.status_code)
        assert response.headers["X-Frame-Options"] == "DENY", path
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp, path
        script = re.search(r"script-src ([^;]*)", csp).group(1)
        assert script == "'self'", (path, csp)  # no inline script, no eval, no CDN
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_cookies_are_secure_httponly_samesite_over_https(web):
    user = create_user(create_organisation())
    # The proxy speaks HTTPS to the browser and HTTP to crieur web: a client library would not
    # send `Secure` cookies over this plain hop, so they are passed by hand.
    page = httpx.get(web.url + "/console/login/", headers=VIA_PROXY)
    token = page.cookies["csrftoken"]
    signed_in = httpx.post(
        web.url + "/console/login/",
        data={"username": user.username, "password": "x", "csrfmiddlewaretoken": token},
        headers={**VIA_PROXY, "Cookie": f"csrftoken={token}",
                 "Referer": f"https://{HOST}/console/login/"},
    )  # fmt: skip
    assert signed_in.status_code == 302, signed_in.text
    cookies = [page.headers["set-cookie"], *signed_in.headers.get_list("set-cookie")]
    assert any(c.startswith("sessionid=") for c in cookies)
    for cookie in cookies:
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie


def test_plain_http_is_redirected_but_probes_answer(web):
    response = httpx.get(web.url + "/console/login/", headers={"Host": HOST})
    assert response.status_code == 301
    assert response.headers["Location"] == f"https://{HOST}/console/login/"
    assert "Strict-Transport-Security" not in response.headers  # only ever over HTTPS
    # a probe uses the machine's address and plain HTTP
    assert httpx.get(web.url + "/healthz").json() == {"status": "ok"}
    # a forged X-Forwarded-Proto is only trusted because this proxy header was opted in
    assert httpx.get(web.url + "/console/login/", headers=VIA_PROXY).status_code == 200


def test_static_files_have_hashed_names_and_are_cached_for_ever(web):
    page = httpx.get(web.url + "/console/login/", headers=VIA_PROXY).text
    links = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert links and all(re.search(r"\.[0-9a-f]{12}\.(css|js)$", link) for link in links), links
    for link in links:
        response = httpx.get(web.url + link, headers=VIA_PROXY)
        assert response.status_code == 200, link
        assert "immutable" in response.headers["Cache-Control"], link
