"""The control plane of time and delivery: the clock, the journal of callbacks, the scenarios."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response

from emulator.delivery.engine import CallbackEngine
from emulator.delivery.journal import JournalQuery
from emulator.delivery.scenarios import ScenarioErrors, check_seed_accounts, load_scenarios
from emulator.domain.errors import InvalidParameter
from emulator.http.control_common import backend_of, engine_of, json_params
from emulator.http.errors import HTTPProblem, PlivoJSONResponse
from emulator.http.params import Params
from emulator.http.serializers import Json


def clock_state(engine: CallbackEngine) -> Json:
    clock = engine.clock
    return {
        "mode": clock.mode,
        "speed": clock.speed,
        "now": clock.now().isoformat(),
        "pending": engine.scheduler.pending,
    }


async def clock(request: Request) -> Response:
    return PlivoJSONResponse(clock_state(engine_of(request)))


MAX_ADVANCE = 10 * 365 * 24 * 3600


async def advance_clock(request: Request) -> Response:
    """Move a manual clock; answers once everything due on the way has been delivered or given up."""
    engine = engine_of(request)
    seconds = (await json_params(request)).raw("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 0 <= seconds <= MAX_ADVANCE:
        raise InvalidParameter("seconds", f"seconds must be a number from 0 to {MAX_ADVANCE}")
    if not engine.clock.manual:
        raise HTTPProblem(409, "the clock is real: start the emulator with --clock manual to advance it")
    delivered, failed = engine.delivered, engine.failed
    with engine.collect_attempts() as attempted:
        await engine.scheduler.advance(float(seconds))
    # The journal keeps the newest entries only: an advance that sent more than it holds says so.
    listed = [e for e in engine.journal.query(JournalQuery()) if e.callback.callback_id in attempted]
    return PlivoJSONResponse(
        {
            **clock_state(engine),
            "advanced": seconds,
            "callbacks": [e.to_json() for e in listed],
            "attempted": len(attempted),
            "delivered": engine.delivered - delivered,
            "failed": engine.failed - failed,
            "truncated": len(listed) < len(attempted),
        }
    )


_STATES = ("pending", "delivered", "failed")


async def _disconnected(request: Request) -> None:
    """Returns when the client closes its connection (a long-poll must not outlive its caller)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def callbacks(request: Request) -> Response:
    """The delivery journal, filtered; ``wait`` + ``min_count`` long-poll for callbacks to come;
    ``limit`` keeps the newest (``count`` still counts every match)."""
    q = Params(dict(request.query_params))
    state = q.text("state")
    if state is not None and state not in _STATES:
        raise InvalidParameter("state", f"invalid state '{state}': allowed values are {', '.join(_STATES)}")
    query = JournalQuery(
        auth_id=q.text("auth_id"),
        recording_id=q.text("recording_id"),
        mpc_uuid=q.text("mpc_uuid"),
        event=q.text("event"),
        state=state,  # type: ignore[arg-type]
    )
    journal = engine_of(request).journal
    wait = q.number("wait", 0.0, minimum=0, maximum=300)
    min_count = q.integer("min_count", 1, minimum=0, maximum=1_000_000)
    limit = q.integer("limit", 0, minimum=0, maximum=1_000_000)
    if wait > 0:
        waiting = asyncio.ensure_future(journal.wait(query, min_count, wait))
        gone = asyncio.ensure_future(_disconnected(request))
        await asyncio.wait((waiting, gone), return_when=asyncio.FIRST_COMPLETED)
        gone.cancel()
        if not waiting.done():  # the client left: stop waiting for it
            waiting.cancel()
            return Response(status_code=204)
        found, satisfied = waiting.result()
    else:
        found = journal.query(query)
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
    loaded = engine_of(request).scenarios
    return PlivoJSONResponse({"default": loaded.default.name, "scenarios": [s.summary() for s in loaded]})


async def choose_account_scenario(request: Request) -> Response:
    """Every recording the account starts follows this scenario (unless a request names another);
    ``{"scenario": null}`` goes back to matching. A reset of the account forgets the choice."""
    engine = engine_of(request)
    account = backend_of(request).account(request.path_params["auth_id"])
    name = (await json_params(request)).text("scenario")
    if name is not None and engine.scenarios.get(name) is None:
        known = ", ".join(s.name for s in engine.scenarios)
        raise InvalidParameter("scenario", f"unknown scenario '{name}'; loaded: {known}")
    if name is None:
        engine.account_scenarios.pop(account.auth_id, None)
    else:
        engine.account_scenarios[account.auth_id] = name
    return PlivoJSONResponse({"auth_id": account.auth_id, "scenario": name})


async def reload_scenarios(request: Request) -> Response:
    """Read the scenario files again (after editing them): all or nothing, like at start-up.

    Recordings already started keep their scenario; new seeds apply at the next reset."""
    engine = engine_of(request)
    settings = request.app.state.settings
    try:
        loaded = load_scenarios(settings.scenario_paths)
        check_seed_accounts(loaded, backend_of(request))
    except ScenarioErrors as exc:
        raise HTTPProblem(400, "\n".join(str(e) for e in exc.errors)) from None
    engine.scenarios = loaded
    return PlivoJSONResponse({"default": loaded.default.name, "scenarios": [s.name for s in loaded]})
