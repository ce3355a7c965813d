"""Plivo's Call API: make a call, list and get live calls, read a finished call's record (CDR),
hang up, cancel a request. Shapes follow plivo-python's fixtures (``callCreateResponse``,
``liveCallGetResponse``, ``liveCallListGetResponse``, ``callGetResponse``, ``callListResponse``)."""

from __future__ import annotations

import math

from starlette.responses import Response

from emulator.domain.billing import RATE_PER_MINUTE
from emulator.domain.call_api import CallAPI
from emulator.domain.calls import MAX_TIME_LIMIT, Call, CallApp
from emulator.domain.errors import InvalidParameter, NotFound
from emulator.domain.values import CallbackMethod, plivo_time
from emulator.http.errors import PlivoJSONResponse
from emulator.http.links import account_path
from emulator.http.listing import page_of
from emulator.http.resource import PlivoCall
from emulator.http.serializers import Json
from emulator.params import Params
from emulator.specs import webhook

LIVE = "live"


def _check_settings(p: Params) -> None:
    """Make-call parameters accepted and validated as Plivo documents them, with no effect yet."""
    p.boolean("send_on_preanswer", False)
    p.boolean("error_if_parent_not_found", False)
    p.integer("machine_detection_time", 5000, minimum=2000, maximum=10000)
    p.url("machine_detection_url")
    p.choice("machine_detection_method", CallbackMethod, CallbackMethod.POST)
    detection = p.text("machine_detection")
    if detection is not None and detection.lower() not in ("true", "hangup"):
        raise InvalidParameter("machine_detection", "machine_detection must be true or hangup")
    for name in ("send_digits", "sip_headers", "parent_call_uuid"):
        p.text(name)


def call_app(p: Params) -> CallApp:
    """The URLs Plivo asks about a call (make-call's, or an inbound call's application)."""
    caller_name = p.text("caller_name") or ""
    if len(caller_name) > 50:
        raise InvalidParameter("caller_name", "caller_name must be at most 50 characters long")
    answer = webhook(p, "answer")
    if answer is None:
        raise InvalidParameter("answer_url", "answer_url is required")
    ring_timeout = p.integer("ring_timeout", 120, minimum=0)
    time_limit = min(p.integer("time_limit", 14400, minimum=1), MAX_TIME_LIMIT)
    hangup_on_ring = p.integer("hangup_on_ring", 0, minimum=0) or None
    hooks = (webhook(p, "ring"), webhook(p, "hangup"), webhook(p, "fallback"))
    return CallApp(
        answer,
        *hooks,
        caller_name=caller_name,
        ring_timeout=ring_timeout,
        time_limit=time_limit,
        hangup_on_ring=hangup_on_ring,
    )


def make_call(call: PlivoCall) -> Response:
    p = call.params
    from_number = p.required_text("from")
    to = tuple(part.strip() for part in p.required_text("to").split("<"))
    if any(not part for part in to):
        raise InvalidParameter("to", "invalid to: an empty destination between '<'")
    app = call_app(p)
    _check_settings(p)
    placed = CallAPI(call.account).make(from_number, to, app)
    body = {"api_id": call.api_id(), "message": "call fired", "request_uuid": placed.request_uuid}
    return PlivoJSONResponse(body, status_code=201)


def _live_json(found: Call) -> Json:
    return {
        "call_status": found.status.value,
        "call_uuid": found.call_uuid,
        "caller_name": found.app.caller_name if found.app else "",
        "direction": found.direction,
        "from": found.from_number,
        "request_uuid": found.request_uuid,
        "session_start": found.initiated_at.strftime("%Y-%m-%d %H:%M:%S.%f"),
        "to": found.to_number,
    }


def _record_json(auth_id: str, found: Call) -> Json:
    """A finished call's record: the fixture's fields, and the docs' hangup fields."""
    answered = found.answered_at is not None
    minutes = max(1, math.ceil(found.duration / 60)) if answered else 0
    hangup = found.hangup
    return {
        "answer_time": plivo_time(found.answered_at),
        "bill_duration": found.duration,
        "billed_duration": minutes * 60,
        "call_direction": found.direction,
        "call_duration": found.duration,
        "call_uuid": found.call_uuid,
        "end_time": plivo_time(found.ended_at),
        "from_number": found.from_number,
        "hangup_cause_code": hangup.code if hangup else None,
        "hangup_cause_name": hangup.cause if hangup else None,
        "hangup_source": hangup.source if hangup else None,
        "initiation_time": plivo_time(found.initiated_at),
        "parent_call_uuid": None,
        "resource_uri": f"{account_path(auth_id)}Call/{found.call_uuid}/",
        "to_number": found.to_number,
        "total_amount": f"{minutes * RATE_PER_MINUTE:.5f}",
        "total_rate": f"{RATE_PER_MINUTE:.5f}",
    }


def _direction(p: Params) -> str | None:
    direction = p.text("call_direction")
    if direction is not None and direction not in ("inbound", "outbound"):
        raise InvalidParameter("call_direction", "call_direction must be inbound or outbound")
    return direction


def _matches(found: Call, direction: str | None, from_number: str | None, to_number: str | None) -> bool:
    return (
        (direction is None or found.direction == direction)
        and (from_number is None or found.from_number == from_number)
        and (to_number is None or found.to_number == to_number)
    )


def list_calls(call: PlivoCall) -> Response:
    """``?status=live``: the live calls' uuids; otherwise finished calls' records, newest first."""
    p = call.params
    direction, from_number, to_number = _direction(p), p.text("from_number"), p.text("to_number")
    status = p.text("status")
    if status is not None and status != LIVE:
        raise InvalidParameter("status", "status must be live (or left out, for finished calls)")
    calls = list(call.account.calls)
    if status == LIVE:
        live = [c.call_uuid for c in calls if c.live and _matches(c, direction, from_number, to_number)]
        return PlivoJSONResponse({"api_id": call.api_id(), "calls": live})
    ended = [c for c in calls if not c.live and _matches(c, direction, from_number, to_number)]
    ended.sort(key=lambda c: c.ended_at or c.initiated_at, reverse=True)
    path = f"{account_path(call.account.auth_id)}Call/"
    auth_id = call.account.auth_id
    return page_of(call, path, ended, lambda c: _record_json(auth_id, c), count_key="total_count")


def get_call(call: PlivoCall) -> Response:
    call_uuid = call.path["call_uuid"]
    found = call.account.calls.get(call_uuid)
    status = call.params.text("status")
    if status is not None and status != LIVE:
        raise InvalidParameter("status", "status must be live (or left out, for a finished call)")
    if status == LIVE:
        if found is None or not found.live:
            raise NotFound(f"no live call '{call_uuid}'")
        return PlivoJSONResponse({"api_id": call.api_id(), **_live_json(found)})
    if found is None or found.live:
        hint = " (it is live: add ?status=live)" if found is not None else ""
        raise NotFound(f"no finished call '{call_uuid}'{hint}")
    return PlivoJSONResponse({"api_id": call.api_id(), **_record_json(call.account.auth_id, found)})


def hang_up(call: PlivoCall) -> Response:
    call.account.hang_up_call(call.path["call_uuid"])
    return Response(status_code=204)


def cancel_request(call: PlivoCall) -> Response:
    CallAPI(call.account).cancel(call.path["request_uuid"])
    return Response(status_code=204)
