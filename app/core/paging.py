"""Server-side pagination: the Page model every list answers with."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.core.types import Input

T = TypeVar("T")
MAX_PAGE_SIZE = 200


class PageParams(Input):
    """Query parameters shared by every list: page, page size, search, sort."""

    @model_validator(mode="before")
    @classmethod
    def _blank_is_unset(cls, data: Any) -> Any:
        """An empty filter field in a form means "any", not an invalid value."""
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v != ""}
        return data

    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(25, ge=1, le=MAX_PAGE_SIZE)
    q: str = Field("", max_length=100)
    sort: str = Field("", max_length=40)


class Page(BaseModel, Generic[T]):
    """One page of a list: {"items", "total", "page", "page_size"}."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    items: list[T]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, math.ceil(self.total / self.page_size))


def paginate(db: Session, query: Select, page: int, page_size: int) -> Page:
    """Run `query` for one page of ORM rows and count the whole result."""
    total = db.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = db.scalars(query.limit(page_size).offset((page - 1) * page_size)).unique().all()
    return Page(items=list(rows), total=total, page=page, page_size=page_size)


def iterate_all(db: Session, query: Select[T], batch: int = 1000, limit: int = 1_000_000) -> Iterator[T]:
    """Every row of `query` in batches from one cursor (exports): no COUNT, no OFFSET."""
    yield from db.scalars(query.limit(limit).execution_options(yield_per=batch))


def apply_sort(query: Select, sort: str, columns: dict, default: str) -> Select:
    """Order `query` by `sort` ("name" or "-name") among allowed `columns`; else `default`."""
    key = sort if sort.lstrip("-") in columns else default
    column = columns[key.lstrip("-")]
    return query.order_by(column.desc() if key.startswith("-") else column.asc())
