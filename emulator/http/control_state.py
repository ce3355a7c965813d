"""``GET /__emulator__/state``: what the emulator holds, whole or a page at a time.

Whole, it is streamed: serialized a slice at a time, the event loop free between slices, so a
state of 100,000 recordings never stalls health checks, the API or callback delivery. A page
(``limit``, ``offset``, ``order``; one account) holds that account's MPCs in creation order, with
their members and recordings: what the dashboard shows.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from typing import TypeVar

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from emulator.domain.account import Account
from emulator.domain.calls import Call
from emulator.domain.errors import InvalidParameter, NotFound
from emulator.domain.mpc import MPC
from emulator.domain.recording import Recording
from emulator.domain.transcription import Transcription
from emulator.domain.values import plivo_time
from emulator.http.errors import PlivoJSONResponse
from emulator.http.links import RecordingOrigins
from emulator.http.serializers import Json, mpc_json, participant_json
from emulator.http.state import state_of
from emulator.params import Params

T = TypeVar("T")

MAX_PAGE = 1000
# Objects serialized between two returns to the event loop (an MPC with its members takes about
# 0.1 ms: a slice is a couple of milliseconds; bench/state.py measures it).
SLICE = 20


def recording_state(recording: Recording, account: Account, origins: RecordingOrigins) -> Json:
    return {
        "recording_id": recording.recording_id,
        "scope": recording.scope.value,
        "mpc_uuid": recording.mpc_uuid,
        "mpc_name": recording.mpc_name,
        "member_id": recording.member_id,
        "record_track_type": recording.track_type.value if recording.track_type else None,
        "state": recording.state.value,
        "file_format": recording.file_format.value,
        "recording_callback_url": recording.options.callback_url,
        "recording_callback_method": recording.options.callback_method.value,
        "recording_url": origins.links(recording).media_url,
        "start_time": plivo_time(recording.start_time),
        "end_time": plivo_time(recording.end_time),
        "duration_seconds": round(recording.duration(account.clock()).total_seconds(), 3),
        "failure_reason": recording.failure_reason,
        "sequence": recording.sequence,
    }


def call_state(call: Call) -> Json:
    """A member's call: its progress and, once ended, why (Plivo's hangup cause, code and source)."""
    hangup = call.hangup
    return {
        "call_uuid": call.call_uuid,
        "mpc_uuid": call.mpc_uuid,
        "request_uuid": call.request_uuid,
        "from": call.from_number,
        "to": call.to_number,
        "direction": call.direction,
        "status": call.status.value,
        "initiated": plivo_time(call.initiated_at),
        "answered": plivo_time(call.answered_at),
        "ended": plivo_time(call.ended_at),
        "hangup_cause": hangup.cause if hangup else None,
        "hangup_cause_code": hangup.code if hangup else None,
        "hangup_source": hangup.source if hangup else None,
        "call_status_callback_url": call.status_callback.url if call.status_callback else None,
        "on_exit_action_url": call.on_exit_action.url if call.on_exit_action else None,
    }


def transcription_state(transcription: Transcription) -> Json:
    recording = transcription.recording
    return {
        "recording_id": recording.recording_id,
        "mpc_uuid": recording.mpc_uuid,
        "member_id": recording.member_id,
        "status": transcription.status.value,
        "ordered": plivo_time(transcription.ordered_at),
        "finished": plivo_time(transcription.finished_at),
        "transcription_url": transcription.callback_url,
        "duration_ms": transcription.duration_ms,
        "charge": transcription.charge,
        "error": transcription.error,
    }


def mpc_state(account: Account, mpc: MPC) -> Json:
    segment = f"uuid_{mpc.mpc_uuid}"
    return {
        **mpc_json(account.auth_id, mpc, segment),
        "participants": [participant_json(account.auth_id, m, segment) for m in mpc.participants.values()],
        "recordings": [r.recording_id for r in mpc.recordings],
        # Plays and speaks in progress (member Play and Speak), by the member form they were started with.
        "audio": [
            {
                "kind": audio.spec.kind.value,
                "members": audio.key,
                "member_ids": list(audio.member_ids),
                "urls": list(audio.spec.urls),
                "text": audio.spec.text or None,
                "started": plivo_time(audio.started),
                "seconds": audio.spec.seconds,
            }
            for audio in mpc.audio.values()
        ],
    }


def _dumps(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


async def _array(items: Sequence[T], render: Callable[[T], Json]) -> AsyncIterator[str]:
    """A JSON array, SLICE items at a time, yielding to the event loop after each slice."""
    yield "["
    for start in range(0, len(items), SLICE):
        chunk = ", ".join(_dumps(render(item)) for item in items[start : start + SLICE])
        yield ("" if start == 0 else ", ") + chunk
        await asyncio.sleep(0)
    yield "]"


async def _account(account: Account, origins: RecordingOrigins) -> AsyncIterator[str]:
    # Lists taken now: requests handled between slices may add to the account, not break this answer.
    mpcs, recordings = list(account.mpcs.values()), list(account.recordings.values())
    calls, transcriptions = list(account.calls), list(account.transcriptions)
    yield f'{{"auth_id": {_dumps(account.auth_id)}, "mpcs": '
    async for part in _array(mpcs, lambda m: mpc_state(account, m)):
        yield part
    yield ', "recordings": '
    async for part in _array(recordings, lambda r: recording_state(r, account, origins)):
        yield part
    yield ', "calls": '
    async for part in _array(calls, call_state):
        yield part
    yield ', "transcriptions": '
    async for part in _array(transcriptions, transcription_state):
        yield part
    yield "}"


async def _everything(accounts: Iterable[Account], origins: RecordingOrigins) -> AsyncIterator[str]:
    yield '{"accounts": ['
    for index, account in enumerate(list(accounts)):
        if index:
            yield ", "
        async for part in _account(account, origins):
            yield part
    yield "]}"


async def state(request: Request) -> Response:
    backend, origins = state_of(request).backend, state_of(request).origins
    q = Params(dict(request.query_params))
    auth_id, mpc_uuid = q.text("auth_id"), q.text("mpc_uuid")
    paged = "limit" in q or "offset" in q or "order" in q or mpc_uuid is not None
    if not paged:
        body = (
            _account(backend.account(auth_id), origins)
            if auth_id is not None
            else _everything(backend.accounts, origins)
        )
        return StreamingResponse(body, media_type="application/json")
    if auth_id is None:
        raise InvalidParameter("auth_id", "auth_id is required with limit, offset, order or mpc_uuid")
    return PlivoJSONResponse(_page(backend.account(auth_id), q, mpc_uuid, origins))


def _page(account: Account, q: Params, mpc_uuid: str | None, origins: RecordingOrigins) -> Json:
    """One page of an account's MPCs (or the one named), their recordings and calls, and the
    newest calls outside any MPC."""
    limit = q.integer("limit", 100, minimum=1, maximum=MAX_PAGE)
    offset = q.integer("offset", 0, minimum=0)
    order = q.text("order", default="oldest")
    if order not in ("oldest", "newest"):
        raise InvalidParameter("order", f"invalid order '{order}': allowed values are oldest, newest")
    if mpc_uuid is not None:
        mpc = account.mpcs.get(mpc_uuid)
        if mpc is None:
            raise NotFound(f"MPC {mpc_uuid} not found in account {account.auth_id}")
        selected, total = [mpc], 1
    else:
        everything = list(account.mpcs.values())
        total = len(everything)
        if order == "newest":
            everything.reverse()
        selected = everything[offset : offset + limit]
    following = offset + len(selected)
    shown = {m.mpc_uuid for m in selected}
    calls = [c for c in account.calls if c.mpc_uuid in shown]
    calls += [c for c in account.calls if c.mpc_uuid is None][-limit:]
    return {
        "auth_id": account.auth_id,
        "mpcs": [mpc_state(account, m) for m in selected],
        "recordings": [recording_state(r, account, origins) for m in selected for r in m.recordings],
        "calls": [call_state(c) for c in calls],
        "total_mpcs": total,
        "offset": offset,
        "limit": limit,
        "order": order,
        "next_offset": following if following < total else None,
    }
