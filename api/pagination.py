"""`page` and `limit` query parameters, and the page of a list with its place in `meta`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from ninja import Field, Schema

LIMIT_MAX = 100


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=100_000)
    limit: int = Field(25, ge=1, le=LIMIT_MAX)


class Pagination(Schema):
    timestamp: str
    page: int
    limit: int
    total: int
    totalPages: int


def page_of(rows: QuerySet | Sequence, query: PageQuery) -> tuple[list[Any], dict[str, int]]:
    """The rows of the asked page (none past the last) and the meta describing it."""
    paginator = Paginator(rows, query.limit)
    total = paginator.count
    items = list(paginator.page(query.page)) if query.page <= paginator.num_pages else []
    pages = paginator.num_pages if total else 0
    return items, {"page": query.page, "limit": query.limit, "total": total, "totalPages": pages}
