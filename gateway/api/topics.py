"""Topics and areas of the organisation: everyone reads them, admins change them."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from gateway.api.errors import errors
from gateway.api.params import Id
from gateway.api.schemas import AreaIn, AreaOut, AreaPatch, TopicIn, TopicOut, TopicPatch
from gateway.api.security import needs
from gateway.edits import apply_edit
from gateway.models import Area, AuditEvent, Topic

topics_router = Router(tags=["topics"])
areas_router = Router(tags=["areas"])

TOPIC_FIELDS = ("id", "slug", "name", "keywords")
AREA_FIELDS = ("id", "slug", "name", "geocodes", "polygons")


def _create(request, model, payload, fields):
    try:
        with transaction.atomic():
            row = model.objects.create(organisation=request.auth.organisation, **payload.dict())
            AuditEvent.record(f"{model.__name__.lower()}.created", row, actor=request.auth.user)
    except IntegrityError:
        return Status(409, {"detail": f"slug: {payload.slug!r} already exists"})
    return Status(201, {f: getattr(row, f) for f in fields})


def _edit(request, model, pk: int, payload, fields):
    row = get_object_or_404(model, pk=pk, organisation=request.auth.organisation)
    given = payload.dict(exclude_none=True)  # null, like absent, leaves a field unchanged
    apply_edit(row, given, action=f"{model.__name__.lower()}.edited", actor=request.auth.user)
    return {f: getattr(row, f) for f in fields}


@topics_router.get("", response={200: list[TopicOut], **errors()}, auth=needs("read"))
def list_topics(request):
    return list(
        Topic.objects.filter(organisation=request.auth.organisation)
        .order_by("slug")
        .values(*TOPIC_FIELDS)
    )


@topics_router.post("", response={201: TopicOut, **errors(409, body=True)}, auth=needs("admin"))
def create_topic(request, payload: TopicIn):
    return _create(request, Topic, payload, TOPIC_FIELDS)


@topics_router.patch(
    "/{topic_id}", response={200: TopicOut, **errors(404, body=True)}, auth=needs("admin")
)
def edit_topic(request, topic_id: Id, payload: TopicPatch):
    return _edit(request, Topic, topic_id, payload, TOPIC_FIELDS)


@areas_router.get("", response={200: list[AreaOut], **errors()}, auth=needs("read"))
def list_areas(request):
    return list(
        Area.objects.filter(organisation=request.auth.organisation)
        .order_by("slug")
        .values(*AREA_FIELDS)
    )


@areas_router.post("", response={201: AreaOut, **errors(409, body=True)}, auth=needs("admin"))
def create_area(request, payload: AreaIn):
    return _create(request, Area, payload, AREA_FIELDS)


@areas_router.patch(
    "/{area_id}", response={200: AreaOut, **errors(404, body=True)}, auth=needs("admin")
)
def edit_area(request, area_id: Id, payload: AreaPatch):
    return _edit(request, Area, area_id, payload, AREA_FIELDS)
