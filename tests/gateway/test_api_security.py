"""Every API operation, taken from the OpenAPI schema so a new one cannot escape: 401 without
credentials, 403 for a role or key scope that does not allow it, 404 for another
organisation's objects, nothing of another organisation in any list; the console session."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gateway.api import api
from gateway.api.security import PERMISSIONS, permission_of
from gateway.models import ApiKey, Area, CapFeed, MediaJob, Role, Topic
from tests.factories import (
    ANNOUNCEMENT,
    create_account,
    create_announcement,
    create_citizen,
    create_organisation,
    create_user,
)

pytestmark = pytest.mark.django_db

MARK = "SECRETORGB"  # in every name of the other organisation: must never leak

CITIZEN = {
    "name": "Anne Dupont",
    "phone": "06 12 34 56 78",
    "address_lines": ["5 bis, rue de l'Église"],
    "postcode": "01234",
    "city": "Saint-Crieur",
    "channels": ["sms", "post"],
    "topics": ["travaux"],
    "area": "centre",
}

BODIES = {
    ("post", "/api/announcements"): ANNOUNCEMENT,
    ("patch", "/api/announcements/{announcement_id}"): {"title": "Nouveau titre"},
    ("post", "/api/announcements/{announcement_id}/reject"): {"reason": "Horaires faux"},
    ("post", "/api/announcements/{announcement_id}/schedule"): {
        "scheduled_at": (timezone.now() + timedelta(days=1)).isoformat()
    },
    ("post", "/api/topics"): {"slug": "voirie", "name": "Voirie"},
    ("patch", "/api/topics/{topic_id}"): {"name": "Travaux publics"},
    ("post", "/api/areas"): {"slug": "sud", "name": "Sud"},
    ("patch", "/api/areas/{area_id}"): {"name": "Centre-ville"},
    ("patch", "/api/organisation"): {"sms_signature": "Mairie"},
    ("post", "/api/keys"): {"name": "script", "scopes": ["read"]},
    ("post", "/api/citizens"): CITIZEN,
    ("post", "/api/citizens/paper-forms"): {
        **CITIZEN,
        "form_reference": "F-2026-0042",
        "signed_on": "2026-11-18",
    },
    ("put", "/api/citizens/{reference}"): CITIZEN,
    ("post", "/api/citizens/import"): {},  # multipart in real use: refused before or at parsing
    ("post", "/api/cap"): {},  # CAP XML in real use: JSON is refused as not CAP (422)
    ("post", "/api/cap/feeds"): {"url": "https://feeds.example.org/cap.atom"},
    ("post", "/api/accounts"): {
        "kind": "mastodon",
        "settings": {"base_url": "http://127.0.0.1:1", "access_token": "t0ken-of-ours"},
    },
    ("patch", "/api/accounts/{account_id}"): {"label": "Mairie (Mastodon)"},
    ("post", "/api/accounts/{account_id}/test"): {},  # nothing listens on port 1: refused
    ("put", "/api/polls/{announcement_id}"): {
        "question": "Ouvrir le square le dimanche ?",
        "answers": ["Oui", "Non"],
        "translations": {"en": {"question": "Open the park on Sundays?", "answers": ["Yes", "No"]}},
        "closes_at": (timezone.now() + timedelta(days=7)).isoformat(),
    },
    ("post", "/api/moderation/{review_id}/decide"): {"decision": "fine"},
    ("post", "/api/moderation/words"): {"term": "gros", "allowed": True},
    ("post", "/api/questions/{question_id}/answer"): {"text": "Voyez l’accueil de la mairie."},
}


def create_conversation(org, announcement, mark: str = "") -> dict:
    """A poll, a flagged reply, an open question and a word entry of `org`, by path parameter."""
    from gateway.conversation.models import Poll, PollText, Question, Review, WordEntry
    from gateway.models import InboundMessage

    poll = Poll.objects.create(
        announcement=announcement, closes_at=timezone.now() + timedelta(days=3)
    )
    PollText.objects.create(poll=poll, locale="fr", question=f"Q {mark}?", answers=["A", "B"])
    flagged = InboundMessage.objects.create(organisation=org, body=f"connard {mark}")
    asked = InboundMessage.objects.create(organisation=org, body=f"Quand ? {mark}")
    review = Review.objects.create(inbound=flagged, verdict="to_review", sender="s" * 64)
    question = Question.objects.create(
        inbound=asked, locale="fr", status="open", reply_to="+33612345678"
    )
    word = WordEntry.objects.create(organisation=org, term=f"mot{mark.lower()}", category="insult")
    return {"review_id": review.pk, "question_id": question.pk, "word_id": word.pk}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def schema_operations() -> list[tuple[str, str, bool]]:
    schema = api.get_openapi_schema(path_prefix="/api")
    return sorted(
        (method, path, "requestBody" in op)
        for path, methods in schema["paths"].items()
        for method, op in methods.items()
    )


OPERATIONS = schema_operations()
WITH_ID = [(m, p, b) for m, p, b in OPERATIONS if "{" in p]
LISTS = [(m, p, b) for m, p, b in OPERATIONS if m == "get" and "{" not in p]


def router_permissions() -> dict[tuple[str, str], str | None]:
    found = {}
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for method in operation.methods:
                    url = "/api" + (prefix + path).replace("//", "/")
                    found[(method.lower(), url.rstrip("/") or url)] = permission_of(operation)
    return found


def test_every_operation_declares_one_permission():
    permissions = router_permissions()
    assert set(permissions) == {(m, p) for m, p, _ in OPERATIONS}
    undeclared = [op for op, perm in permissions.items() if perm not in PERMISSIONS]
    assert not undeclared


def test_every_error_status_is_documented():
    schema = api.get_openapi_schema(path_prefix="/api")
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            codes = {str(code) for code in op["responses"]}
            assert {"401", "403", "422"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if "requestBody" in op:
                assert {"400", "413"} <= codes, (method, path)


def call(client: Client, method: str, path: str, ids: dict, body=None):
    url = path.format(**ids)
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def body_for(method: str, path: str, has_body: bool):
    if not has_body:
        return None
    assert (method, path) in BODIES, f"add an example body for {method.upper()} {path}"
    return BODIES[(method, path)]


def an_import(organisation) -> int:
    from gateway.audience.importer import import_citizens

    csv = "reference,name,channels,postcode,city\nI-1,Anne,post,49123,Saint-Crieur\n"
    return import_citizens(organisation, csv, source_name="a.csv").import_id


@pytest.fixture
def world():
    """Our organisation with one member per role, and another organisation's objects."""
    ours = create_organisation()
    theirs = create_organisation(name=f"Mairie {MARK}")
    keys = {}
    for role in Role.values:
        _, keys[role] = ApiKey.issue(ours, create_user(ours, role), "test")
    their_author = create_user(theirs, Role.ADMIN)
    their_key, _ = ApiKey.issue(theirs, their_author, f"key {MARK}")
    their_announcement = create_announcement(
        theirs, approved=False, author=their_author, title=f"Annonce {MARK}"
    )
    Topic.objects.filter(organisation=theirs).update(name=f"Sujet {MARK}")
    Area.objects.filter(organisation=theirs).update(name=f"Zone {MARK}")
    their_ids = {
        "announcement_id": their_announcement.pk,
        "topic_id": Topic.objects.filter(organisation=theirs).first().pk,
        "area_id": Area.objects.filter(organisation=theirs).first().pk,
        "key_id": their_key.pk,
        "reference": create_citizen(theirs, name=f"Citoyen {MARK}").reference,
        "account_id": create_account(theirs, label=f"Compte {MARK}").pk,
        "import_id": an_import(theirs),
        "job_id": MediaJob.objects.create(organisation=theirs, key=f"preview:{MARK}").pk,
        "feed_id": CapFeed.objects.create(organisation=theirs, url=f"https://x.test/{MARK}").pk,
        "name": "video.mp4",
    }
    their_ids |= create_conversation(theirs, their_announcement, MARK)
    our_author = create_user(ours, Role.AUTHOR)
    our_ids = {
        "announcement_id": create_announcement(ours, approved=False, author=our_author).pk,
        "topic_id": Topic.objects.filter(organisation=ours).first().pk,
        "area_id": Area.objects.filter(organisation=ours).first().pk,
        "key_id": ApiKey.issue(ours, our_author, "other")[0].pk,
        "reference": create_citizen(ours).reference,
        "account_id": create_account(ours).pk,
        "import_id": an_import(ours),
        "job_id": MediaJob.objects.create(organisation=ours, key="preview:ours").pk,
        "feed_id": CapFeed.objects.create(organisation=ours, url="https://x.test/ours").pk,
        "name": "video.mp4",
    }
    our_ids |= create_conversation(
        ours, create_announcement(ours, approved=False, author=our_author)
    )
    return {"ours": ours, "keys": keys, "theirs": their_ids, "our_ids": our_ids}


def bearer(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.mark.parametrize(("method", "path", "has_body"), OPERATIONS)
def test_no_credentials_is_401(world, method, path, has_body):
    for client in (Client(), bearer("crieur_not-a-key")):
        response = call(client, method, path, world["our_ids"], body_for(method, path, has_body))
        assert response.status_code == 401, response.content
        assert response.json() == {"detail": "missing or invalid API key"}


@pytest.mark.parametrize(("method", "path", "has_body"), WITH_ID)
def test_another_organisations_object_is_404(world, method, path, has_body):
    client = bearer(world["keys"][Role.ADMIN])
    response = call(client, method, path, world["theirs"], body_for(method, path, has_body))
    assert response.status_code == 404, (method, path, response.content)
    assert MARK not in response.content.decode()


@pytest.mark.parametrize(("method", "path", "has_body"), LISTS)
def test_no_list_shows_another_organisations_objects(world, method, path, has_body):
    response = call(bearer(world["keys"][Role.ADMIN]), method, path, {})
    assert response.status_code == 200, response.content
    assert MARK not in response.content.decode()


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize(("method", "path", "has_body"), OPERATIONS)
def test_each_role_gets_exactly_what_its_permission_allows(world, role, method, path, has_body):
    permission = router_permissions()[(method, path)]
    allowed = role in PERMISSIONS[permission][0]
    client = bearer(world["keys"][role])
    response = call(client, method, path, world["our_ids"], body_for(method, path, has_body))
    if allowed:
        assert response.status_code != 403 or "role" not in response.json()["detail"]
        assert response.status_code < 500
    else:
        assert response.status_code == 403, response.content
        assert f"your role ({role})" in response.json()["detail"]


def test_a_key_is_limited_to_its_scopes(world):
    admin = create_user(world["ours"], Role.ADMIN)
    _, reader = ApiKey.issue(world["ours"], admin, "read only", ["read"])
    client = bearer(reader)
    assert client.get("/api/announcements").status_code == 200
    refused = client.post("/api/announcements", ANNOUNCEMENT, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "this API key lacks the 'write' scope"
    assert client.get("/api/keys").status_code == 403


def test_a_revoked_key_is_401_at_once(world):
    client = bearer(world["keys"][Role.ADMIN])
    assert client.get("/api/organisation").status_code == 200
    ApiKey.objects.filter(organisation=world["ours"]).update(revoked_at=timezone.now())
    assert client.get("/api/organisation").status_code == 401


def test_the_console_session_calls_the_api_with_a_csrf_token(world):
    user = create_user(world["ours"], Role.AUTHOR)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get("/api/announcements").status_code == 200
    refused = client.post("/api/announcements", ANNOUNCEMENT, content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    token = client.get("/api/announcements").wsgi_request.META.get("CSRF_COOKIE")
    if token is None:  # the page that embeds the console sets the cookie; do the same
        from django.middleware.csrf import _get_new_csrf_string

        token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    created = client.post(
        "/api/announcements",
        ANNOUNCEMENT,
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert created.status_code == 201, created.content
    assert client.get("/api/keys").status_code == 403  # an author's session is still an author


def test_a_member_of_two_organisations_picks_one_by_header(world):
    user = create_user(world["ours"], Role.AUTHOR)
    other = create_organisation()
    from gateway.models import Membership

    Membership.objects.create(user=user, organisation=other, role=Role.ADMIN)
    client = Client()
    client.force_login(user)
    assert client.get("/api/organisation").json()["slug"] == world["ours"].slug
    picked = client.get("/api/organisation", HTTP_X_CRIEUR_ORGANISATION=other.slug)
    assert picked.json()["slug"] == other.slug
