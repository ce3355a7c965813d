"""The control plane of time and delivery: the clock, the journal of callbacks, the scenarios."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response

from emulator.delivery.engine import CallbackEngine
from emulator.delivery.journal import DeliveryState, JournalQuery
from emulator.delivery.scenarios import ScenarioErrors, check_seed_accounts, load_scenarios
from emulator.domain.errors import InvalidParameter
from emulator.http.control_common import json_params
from emulator.http.errors import HTTPProblem, PlivoJSONResponse
from emulator.http.serializers import Json
from emulator.http.state import state_of
from emulator.params import Params


def clock_state(engine: CallbackEngine, auth_id: str | None = None) -> Json:
    """The emulator's clock; or one account's, with how many seconds it is ahead of the emulator's."""
    status = engine.clock_status(auth_id)
    state: Json = {
        "mode": status.mode,
        "speed": status.speed,
        "now": status.now.isoformat(),
        "pending": status.pending,
    }
    if auth_id is not None:
        state.update(auth_id=auth_id, ahead=status.ahead)
    return state


def account_id(request: Request, auth_id: str | None) -> str | None:
    """``auth_id`` checked to name an account (404 otherwise)."""
    return None if auth_id is None else state_of(request).backend.account(auth_id).auth_id


async def clock(request: Request) -> Response:
    """``GET /__emulator__/clock[?auth_id=]``."""
    auth_id = account_id(request, Params(dict(request.query_params)).text("auth_id"))
    return PlivoJSONResponse(clock_state(state_of(request).engine, auth_id))


MAX_ADVANCE = 10 * 365 * 24 * 3600


async def advance_clock(request: Request) -> Response:
    """Move time ahead, for every account (a manual clock) or for one (``auth_id``, either clock);
    answers once everything due on the way has been delivered or given up."""
    p = await json_params(request)
    named = request.path_params.get("auth_id") or p.text("auth_id")
    return await _advance(request, p, account_id(request, named))


async def _advance(request: Request, p: Params, auth_id: str | None) -> Response:
    engine = state_of(request).engine
    seconds = p.raw("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 0 <= seconds <= MAX_ADVANCE:
        raise InvalidParameter("seconds", f"seconds must be a number from 0 to {MAX_ADVANCE}")
    if auth_id is None and engine.clock_mode != "manual":
        raise HTTPProblem(
            409,
            "the clock is real: start the emulator with --clock manual to advance every account, "
            "or advance one account (auth_id)",
        )
    report = await engine.advance(float(seconds), auth_id)
    return PlivoJSONResponse(
        {
            **clock_state(engine, auth_id),
            "advanced": seconds,
            "callbacks": [e.to_json() for e in report.callbacks],
            "attempted": report.attempted,
            "delivered": report.delivered,
            "failed": report.failed,
            "truncated": report.truncated,
        }
    )


async def _disconnected(request: Request) -> None:
    """Returns when the client closes its connection (a long-poll must not outlive its caller)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def callbacks(request: Request) -> Response:
    """The delivery journal, filtered; ``wait`` + ``min_count`` long-poll for callbacks to come;
    ``limit`` keeps the newest (``count`` still counts every match)."""
    q = Params(dict(request.query_params))
    query = JournalQuery(
        auth_id=q.text("auth_id"),
        recording_id=q.text("recording_id"),
        mpc_uuid=q.text("mpc_uuid"),
        event=q.text("event"),
        state=q.optional_choice("state", DeliveryState),
    )
    engine = state_of(request).engine
    wait = q.number("wait", 0.0, minimum=0, maximum=300)
    min_count = q.integer("min_count", 1, minimum=0, maximum=1_000_000)
    limit = q.integer("limit", 0, minimum=0, maximum=1_000_000)
    if wait > 0:
        waiting = asyncio.ensure_future(engine.wait_for_callbacks(query, min_count, wait))
        gone = asyncio.ensure_future(_disconnected(request))
        await asyncio.wait((waiting, gone), return_when=asyncio.FIRST_COMPLETED)
        gone.cancel()
        if not waiting.done():  # the client left: stop waiting for it
            waiting.cancel()
            return Response(status_code=204)
        found, satisfied = waiting.result()
    else:
        found = engine.callbacks(query)
        satisfied = len(found) >= min_count
    shown = found[-limit:] if limit else found  # the newest, when a reader wants only some
    return PlivoJSONResponse(
        {
            "callbacks": [e.to_json() for e in shown],
            "count": len(found),
            "satisfied": satisfied,
            "truncated": len(shown) < len(found),
        }
    )


async def scenarios(request: Request) -> Response:
    loaded = state_of(request).engine.scenario_set
    return PlivoJSONResponse({"default": loaded.default.name, "scenarios": [s.summary() for s in loaded]})


async def choose_account_scenario(request: Request) -> Response:
    """Every recording the account starts follows this scenario (unless a request names another);
    ``{"scenario": null}`` goes back to matching. A reset of the account forgets the choice."""
    state = state_of(request)
    account = state.backend.account(request.path_params["auth_id"])
    name = (await json_params(request)).text("scenario")
    state.engine.choose_account_scenario(account.auth_id, name)
    return PlivoJSONResponse({"auth_id": account.auth_id, "scenario": name})


async def reload_scenarios(request: Request) -> Response:
    """Read the scenario files again (after editing them): all or nothing, like at start-up.

    Recordings already started keep their scenario; new seeds apply at the next reset."""
    state = state_of(request)
    try:
        loaded = load_scenarios(state.settings.scenario_paths)
        check_seed_accounts(loaded, state.backend)
    except ScenarioErrors as exc:
        raise HTTPProblem(400, "\n".join(str(e) for e in exc.errors)) from None
    state.engine.replace_scenarios(loaded)
    return PlivoJSONResponse({"default": loaded.default.name, "scenarios": [s.name for s in loaded]})


async def resend_callback(request: Request) -> Response:
    """Send a journaled callback again, now, with a fresh signature: to its URL, or to ``url``."""
    url = (await json_params(request)).url("url")
    entry = state_of(request).engine.resend(request.path_params["callback_id"], url)
    return PlivoJSONResponse(entry.to_json(), status_code=202)
