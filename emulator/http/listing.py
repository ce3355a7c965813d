"""What every Plivo list endpoint shares: time-window filters and one page of results."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from starlette.responses import Response

from emulator.domain.errors import InvalidParameter
from emulator.http.errors import PlivoJSONResponse
from emulator.http.resource import PlivoCall
from emulator.http.serializers import Json, list_envelope
from emulator.params import Params

T = TypeVar("T")

_TIME_FILTER = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$")


def time_bounds(params: Params, field: str) -> tuple[tuple[str, datetime], ...]:
    """``{field}__gt|gte|lt|lte`` filters, in Plivo's ``YYYY-MM-DD HH:MM[:ss[.uuuuuu]]`` (UTC)."""
    bounds = []
    for op in ("gt", "gte", "lt", "lte"):
        name = f"{field}__{op}"
        value = params.text(name)
        if value is None:
            continue
        if not _TIME_FILTER.match(value):
            raise InvalidParameter(name, f"invalid {name} '{value}': use YYYY-MM-DD HH:MM[:ss[.uuuuuu]]")
        try:
            bounds.append((op, datetime.fromisoformat(value).replace(tzinfo=UTC)))
        except ValueError:
            raise InvalidParameter(name, f"invalid {name} '{value}': not a real date and time") from None
    return tuple(bounds)


def page_of(
    call: PlivoCall,
    list_path: str,
    items: Sequence[T],
    render: Callable[[T], Json],
    *,
    count_key: str = "count",
) -> Response:
    """One page (``limit``/``offset``) of ``items`` in Plivo's list envelope."""
    limit = call.params.integer("limit", 20, minimum=1, maximum=20)
    offset = call.params.integer("offset", 0, minimum=0)
    objects = [render(item) for item in items[offset : offset + limit]]
    body = list_envelope(
        call.api_id(),
        list_path,
        objects,
        total=len(items),
        limit=limit,
        offset=offset,
        query=call.request.query_params,
        count_key=count_key,
    )
    return PlivoJSONResponse(body)
