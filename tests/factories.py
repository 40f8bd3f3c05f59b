"""Plain factory functions for test data (no fixture files)."""

from __future__ import annotations

import itertools

from django.contrib.auth import get_user_model

from gateway.models import (
    Announcement,
    ApiKey,
    Area,
    Citizen,
    Consent,
    Membership,
    Organisation,
    Role,
    Status,
    Topic,
)
from gateway.publishing import create_announcement as create

_seq = itertools.count(1)


def create_organisation(**fields) -> Organisation:
    n = next(_seq)
    org = Organisation.objects.create(
        **{"name": f"Mairie {n}", "slug": f"mairie-{n}", "city": "Saint-Crieur", **fields}
    )
    for slug in ("travaux", "eau"):
        Topic.objects.create(organisation=org, slug=slug, name=slug.capitalize())
    for slug in ("centre", "nord"):
        Area.objects.create(organisation=org, slug=slug, name=slug.capitalize())
    return org


def create_user(org: Organisation, role: str = Role.ADMIN, **fields):
    user = get_user_model().objects.create_user(f"user{next(_seq)}", password="x", **fields)
    Membership.objects.create(user=user, organisation=org, role=role)
    return user


def create_api_key(org: Organisation, role: str = Role.ADMIN) -> str:
    _, key = ApiKey.issue(org, create_user(org, role), "test")
    return key


def create_citizen(
    org: Organisation,
    *,
    channels=("sms",),
    consents=None,
    opted_out=(),
    phone=None,
    topics=("travaux",),
    area="centre",
    **fields,
) -> Citizen:
    n = next(_seq)
    if phone is None:
        phone = f"+336{20000000 + n:08d}" if {"sms", "voice"} & set(channels) else ""
    defaults = {
        "name": f"Citoyen {n}",
        "address_lines": ["5 bis rue des Lilas", "49123 SAINT CRIEUR"]
        if "post" in channels
        else [],
    }
    citizen = Citizen.objects.create(
        organisation=org,
        phone=phone,
        channels=list(channels),
        area=Area.objects.get(organisation=org, slug=area) if area else None,
        **{**defaults, **fields},
    )
    citizen.topics.set(Topic.objects.filter(organisation=org, slug__in=topics))
    for channel in consents if consents is not None else channels:
        Consent.objects.create(citizen=citizen, channel=channel, source="agent")
    for channel in opted_out:
        Consent.objects.update_or_create(
            citizen=citizen, channel=channel, defaults={"granted": False, "source": "sms"}
        )
    return citizen


ANNOUNCEMENT = {
    "locale": "fr",
    "title": "Coupure d’eau rue des Lilas",
    "summary": "Coupure d’eau mardi de 8 h à 12 h rue des Lilas pour travaux.",
    "body": "L’eau sera coupée mardi de 8 h à 12 h rue des Lilas.\n\nPensez aux réserves.",
    "urgency": "info",
    "topics": ["travaux"],
    "areas": [],
    "links": [],
    "contact": "01 23 45 67 89",
    "translations": {
        "en": {
            "title": "Water cut on Rue des Lilas",
            "summary": "Water cut on Tuesday from 8 am to noon on Rue des Lilas.",
            "body": "Water will be cut on Tuesday from 8 am to noon.\n\nPlease store water.",
        }
    },
}


def create_announcement(org: Organisation, *, approved: bool = True, author=None, **fields):
    """An announcement ready to publish (approved), or a draft with `approved=False`."""
    announcement = create(org, {**ANNOUNCEMENT, **fields}, author=author)
    if approved:
        Announcement.objects.filter(pk=announcement.pk).update(status=Status.APPROVED)
        announcement.status = Status.APPROVED
    return announcement


def create_account(org: Organisation, kind: str = "mastodon", settings=None, **fields):
    """A provider account through the service (settings checked, secrets sealed); by default a
    Mastodon account whose server refuses connections (nothing listens on port 1)."""
    from gateway.accounts.services import add_account

    if settings is None:
        settings = {"base_url": "http://127.0.0.1:1", "access_token": f"token-{next(_seq)}"}
    return add_account(org, kind, settings, **fields)


def create_citizens(org: Organisation, count: int, *, channels=("sms",), phone_base=640000000):
    """`count` citizens in bulk (a few queries, not a few per citizen), all on topic travaux,
    consenting to `channels`, with phones +33<phone_base + i>. Returns their phones in order."""
    from django.db import transaction

    from gateway.routing.audience_version import audience_changed

    topic = Topic.objects.get(organisation=org, slug="travaux")
    phones = [f"+33{phone_base + i:09d}" for i in range(count)]
    with transaction.atomic():
        first = next(_seq)
        Citizen.objects.bulk_create(
            [
                Citizen(
                    organisation=org,
                    name=f"Citoyen {first}-{i}",
                    phone=phone,
                    channels=list(channels),
                )
                for i, phone in enumerate(phones)
            ],
            batch_size=1000,
        )
        saved = Citizen.objects.filter(organisation=org, phone__in=phones)
        ids = list(saved.values_list("pk", flat=True))
        Citizen.topics.through.objects.bulk_create(
            [Citizen.topics.through(citizen_id=pk, topic_id=topic.pk) for pk in ids],
            batch_size=1000,
        )
        Consent.objects.bulk_create(
            [Consent(citizen_id=pk, channel=c, source="agent") for pk in ids for c in channels],
            batch_size=1000,
        )
        audience_changed(org.pk)  # bulk writes bypass the signals, as in gateway/demo.py
    return phones
