"""The emulator's own control plane under ``/__emulator__/`` (no Plivo auth): health, accounts,
seeded MPCs and reset here; state, time and delivery, faults and the dashboard in their own modules;
and the route table of all of them.
"""

from __future__ import annotations

import asyncio
import functools
import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from emulator.domain.call_api import CallAPI
from emulator.domain.credentials import Credentials
from emulator.domain.errors import InvalidParameter
from emulator.domain.participant import ParticipantSpec
from emulator.http import control_delivery as delivery
from emulator.http import control_faults as faults
from emulator.http import control_state, dashboard
from emulator.http.call_routes import call_app
from emulator.http.control_common import MEMBER, PREFIX, json_params
from emulator.http.errors import PlivoJSONResponse
from emulator.http.openapi import openapi_document
from emulator.http.serializers import mpc_json, participant_json
from emulator.http.state import state_of
from emulator.params import Params
from emulator.specs import MPCSettings, mpc_settings, participant_spec
from emulator.version import __version__


async def health(request: Request) -> Response:
    state = state_of(request)
    return PlivoJSONResponse(
        {
            "status": "ok",
            "version": __version__,
            "accounts": len(state.backend.accounts),
            "seed": state.backend.seed,
            "clock": state.engine.clock_mode,
            "scenarios": len(state.engine.scenario_set.by_name),
        }
    )


async def list_accounts(request: Request) -> Response:
    accounts = [{"auth_id": a.auth_id, "mpcs": len(a.mpcs)} for a in state_of(request).backend.accounts]
    return PlivoJSONResponse({"accounts": accounts})


async def create_account(request: Request) -> Response:
    p = await json_params(request)
    creds = Credentials(p.required_text("auth_id"), p.required_text("auth_token"))
    state = state_of(request)
    new = creds.auth_id not in {a.auth_id for a in state.backend.accounts}
    account = state.backend.add_account(creds)
    if new:
        state.engine.seed(account)
    return PlivoJSONResponse({"auth_id": account.auth_id}, status_code=201)


async def remove_account(request: Request) -> Response:
    """Forget an account with everything it holds: its MPCs, recordings, callbacks, faults and time."""
    state_of(request).backend.remove_account(request.path_params["auth_id"])
    return Response(status_code=204)


def _participant(raw: object, index: int, settings: MPCSettings) -> ParticipantSpec:
    where = f"participants[{index}]"
    if not isinstance(raw, dict):
        raise InvalidParameter(where, f"{where} must be an object")
    return participant_spec(Params(raw), settings, member_ids=True, where=where)


async def create_mpc(request: Request) -> Response:
    backend = state_of(request).backend
    account = backend.account(request.path_params["auth_id"])
    p = await json_params(request)
    raw_participants = p.raw("participants") or []
    if not isinstance(raw_participants, list):
        raise InvalidParameter("participants", "participants must be a list of objects")
    # MPC-wide settings ride on each participant, as add-participant carries them.
    settings = mpc_settings(p)
    specs = [_participant(raw, i, settings) for i, raw in enumerate(raw_participants)]
    if len(specs) > settings.max_participants:
        raise InvalidParameter(
            "participants",
            f"{len(specs)} participants is more than max_participants ({settings.max_participants})",
        )
    mpc = account.create_mpc(p.text("friendly_name"), specs)
    segment = f"uuid_{mpc.mpc_uuid}"
    body = {
        "api_id": backend.api_id(account),
        **mpc_json(account.auth_id, mpc, segment),
        "participants": [participant_json(account.auth_id, m, segment) for m in mpc.participants.values()],
    }
    return PlivoJSONResponse(body, status_code=201)


async def dial_in(request: Request) -> Response:
    """A call arrives at one of the account's numbers: ``auth_id``, ``from``, ``to``, and the
    application Plivo would find attached to the number (``answer_url``, ``answer_method``,
    ``hangup_url``...). Plivo asks its answer_url at once."""
    p = await json_params(request)
    account = state_of(request).backend.account(p.required_text("auth_id"))
    to = p.required_text("to")
    api = CallAPI(account)
    app = call_app(p) if "answer_url" in p else api.application_of(to)
    arrived = api.arrive(p.required_text("from"), to, app)
    return PlivoJSONResponse(
        {"call_uuid": arrived.call_uuid, "status": arrived.status.value}, status_code=201
    )


async def attach_application(request: Request) -> Response:
    """``PUT …/numbers/{number}``: the application Plivo finds on the number (``answer_url``…),
    used by every call that arrives there without its own."""
    path = request.path_params
    account = state_of(request).backend.account(path["auth_id"])
    app = call_app(await json_params(request))
    CallAPI(account).attach(path["number"], app)
    return PlivoJSONResponse({"number": path["number"], "answer_url": app.answer.url})


async def detach_application(request: Request) -> Response:
    path = request.path_params
    CallAPI(state_of(request).backend.account(path["auth_id"])).detach(path["number"])
    return Response(status_code=204)


async def list_applications(request: Request) -> Response:
    account = state_of(request).backend.account(request.path_params["auth_id"])
    numbers = [{"number": n, "answer_url": a.answer.url} for n, a in account.numbers.items()]
    return PlivoJSONResponse({"numbers": numbers})


async def press_call_digits(request: Request) -> Response:
    """Keys pressed on a call, for the ``<GetDigits>`` its XML is running."""
    path = request.path_params
    digits = (await json_params(request)).required_text("digits")
    state_of(request).engine.press_call_digits(path["auth_id"], path["call_uuid"], digits)
    return Response(status_code=204)


async def say_on_call(request: Request) -> Response:
    """Words said on a call, for the ``<GetInput inputType="speech">`` its XML is running."""
    path = request.path_params
    p = await json_params(request)
    text = p.required_text("text")
    confidence = p.number("confidence", 0.9, minimum=0.0, maximum=1.0)
    state_of(request).engine.say_on_call(path["auth_id"], path["call_uuid"], text, confidence)
    return Response(status_code=204)


async def speak(request: Request) -> Response:
    """A member speaks for ``seconds`` (default 2): ParticipantSpeakStart now, ParticipantSpeakStop after."""
    path = request.path_params
    seconds = (await json_params(request)).number("seconds", 2.0, minimum=0.1, maximum=3600)
    state_of(request).engine.speak_for(path["auth_id"], path["mpc_uuid"], path["member_id"], seconds)
    return Response(status_code=204)


async def press_digits(request: Request) -> Response:
    """A member presses keys: one ParticipantDigitInput per digit."""
    path = request.path_params
    digits = (await json_params(request)).required_text("digits")
    account = state_of(request).backend.account(path["auth_id"])
    account.press_digits(path["mpc_uuid"], path["member_id"], digits)
    return Response(status_code=204)


async def hang_up(request: Request) -> Response:
    """The member hangs up (a dropped call): it leaves the MPC (ParticipantExit, Participant Call Hangup) and
    its call ends with Normal Hangup, as if the person dialled put the phone down."""
    path = request.path_params
    state_of(request).backend.account(path["auth_id"]).hang_up(path["mpc_uuid"], path["member_id"])
    return Response(status_code=204)


async def reset(request: Request) -> Response:
    auth_id = request.query_params.get("auth_id")
    state = state_of(request)
    cleared = state.backend.reset(auth_id)
    if auth_id is None:  # an account's own rules go with its reset (the backend's reset hook)
        state.faults.clear()
    return PlivoJSONResponse({"reset": cleared})


async def ca_certificate(request: Request) -> Response:
    """The CA certificate clients must trust (PEM), in TLS mode and through the proxy alike: made
    on first use, kept in the TLS directory."""
    files = await asyncio.to_thread(state_of(request).certificates.files)
    return Response(files.ca_cert.read_bytes(), media_type="application/x-pem-file")


@functools.cache
def _openapi() -> bytes:
    return json.dumps(openapi_document(control_routes()), indent=1).encode()


async def openapi_json(request: Request) -> Response:
    """The OpenAPI 3.1 document of every route served here (Plivo's and the control plane's)."""
    return Response(_openapi(), media_type="application/json")


def control_routes() -> list[BaseRoute]:
    return [
        Route(f"{PREFIX}/health", health, methods=["GET"]),
        Route(f"{PREFIX}/accounts", list_accounts, methods=["GET"]),
        Route(f"{PREFIX}/accounts", create_account, methods=["POST"]),
        Route(f"{PREFIX}/accounts/{{auth_id}}", remove_account, methods=["DELETE"]),
        Route(f"{PREFIX}/accounts/{{auth_id}}/mpcs", create_mpc, methods=["POST"]),
        Route(f"{PREFIX}/calls", dial_in, methods=["POST"]),
        Route(f"{PREFIX}/accounts/{{auth_id}}/numbers", list_applications, methods=["GET"]),
        Route(f"{PREFIX}/accounts/{{auth_id}}/numbers/{{number}}", attach_application, methods=["PUT"]),
        Route(f"{PREFIX}/accounts/{{auth_id}}/numbers/{{number}}", detach_application, methods=["DELETE"]),
        Route(f"{PREFIX}/accounts/{{auth_id}}/calls/{{call_uuid}}/dtmf", press_call_digits, methods=["POST"]),
        Route(f"{PREFIX}/accounts/{{auth_id}}/calls/{{call_uuid}}/speech", say_on_call, methods=["POST"]),
        Route(f"{MEMBER}/speak", speak, methods=["POST"]),
        Route(f"{MEMBER}/dtmf", press_digits, methods=["POST"]),
        Route(f"{MEMBER}/hangup", hang_up, methods=["POST"]),
        Route(f"{PREFIX}/reset", reset, methods=["POST"]),
        Route(f"{PREFIX}/state", control_state.state, methods=["GET"]),
        Route(f"{PREFIX}/ca.pem", ca_certificate, methods=["GET"]),
        Route(f"{PREFIX}/openapi.json", openapi_json, methods=["GET"]),
        Route(f"{PREFIX}/clock", delivery.clock, methods=["GET"]),
        Route(f"{PREFIX}/clock/advance", delivery.advance_clock, methods=["POST"]),
        Route(f"{PREFIX}/accounts/{{auth_id}}/clock/advance", delivery.advance_clock, methods=["POST"]),
        Route(f"{PREFIX}/callbacks", delivery.callbacks, methods=["GET"]),
        Route(f"{PREFIX}/callbacks/{{callback_id}}/resend", delivery.resend_callback, methods=["POST"]),
        Route(f"{PREFIX}/scenarios", delivery.scenarios, methods=["GET"]),
        Route(f"{PREFIX}/scenarios/reload", delivery.reload_scenarios, methods=["POST"]),
        Route(
            f"{PREFIX}/accounts/{{auth_id}}/scenario",
            delivery.choose_account_scenario,
            methods=["PUT"],
        ),
        Route(f"{PREFIX}/faults", faults.add_fault, methods=["POST"]),
        Route(f"{PREFIX}/faults", faults.list_faults, methods=["GET"]),
        Route(f"{PREFIX}/faults", faults.clear_faults, methods=["DELETE"]),
        Route(f"{PREFIX}/faults/{{rule_id}}", faults.remove_fault, methods=["DELETE"]),
        Route(f"{PREFIX}/version", dashboard.version, methods=["GET"]),
        Route(f"{PREFIX}/timeline", dashboard.timeline, methods=["GET"]),
        Route(f"{PREFIX}/", dashboard.page, methods=["GET"]),
        Route(f"{PREFIX}/dashboard", dashboard.page, methods=["GET"]),
    ]
