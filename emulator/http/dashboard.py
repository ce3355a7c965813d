"""The live dashboard: its page, the change counter it polls, and the per-call timeline."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from emulator.delivery.activity import family_of
from emulator.delivery.journal import DeliveryState, JournalQuery
from emulator.http.control_delivery import account_id, clock_state
from emulator.http.errors import PlivoJSONResponse
from emulator.http.serializers import Json
from emulator.http.state import state_of
from emulator.params import Params


async def version(request: Request) -> Response:
    """A number that changes whenever anything observable changes, with the clock (the account's,
    with ``auth_id``): what a dashboard polls."""
    engine = state_of(request).engine
    auth_id = account_id(request, Params(dict(request.query_params)).text("auth_id"))
    return PlivoJSONResponse({"version": engine.version, "clock": clock_state(engine, auth_id)})


def _about_call(call_uuid: str | None, detail: Mapping[str, object]) -> bool:
    """Whether a state change or a callback's parameters concern call ``call_uuid`` (None: any)."""
    return call_uuid is None or call_uuid in (
        detail.get("call_uuid"),
        detail.get("CallUUID"),
        detail.get("ParticipantCallUUID"),
    )


async def timeline(request: Request) -> Response:
    """One account's, one MPC's or one call's history: state changes and callback attempts, in time
    order (a call's: its own events, its XML's steps, and every request about it)."""
    engine = state_of(request).engine
    q = Params(dict(request.query_params))
    auth_id, mpc_uuid, call_uuid = q.text("auth_id"), q.text("mpc_uuid"), q.text("call_uuid")
    items: list[tuple[str, int, Json]] = []
    for activity in engine.state_changes(auth_id, mpc_uuid):
        if _about_call(call_uuid, activity.detail):
            items.append((activity.at.isoformat(), 0, {"source": "state", **activity.to_json()}))
    for entry in engine.callbacks(JournalQuery(auth_id=auth_id, mpc_uuid=mpc_uuid)):
        if not _about_call(call_uuid, entry.callback.params):
            continue
        cb = entry.callback
        head = {
            "source": "callback",
            "kind": cb.event_name,
            "family": family_of(cb.event_name),
            "auth_id": cb.auth_id,
            "mpc_uuid": cb.mpc_uuid,
        }
        base = {"sequence": cb.sequence, "recording_id": cb.recording_id, "url": cb.url}
        for attempt in entry.attempts:
            detail = {**base, "attempt": attempt.number, "status": attempt.status, "error": attempt.error}
            items.append(
                (attempt.time.isoformat(), 1, {**head, "at": attempt.time.isoformat(), "detail": detail})
            )
        if entry.state is DeliveryState.PENDING and not entry.attempts:
            detail = {**base, "state": "pending"}
            items.append((cb.due.isoformat(), 1, {**head, "at": cb.due.isoformat(), "detail": detail}))
    ordered = [item for _, _, item in sorted(items, key=lambda i: (i[0], i[1]))]
    return PlivoJSONResponse({"timeline": ordered})


async def page(request: Request) -> Response:
    page = resources.files("emulator.http").joinpath("dashboard.html").read_text(encoding="utf-8")
    return HTMLResponse(page)
