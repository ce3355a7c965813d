"""Reading a request's body as parameters, the way Plivo's API does.

Bodies are JSON (every SDK sends JSON on POST and DELETE); form-encoded bodies
are accepted too, as a curl user would send them. The values are then read with
:class:`emulator.params.Params`.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from starlette.requests import Request

from emulator.http.errors import HTTPProblem
from emulator.unicode import find_lone_surrogate, path_text

E = TypeVar("E", bound=StrEnum)

MAX_BODY_BYTES = 1024 * 1024


class BodyError(HTTPProblem):
    """A body that cannot be read as parameters at all."""


async def read_body(request: Request) -> dict[str, Any]:
    """The parameters of a POST or DELETE: ``{}`` for an empty body."""
    body = await _read_limited(request)
    if not body.strip():
        return {}
    content_type = request.headers.get("content-type", "")
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type in ("", "application/json") or media_type.endswith("+json"):
        return _parse_json(body)
    if media_type == "application/x-www-form-urlencoded":
        return _parse_form(body)
    raise BodyError(415, f'Unsupported media type "{content_type}" in request; send application/json')


async def read_json_body(request: Request) -> dict[str, Any]:
    """A control-plane body: always JSON, whatever the Content-Type (``curl -d`` says form)."""
    body = await _read_limited(request)
    return _parse_json(body) if body.strip() else {}


async def _read_limited(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise BodyError(413, f"request body larger than {MAX_BODY_BYTES} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise BodyError(413, f"request body larger than {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise BodyError(400, f"JSON parse error - {exc}") from None
    if not isinstance(data, dict):
        raise BodyError(400, f"Invalid data. Expected a JSON object, but got {type(data).__name__}.")
    where = find_lone_surrogate(data)
    if where is not None:
        # Accepting it anywhere, even in a key nobody reads, would store a value that breaks every
        # later answer or callback that includes it.
        raise BodyError(
            400,
            f"invalid {path_text(where)}: it holds a lone UTF-16 surrogate (an unpaired \\uD800-\\uDFFF "
            "escape), which is not a character; the whole body was refused",
        )
    return data


def _parse_form(body: bytes) -> dict[str, Any]:
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise BodyError(400, "form body is not valid UTF-8") from None
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key not in data:
            data[key] = value
        elif isinstance(data[key], list):
            data[key].append(value)
        else:
            data[key] = [data[key], value]
    return data
