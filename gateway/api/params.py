"""Parameter types shared by the routers: bounded so no value overflows a database column."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from ninja import Field, Path, Query, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator

ID_MAX = 2**63 - 1  # a BigAutoField
OFFSET_MAX = 10**12

Id = Annotated[int, Path(ge=1, le=ID_MAX)]
IdFilter = Annotated[int | None, Query(None, ge=1, le=ID_MAX)]
Offset = Annotated[int, Query(0, ge=0, le=OFFSET_MAX)]
Limit = Annotated[int, Query(100, ge=1, le=1000)]


def _in_utc(moment: datetime) -> datetime:
    """Any offset ISO 8601 allows (PostgreSQL refuses some, like +16:18), given in UTC."""
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("date out of range") from exc


Since = Annotated[datetime | None, AfterValidator(lambda m: m and _in_utc(m)), Query(None)]


class Pages(LimitOffsetPagination):
    """`?limit=&offset=` → `{"items": [...], "count": n}`."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=1000)
        offset: int = Field(0, ge=0, le=OFFSET_MAX)
