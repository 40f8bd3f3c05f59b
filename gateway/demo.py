"""A demo town: an organisation, topics, areas and citizens with mixed preferences."""

from __future__ import annotations

import random
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from gateway.announcement_file import load_announcement_file
from gateway.models import (
    ApiKey,
    Area,
    Citizen,
    Consent,
    ConsentSource,
    Membership,
    Organisation,
    Role,
    Topic,
)
from gateway.publishing import approve, create_announcement, submit
from gateway.routing.audience_version import audience_changed

ANNOUNCEMENT = Path(__file__).parent / "demo_data" / "annonce.yaml"
TOPICS = {"travaux": "Travaux", "eau": "Eau", "ecoles": "Écoles", "dechets": "Déchets"}
AREAS = {"centre": "Centre", "nord": "Nord", "sud": "Sud"}
FIRST = ["Jeanne", "Louis", "Amina", "Hugo", "Chloé", "Mehdi", "Léa", "Paul", "Inès", "Marc"]
LAST = ["Martin", "Bernard", "Dubois", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Nguyen"]
STREETS = [
    "rue des Lilas",
    "avenue de la Gare",
    "place de l’Église",
    "chemin des Vignes",
    "boulevard Victor Hugo",
    "impasse des Roses",
]

# (share, channels in order, is_mobile, has_address): a small town's mix of habits.
PROFILES = [
    (0.50, ["sms"], True, False),
    (0.12, ["sms", "post"], True, True),
    (0.13, ["voice"], False, False),  # landline only
    (0.15, ["post"], False, True),  # post only, no phone
    (0.05, ["voice", "post"], False, True),
    (0.05, ["sms", "voice"], True, False),
]


def build_town(citizens: int, *, seed: int = 2026) -> Organisation:
    rng = random.Random(seed)
    with transaction.atomic():
        org = Organisation.objects.create(
            name="Mairie de Saint-Crieur",
            slug="saint-crieur",
            city="Saint-Crieur",
            address_lines=["Mairie de Saint-Crieur", "1 place de la Mairie", "49123 SAINT CRIEUR"],
            sms_signature="Mairie St-Crieur",
        )
        topics = [Topic(organisation=org, slug=s, name=n) for s, n in TOPICS.items()]
        Topic.objects.bulk_create(topics)
        areas = [Area(organisation=org, slug=s, name=n) for s, n in AREAS.items()]
        Area.objects.bulk_create(areas)
        topics = list(org.topics.all())
        areas = list(org.areas.all())
        rows = [_citizen(org, i, rng, areas) for i in range(citizens)]
        Citizen.objects.bulk_create(rows, batch_size=500)
        saved = list(Citizen.objects.filter(organisation=org).order_by("pk"))
        through = Citizen.topics.through
        links, consents = [], []
        for citizen in saved:
            for topic in rng.sample(topics, rng.randint(1, len(topics))):
                links.append(through(citizen_id=citizen.pk, topic_id=topic.pk))
            for channel in citizen.channels:
                opted_out = channel == "sms" and rng.random() < 0.03  # replied STOP
                consents.append(
                    Consent(
                        citizen=citizen,
                        channel=channel,
                        granted=not opted_out,
                        source=rng.choice(list(ConsentSource)),
                        evidence="démo",
                    )
                )
        through.objects.bulk_create(links, batch_size=500)
        Consent.objects.bulk_create(consents, batch_size=500)
        audience_changed(org.pk)
    return org


def _citizen(org: Organisation, i: int, rng: random.Random, areas: list[Area]) -> Citizen:
    roll, acc = rng.random(), 0.0
    for profile in PROFILES:
        acc += profile[0]
        if roll < acc:
            break
    _, channels, mobile, has_address = profile
    phone = ""
    if "sms" in channels or "voice" in channels:
        # 5 % of mobile users share the phone of the previous household member.
        n = i - 1 if mobile and i and rng.random() < 0.05 else i
        phone = f"+336{10000000 + n:08d}" if mobile else f"+3314{1000000 + n:07d}"
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    address = (
        [f"{rng.randint(1, 120)} {rng.choice(STREETS)}", "49123 SAINT CRIEUR"]
        if has_address
        else []
    )
    return Citizen(
        organisation=org,
        name=name,
        phone=phone,
        is_mobile=mobile,
        address_lines=address,
        language="en" if rng.random() < 0.2 else "fr",
        channels=list(channels),
        area=rng.choice(areas),
        large_print=has_address and rng.random() < 0.1,
        prefers_voice=channels[0] == "voice",
    )


def demo_agent(org: Organisation) -> tuple[object, str]:
    """An author with an API key, so the demo can show the API too."""
    user = get_user_model().objects.create_user("agent", password=None)
    Membership.objects.create(user=user, organisation=org, role=Role.ADMIN, can_alert=True)
    _, key = ApiKey.issue(org, user, "demo")
    return user, key


def demo_announcement(org: Organisation, author):
    """The demo's announcement, written by `author`, submitted and approved by the mayor."""
    data = load_announcement_file(ANNOUNCEMENT).data
    announcement = create_announcement(org, data, author=author)
    mayor = get_user_model().objects.create_user("maire", password=None)
    Membership.objects.create(user=mayor, organisation=org, role=Role.APPROVER)
    submit(announcement, actor=author)
    approve(announcement, actor=mayor)
    return announcement
