"""Parameter types shared by the routers: bounded so no number overflows a database column."""

from __future__ import annotations

from typing import Annotated

from ninja import Field, Path, Query, Schema
from ninja.pagination import LimitOffsetPagination

ID_MAX = 2**63 - 1  # a BigAutoField
OFFSET_MAX = 10**12

Id = Annotated[int, Path(ge=1, le=ID_MAX)]
IdFilter = Annotated[int | None, Query(None, ge=1, le=ID_MAX)]
Offset = Annotated[int, Query(0, ge=0, le=OFFSET_MAX)]
Limit = Annotated[int, Query(100, ge=1, le=1000)]


class Pages(LimitOffsetPagination):
    """`?limit=&offset=` → `{"items": [...], "count": n}`."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=1000)
        offset: int = Field(0, ge=0, le=OFFSET_MAX)
