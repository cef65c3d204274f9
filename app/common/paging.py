"""One page of a list, and what templates/_partials/pager.html needs to link its neighbours."""
import math
from dataclasses import dataclass, field

from flask import request, url_for

from app.extensions import db

PAGE_ARG = "page"
MAX_PAGE = 100_000  # a page number past this is a typo or a probe, not a reader


@dataclass
class Page:
    """`total` is None when the list was not counted: a COUNT(*) over a million rows costs
    more than the page itself, so "next" is known by fetching one row more. `exact` is False
    when the count stopped at a cap ("more than 1,000")."""

    items: list
    page: int
    has_next: bool
    per_page: int
    total: int | None = None
    exact: bool = True
    extra: dict = field(default_factory=dict)

    @classmethod
    def counted(cls, items: list, page: int, total: int, per_page: int, extra: dict | None = None) -> "Page":
        return cls(items=items, page=page, has_next=page * per_page < total, per_page=per_page, total=total,
                   extra=extra or {})

    @property
    def pages(self) -> int | None:
        if self.total is None or not self.exact:
            return None
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def page_number(raw: int | None) -> int:
    return max(1, min(raw or 1, MAX_PAGE))


def requested_page() -> int:
    """The page a list was asked for (`?page=`), within 1 .. MAX_PAGE whatever was typed."""
    return page_number(request.args.get(PAGE_ARG, type=int))


def page_url(number: int) -> str:
    """This list at page `number`, every other argument of the query string kept (the
    filters of a search), for templates/_partials/pager.html."""
    values = {**request.args.to_dict(flat=False), **(request.view_args or {}), PAGE_ARG: number}
    return url_for(request.endpoint, **values)


def fetch(query, page: int, per_page: int, unique: bool = False) -> Page:
    """Run `query` for one page, without counting: one row more tells whether a next exists."""
    page = page_number(page)
    result = db.session.scalars(query.offset((page - 1) * per_page).limit(per_page + 1))
    rows = result.unique().all() if unique else result.all()
    return Page(items=list(rows[:per_page]), page=page, has_next=len(rows) > per_page, per_page=per_page)
