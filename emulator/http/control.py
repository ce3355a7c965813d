"""The emulator's own control plane under ``/__emulator__/`` (no Plivo auth).

Health, accounts, seeding MPCs, reset and state inspection: what a test or a
developer needs to arrange and observe the emulated world directly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from importlib import resources

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from emulator.delivery.engine import CallbackEngine
from emulator.delivery.journal import JournalQuery
from emulator.domain.account import Account
from emulator.domain.backend import Backend, Credentials
from emulator.domain.errors import DomainError, InvalidParameter
from emulator.domain.participant import ParticipantSpec
from emulator.domain.recording import Recording
from emulator.domain.values import Role, plivo_time
from emulator.http.errors import HTTPProblem, PlivoJSONResponse, error_response, status_for
from emulator.http.faults import FaultBook
from emulator.http.params import BodyError, Params, read_json_body
from emulator.http.serializers import Json, mpc_json, participant_json
from emulator.version import __version__

PREFIX = "/__emulator__"


def _backend(request: Request) -> Backend:
    backend: Backend = request.app.state.backend
    return backend


async def _body(request: Request) -> Params:
    return Params(await read_json_body(request))


Endpoint = Callable[[Request], Awaitable[Response]]


def _guarded(handler: Endpoint) -> Endpoint:
    """Answer domain and body errors in the same JSON shape as the Plivo API."""

    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request)
        except DomainError as exc:
            return error_response(status_for(exc), exc.message, _backend(request).api_id())
        except (HTTPProblem, BodyError) as exc:
            return error_response(exc.status, exc.message, _backend(request).api_id())

    endpoint.__name__ = handler.__name__
    return endpoint


def _engine(request: Request) -> CallbackEngine:
    engine: CallbackEngine = request.app.state.engine
    return engine


async def health(request: Request) -> Response:
    backend, engine = _backend(request), _engine(request)
    return PlivoJSONResponse(
        {
            "status": "ok",
            "version": __version__,
            "accounts": len(backend.accounts),
            "seed": backend.seed,
            "clock": engine.clock.mode,
            "scenarios": len(engine.scenarios.by_name),
        }
    )


def _clock_state(engine: CallbackEngine) -> Json:
    clock = engine.clock
    return {
        "mode": clock.mode,
        "speed": clock.speed,
        "now": clock.now().isoformat(),
        "pending": engine.scheduler.pending,
    }


async def clock(request: Request) -> Response:
    return PlivoJSONResponse(_clock_state(_engine(request)))


MAX_ADVANCE = 10 * 365 * 24 * 3600


async def advance_clock(request: Request) -> Response:
    """Move a manual clock; answers once everything due on the way has been delivered or given up."""
    engine = _engine(request)
    seconds = (await _body(request)).raw("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 0 <= seconds <= MAX_ADVANCE:
        raise InvalidParameter("seconds", f"seconds must be a number from 0 to {MAX_ADVANCE}")
    if not engine.clock.manual:
        raise HTTPProblem(409, "the clock is real: start the emulator with --clock manual to advance it")
    journal = engine.journal
    before = {e.callback.callback_id: len(e.attempts) for e in journal.query(JournalQuery())}
    await engine.scheduler.advance(float(seconds))
    touched = [
        e.to_json()
        for e in journal.query(JournalQuery())
        if len(e.attempts) > before.get(e.callback.callback_id, 0)
    ]
    return PlivoJSONResponse({**_clock_state(engine), "advanced": seconds, "callbacks": touched})


_STATES = ("pending", "delivered", "failed")


async def callbacks(request: Request) -> Response:
    """The delivery journal, filtered; ``wait`` + ``min_count`` long-poll for callbacks to come."""
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
    journal = _engine(request).journal
    wait = q.number("wait", 0.0, minimum=0, maximum=300)
    min_count = q.integer("min_count", 1, minimum=0, maximum=1_000_000)
    if wait > 0:
        found, satisfied = await journal.wait(query, min_count, wait)
    else:
        found = journal.query(query)
        satisfied = len(found) >= min_count
    return PlivoJSONResponse(
        {"callbacks": [e.to_json() for e in found], "count": len(found), "satisfied": satisfied}
    )


async def scenarios(request: Request) -> Response:
    loaded = _engine(request).scenarios
    return PlivoJSONResponse({"default": loaded.default.name, "scenarios": [s.summary() for s in loaded]})


async def list_accounts(request: Request) -> Response:
    accounts = [{"auth_id": a.auth_id, "mpcs": len(a.mpcs)} for a in _backend(request).accounts]
    return PlivoJSONResponse({"accounts": accounts})


async def create_account(request: Request) -> Response:
    p = await _body(request)
    creds = Credentials(p.required_text("auth_id"), p.required_text("auth_token"))
    backend = _backend(request)
    new = creds.auth_id not in {a.auth_id for a in backend.accounts}
    account = backend.add_account(creds)
    if new:
        _engine(request).seed(account)
    return PlivoJSONResponse({"auth_id": account.auth_id}, status_code=201)


def _participant(raw: object, index: int) -> ParticipantSpec:
    where = f"participants[{index}]"
    if not isinstance(raw, dict):
        raise InvalidParameter(where, f"{where} must be an object")
    p = Params(raw)
    member_id = p.raw("member_id")
    if member_id is not None:
        member_id = str(member_id)
        if not member_id.isdigit():
            raise InvalidParameter(f"{where}.member_id", f'{where}.member_id must be digits, e.g. "10"')
    try:
        return ParticipantSpec(
            role=p.choice("role", Role, Role.AGENT),
            member_id=member_id,
            call_uuid=p.text("call_uuid"),
            from_number=p.text("from"),
            to_numbers=(to,) if (to := p.text("to")) else (),
            caller_name=p.text("caller_name"),
            coach_mode=p.boolean("coach_mode", True),
            mute=p.boolean("mute", False),
            hold=p.boolean("hold", False),
            start_mpc_on_enter=p.boolean("start_mpc_on_enter", True),
            end_mpc_on_exit=p.boolean("end_mpc_on_exit", False),
        )
    except InvalidParameter as exc:
        raise InvalidParameter(f"{where}.{exc.param}", f"{where}: {exc.message}") from None


async def create_mpc(request: Request) -> Response:
    account = _backend(request).account(request.path_params["auth_id"])
    p = await _body(request)
    raw_participants = p.raw("participants") or []
    if not isinstance(raw_participants, list):
        raise InvalidParameter("participants", "participants must be a list of objects")
    # MPC-wide settings ride on each participant, as add-participant carries them.
    stay_alone = p.boolean("stay_alone", False)
    max_participants = p.integer("max_participants", 10, minimum=2, maximum=10)
    max_duration = p.integer("max_duration", 14400, minimum=300, maximum=28800)
    specs = [
        dataclasses.replace(
            _participant(raw, i),
            stay_alone=stay_alone,
            max_participants=max_participants,
            max_duration=max_duration,
        )
        for i, raw in enumerate(raw_participants)
    ]
    if len(specs) > max_participants:
        raise InvalidParameter(
            "participants", f"{len(specs)} participants is more than max_participants ({max_participants})"
        )
    mpc = account.create_mpc(p.text("friendly_name"), specs)
    segment = f"uuid_{mpc.mpc_uuid}"
    body = {
        "api_id": _backend(request).api_id(account),
        **mpc_json(account.auth_id, mpc, segment),
        "participants": [participant_json(account.auth_id, m, segment) for m in mpc.participants.values()],
    }
    return PlivoJSONResponse(body, status_code=201)


async def reset(request: Request) -> Response:
    auth_id = request.query_params.get("auth_id")
    cleared = _backend(request).reset(auth_id)
    _faults(request).clear(auth_id)
    return PlivoJSONResponse({"reset": cleared})


def recording_state(recording: Recording, account: Account) -> Json:
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
        "recording_url": recording.media_url,
        "start_time": plivo_time(recording.start_time),
        "end_time": plivo_time(recording.end_time),
        "duration_seconds": round(recording.duration(account.clock()).total_seconds(), 3),
        "failure_reason": recording.failure_reason,
        "sequence": recording.sequence,
    }


def account_state(account: Account) -> Json:
    mpcs = []
    for mpc in account.mpcs.values():
        segment = f"uuid_{mpc.mpc_uuid}"
        mpcs.append(
            {
                **mpc_json(account.auth_id, mpc, segment),
                "participants": [
                    participant_json(account.auth_id, m, segment) for m in mpc.participants.values()
                ],
                "recordings": [r.recording_id for r in mpc.recordings],
            }
        )
    return {
        "auth_id": account.auth_id,
        "mpcs": mpcs,
        "recordings": [recording_state(r, account) for r in account.recordings.values()],
    }


async def state(request: Request) -> Response:
    backend = _backend(request)
    auth_id = request.query_params.get("auth_id")
    if auth_id is not None:
        return PlivoJSONResponse(account_state(backend.account(auth_id)))
    return PlivoJSONResponse({"accounts": [account_state(a) for a in backend.accounts]})


def _faults(request: Request) -> FaultBook:
    book: FaultBook = request.app.state.faults
    return book


async def add_fault(request: Request) -> Response:
    rule = _faults(request).add(await _body(request))
    return PlivoJSONResponse(rule.to_json(), status_code=201)


async def list_faults(request: Request) -> Response:
    return PlivoJSONResponse({"faults": [r.to_json() for r in _faults(request).rules]})


async def clear_faults(request: Request) -> Response:
    _faults(request).clear(request.query_params.get("auth_id"))
    return Response(status_code=204)


async def version(request: Request) -> Response:
    """A number that changes whenever anything observable changes, with the clock: what a dashboard polls."""
    engine = _engine(request)
    return PlivoJSONResponse(
        {"version": engine.activity.version + engine.journal.version, "clock": _clock_state(engine)}
    )


async def timeline(request: Request) -> Response:
    """One account's (or one MPC's) history: state changes and callback attempts, in time order."""
    engine = _engine(request)
    q = Params(dict(request.query_params))
    auth_id, mpc_uuid = q.text("auth_id"), q.text("mpc_uuid")
    items: list[tuple[str, int, Json]] = []
    for activity in engine.activity.query(auth_id, mpc_uuid):
        items.append((activity.at.isoformat(), 0, {"source": "state", **activity.to_json()}))
    for entry in engine.journal.query(JournalQuery(auth_id=auth_id, mpc_uuid=mpc_uuid)):
        cb = entry.callback
        head = {"source": "callback", "kind": cb.event_name, "auth_id": cb.auth_id, "mpc_uuid": cb.mpc_uuid}
        base = {"sequence": cb.sequence, "recording_id": cb.recording_id, "url": cb.url}
        for attempt in entry.attempts:
            detail = {**base, "attempt": attempt.number, "status": attempt.status, "error": attempt.error}
            items.append(
                (attempt.time.isoformat(), 1, {**head, "at": attempt.time.isoformat(), "detail": detail})
            )
        if entry.state == "pending" and not entry.attempts:
            detail = {**base, "state": "pending"}
            items.append((cb.due.isoformat(), 1, {**head, "at": cb.due.isoformat(), "detail": detail}))
    ordered = [item for _, _, item in sorted(items, key=lambda i: (i[0], i[1]))]
    return PlivoJSONResponse({"timeline": ordered})


async def dashboard(request: Request) -> Response:
    page = resources.files("emulator.http").joinpath("dashboard.html").read_text(encoding="utf-8")
    return HTMLResponse(page)


async def ca_certificate(request: Request) -> Response:
    """TLS mode: the CA certificate clients must trust (PEM)."""
    tls = request.app.state.tls
    if tls is None:
        raise HTTPProblem(404, "the emulator is not in TLS mode (start it with --tls)")
    return Response(tls.ca_cert.read_bytes(), media_type="application/x-pem-file")


def control_routes() -> list[BaseRoute]:
    return [
        Route(f"{PREFIX}/health", _guarded(health), methods=["GET"]),
        Route(f"{PREFIX}/accounts", _guarded(list_accounts), methods=["GET"]),
        Route(f"{PREFIX}/accounts", _guarded(create_account), methods=["POST"]),
        Route(f"{PREFIX}/accounts/{{auth_id}}/mpcs", _guarded(create_mpc), methods=["POST"]),
        Route(f"{PREFIX}/reset", _guarded(reset), methods=["POST"]),
        Route(f"{PREFIX}/state", _guarded(state), methods=["GET"]),
        Route(f"{PREFIX}/clock", _guarded(clock), methods=["GET"]),
        Route(f"{PREFIX}/clock/advance", _guarded(advance_clock), methods=["POST"]),
        Route(f"{PREFIX}/callbacks", _guarded(callbacks), methods=["GET"]),
        Route(f"{PREFIX}/scenarios", _guarded(scenarios), methods=["GET"]),
        Route(f"{PREFIX}/ca.pem", _guarded(ca_certificate), methods=["GET"]),
        Route(f"{PREFIX}/version", _guarded(version), methods=["GET"]),
        Route(f"{PREFIX}/faults", _guarded(add_fault), methods=["POST"]),
        Route(f"{PREFIX}/faults", _guarded(list_faults), methods=["GET"]),
        Route(f"{PREFIX}/faults", _guarded(clear_faults), methods=["DELETE"]),
        Route(f"{PREFIX}/timeline", _guarded(timeline), methods=["GET"]),
        Route(f"{PREFIX}/", dashboard, methods=["GET"]),
        Route(f"{PREFIX}/dashboard", dashboard, methods=["GET"]),
    ]
