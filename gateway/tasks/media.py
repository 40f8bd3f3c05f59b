"""The delivery task's pictures and video: attached in memory to the posts that carry them,
read once per batch from this machine's copy of the archive; a post whose video is still
being made is put back, not sent, and queued again when the video is there."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from django.db.models import F

from channels.base import Channel
from gateway.media.jobs import release_waiting, start_video, video_problem
from gateway.media.needs import attach, media_forms
from gateway.media.store import MediaMissingError, archived_file
from gateway.models import Announcement, Delivery, DeliveryStatus
from gateway.renditions import archive
from renderers.errors import RenderError
from renderers.message import Rendition

if TYPE_CHECKING:
    from gateway.tasks.delivery import Job

WAITING_FOR_VIDEO = "waiting for the video"


class MediaFiles:
    """The batch's cards and videos, each read once."""

    def __init__(self) -> None:
        self._files: dict[tuple[int, str, str], Rendition | str] = {}
        self._codes: dict[int, str] = {}

    def attach(
        self, rendition: Rendition, channel: Channel, announcement_id: int
    ) -> tuple[Rendition, str, str]:
        """(the post with its media, what it waits for, why it cannot be sent)."""
        forms = media_forms(channel)
        if not forms:
            return rendition, "", ""
        files = {}
        for form in forms:
            found = self._file(announcement_id, form, rendition.locale)
            if found == "":
                return rendition, form, ""
            if isinstance(found, str):
                return rendition, "", found
            files[form] = found
        if announcement_id not in self._codes:
            self._codes[announcement_id] = Announcement.objects.values_list(
                "verification_code", flat=True
            ).get(pk=announcement_id)
        try:
            return attach(rendition, channel, files, self._codes[announcement_id]), "", ""
        except RenderError as error:
            return rendition, "", f"{channel.name}: {error}"

    def _file(self, announcement_id: int, form: str, locale: str) -> Rendition | str:
        """The archived file; "" while the video is being made; else why there is none."""
        key = (announcement_id, form, locale)
        if key not in self._files:
            self._files[key] = self._read(*key)
        return self._files[key]

    @staticmethod
    def _read(announcement_id: int, form: str, locale: str) -> Rendition | str:
        try:
            return archived_file(announcement_id, form, locale)
        except MediaMissingError:
            pass
        if form == "video":
            problem = video_problem(announcement_id, locale)
            if problem is None:
                return archived_file(announcement_id, form, locale)
            return f"the video could not be made: {problem}" if problem else ""
        try:  # a card publication did not make (the account was added since): made now
            archive(Announcement.objects.get(pk=announcement_id), [(form, locale)])
        except RenderError as error:
            return f"the {form} could not be made: {error}"
        return archived_file(announcement_id, form, locale)


def hold_waiting(jobs: list[Job]) -> list[Job]:
    """The jobs to send now. Those waiting for their video go back to `planned` (the attempt
    not counted) and their video is (re)started; if it arrived meanwhile, they are queued."""
    waiting = [job for job in jobs if job.waiting]
    if not waiting:
        return jobs
    Delivery.objects.filter(pk__in=[job.pk for job in waiting]).move(
        DeliveryStatus.PLANNED,
        only_from=(DeliveryStatus.SENDING,),
        attempts=F("attempts") - 1,
        last_error=WAITING_FOR_VIDEO,
    )
    by_announcement: dict[int, set[str]] = defaultdict(set)
    for job in waiting:
        by_announcement[job.announcement_id].add(job.rendition.locale)
    for announcement_id, locales in by_announcement.items():
        announcement = Announcement.objects.get(pk=announcement_id)
        for locale in sorted(locales):
            start_video(announcement, locale)
            if video_problem(announcement_id, locale) != "":  # there now, or failed for good
                release_waiting(announcement_id, locale)
    return [job for job in jobs if not job.waiting]
