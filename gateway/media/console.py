"""The console's picture and video previews of the text being written (unsaved compose data):
the card image by the hash of what it shows, and the video made on the `media` queue with a
progress bar that polls until the player (with its captions) replaces it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST

from gateway.console import preview as previews
from gateway.console.access import member
from gateway.media.jobs import start_preview
from gateway.media.models import MediaJob
from gateway.media.preview import card_response, job_out, video_response


def _message(request, data):
    organisation = member(request).organisation
    locale = (
        data.get("card_locale")  # the account's language, for its own card
        or data.get("preview_locale")
        or previews.source_locale(data, organisation)
    )
    return organisation, previews.message_from_data(data, organisation, locale)


@login_required
@require_GET
def card_image(request) -> HttpResponse:
    """`?<compose data>&form=card&v=<hash>`: the card of the text being written."""
    _, message = _message(request, request.GET)
    return card_response(message, request.GET.get("form", "card"))


def _job(request, job_id: int) -> MediaJob:
    organisation = member(request).organisation
    return get_object_or_404(
        MediaJob, pk=job_id, organisation=organisation, key__startswith="preview:"
    )


def _shown(request, job: MediaJob) -> HttpResponse:
    return render(request, "console/_video_preview.html", {"job": job_out(job)})


@login_required
@require_POST
def start_video(request) -> HttpResponse:
    """Make the video of the text being written (once per text); answers the progress."""
    organisation, message = _message(request, request.POST)
    return _shown(request, start_preview(organisation.pk, message))


@login_required
@require_GET
def video_status(request, job_id: int) -> HttpResponse:
    return _shown(request, _job(request, job_id))


@login_required
@require_GET
def video_file(request, job_id: int, kind: str) -> HttpResponse:
    return video_response(_job(request, job_id), kind)
