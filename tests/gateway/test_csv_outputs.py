"""Issue 14 item 7, from the database: the weekly letters' manifest and rejects neutralise a
reference stored before references were checked (a backup, an old import)."""

from __future__ import annotations

import csv
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from gateway.weekly import weekly_letters
from tests.factories import create_announcement, create_citizen, create_organisation

pytestmark = pytest.mark.django_db


def test_item7_weekly_manifests_and_rejects_are_neutralised(tmp_path):
    org = create_organisation()
    announcement = create_announcement(org, topics=[])
    announcement.status = "sent"
    announcement.published_at = datetime(2026, 11, 17, 9, tzinfo=ZoneInfo("Europe/Paris"))
    announcement.save()
    create_citizen(org, channels=("post",), reference="=HYPERLINK(1)")
    create_citizen(org, channels=("post",), reference="@bad", address_lines=["1234 X"])
    result = weekly_letters(org, 2026, 47, tmp_path)
    manifest = list(csv.DictReader(open(result.standard.manifest, newline="", encoding="utf-8")))
    rejects = list(csv.DictReader(open(result.rejects_csv, newline="", encoding="utf-8")))
    assert [r["reference"] for r in manifest] == ["'=HYPERLINK(1)"]
    assert [r["reference"] for r in rejects] == ["'@bad"]
