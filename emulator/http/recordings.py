"""Plivo's Recording resource (get, list, delete) and the audio behind every ``recording_url``."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from emulator.domain.errors import InvalidParameter, NotFound
from emulator.domain.filters import RecordingFilter, storage_days
from emulator.domain.recording import Recording
from emulator.http.auth import authenticate
from emulator.http.errors import HTTPProblem, PlivoJSONResponse
from emulator.http.faults import injected_fault
from emulator.http.links import account_path
from emulator.http.listing import page_of, time_bounds
from emulator.http.paths import decode_segment
from emulator.http.resource import PlivoCall
from emulator.http.serializers import recording_json
from emulator.http.state import state_of
from emulator.media import MediaFile, media_for

ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
DEFAULT_WINDOW = timedelta(days=7)
MAX_WINDOW = timedelta(days=30)
CHUNK = 64 * 1024


def _render(call: PlivoCall, recording: Recording) -> dict[str, object]:
    account = call.account
    now = account.clock()
    media_url = call.links(recording).media_url
    return recording_json(
        recording, account.recordings.member_of(recording), now, storage_days(recording, now), media_url
    )


def get_recording(call: PlivoCall) -> Response:
    recording = call.account.recordings.find(call.path["recording_id"])
    return PlivoJSONResponse({"api_id": call.api_id(), **_render(call, recording)})


def delete_recording(call: PlivoCall) -> Response:
    call.account.recordings.delete(call.path["recording_id"])
    return Response(status_code=204)


def _storage_bounds(call: PlivoCall) -> tuple[tuple[str, int], ...]:
    bounds = []
    for suffix, op in (("", "eq"), ("__gt", "gt"), ("__gte", "gte"), ("__lt", "lt"), ("__lte", "lte")):
        name = f"recording_storage_duration{suffix}"
        if name in call.params:
            bounds.append((op, call.params.integer(name, 0, minimum=0)))
    return tuple(bounds)


def list_recordings(call: PlivoCall) -> Response:
    p = call.params
    add_time = time_bounds(p, "add_time")
    now = call.account.clock()
    lower = [bound for op, bound in add_time if op in ("gt", "gte")]
    upper = [bound for op, bound in add_time if op in ("lt", "lte")]
    if lower and upper and max(upper) - min(lower) > MAX_WINDOW:
        raise InvalidParameter("add_time", "the add_time range may span at most 30 days")
    storage = _storage_bounds(call)
    if add_time and storage:
        raise InvalidParameter(
            "recording_storage_duration", "filter by add_time or by recording_storage_duration, not both"
        )
    if not add_time and not storage:
        # Without a time filter, Plivo lists the last 7 days (days of storage are a time filter too).
        add_time = (("gte", now - DEFAULT_WINDOW),)
    p.text("subaccount")  # type-checked only: subaccount hierarchies are not modelled
    p.text("cursor")  # pages are offset-based here; meta.next always carries an offset
    query = RecordingFilter(
        mpc_name=p.text("mpc_name"),
        mpc_uuid=p.text("mpc_uuid"),
        call_uuid=p.text("call_uuid"),
        from_number=p.text("from_number"),
        to_number=p.text("to_number"),
        conference=p.text("conference_name") is not None or p.text("conference_uuid") is not None,
        add_time=add_time,
        storage_days=storage,
    )
    found = call.account.recordings.list(query)
    path = f"{account_path(call.account.auth_id)}Recording/"
    return page_of(call, path, found, lambda r: _render(call, r), count_key="total_count")


# ------------------------------------------------------------------------ media

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The one ``Range: bytes=a-b`` asked for, as [start, end); None for the whole file.

    Several ranges, or a header that is not understood, get the whole file (as RFC 9110 allows).
    """
    if header is None or (match := _RANGE.match(header.strip())) is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        start, end = max(0, size - int(last)), size
    else:
        start, end = int(first), size if not last else min(size, int(last) + 1)
    if start >= size or start >= end:
        raise HTTPProblem(
            416, f"range {header!r} is outside the file ({size} bytes)", {"Content-Range": f"bytes */{size}"}
        )
    return start, end


async def _stream(media: MediaFile, start: int, end: int) -> AsyncIterator[bytes]:
    offset = start
    while offset < end:
        chunk = media.read(offset, min(CHUNK, end - offset))
        offset += len(chunk)
        yield chunk


def _media_response(request: Request, media: MediaFile) -> Response:
    headers = {"Accept-Ranges": "bytes", "Cache-Control": "private, max-age=3600"}
    span = _byte_range(request.headers.get("range"), media.size)
    start, end = span if span is not None else (0, media.size)
    headers["Content-Length"] = str(end - start)
    status = 200
    if span is not None:
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{media.size}"
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type=media.content_type)
    return StreamingResponse(
        _stream(media, start, end), status_code=status, headers=headers, media_type=media.content_type
    )


async def media(request: Request) -> Response:
    """``GET /v1/Account/{auth_id}/Recording/{recording_id}.{mp3|wav}``: the recording's audio.

    Public by default, as Plivo's media URLs are; ``--media-auth`` asks for the account's Basic auth
    (Plivo's "HTTP Auth on recordings" setting).
    """
    state = state_of(request)
    auth_id = decode_segment(request.path_params["auth_id"])
    fault = await injected_fault(request, auth_id)
    if fault is not None:
        return fault
    if request.method not in ("GET", "HEAD"):
        raise HTTPProblem(
            405, f'method "{request.method}" not allowed on a recording file', {"Allow": "GET, HEAD"}
        )
    if state.settings.media_auth:
        authenticate(request, state.backend, auth_id)
    try:
        account = state.backend.account(auth_id)
    except NotFound:
        raise NotFound("recording not found") from None
    recording = account.recordings.find(decode_segment(request.path_params["recording_id"]))
    if decode_segment(request.path_params["file_format"]) != recording.file_format.value:
        raise NotFound(f"recording '{recording.recording_id}' is a {recording.file_format.value} file")
    seconds = recording.duration(account.clock()).total_seconds()
    audio = media_for(recording.file_format.value, seconds, recording.channels)
    return _media_response(request, audio)
