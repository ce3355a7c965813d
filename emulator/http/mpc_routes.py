"""Plivo's MultiPartyCall and Participant endpoints (everything but recording)."""

from __future__ import annotations

import re

from starlette.responses import Response

from emulator.domain.errors import InvalidParameter
from emulator.domain.filters import MPCFilter
from emulator.domain.participant import ParticipantSpec
from emulator.domain.values import TERMINATION_CODES, CallbackMethod, MPCStatus, Role
from emulator.http.errors import PlivoJSONResponse
from emulator.http.links import account_path
from emulator.http.listing import page_of, time_bounds
from emulator.http.recording_routes import recording_request
from emulator.http.resource import PlivoCall
from emulator.http.serializers import (
    mpc_json,
    mpc_path,
    participant_json,
)
from emulator.http.state import state_of
from emulator.params import Params
from emulator.specs import mpc_settings, participant_spec

_METHOD_PARAMS = (
    "call_status_callback_method",
    "confirm_key_sound_method",
    "wait_music_method",
    "agent_hold_music_method",
    "customer_hold_music_method",
    "recording_callback_method",
    "status_callback_method",
    "on_exit_action_method",
    "enter_sound_method",
    "exit_sound_method",
    "start_recording_audio_method",
    "stop_recording_audio_method",
)
_URL_PARAMS = (
    "call_status_callback_url",
    "confirm_key_sound_url",
    "wait_music_url",
    "agent_hold_music_url",
    "customer_hold_music_url",
    "recording_callback_url",
    "status_callback_url",
    "on_exit_action_url",
    "start_recording_audio",
    "stop_recording_audio",
)
_FLAGS = ("relay_dtmf_inputs", "create_mpc_with_single_participant", "send_on_preanswer")


# --------------------------------------------------------------------- MPC


def list_mpcs(call: PlivoCall) -> Response:
    p = call.params
    status = p.text("status")
    if status is not None and status.lower() not in ("initialized", "active", "ended"):
        raise InvalidParameter(
            "status", f"invalid status '{status}': allowed values are initialized, active, ended"
        )
    cause = p.raw("termination_cause_code")
    if cause is not None:
        cause_code = p.integer("termination_cause_code", 0, minimum=0)
        # 0 is what Plivo's objects carry before a call ends: it selects the calls without a cause.
        if cause_code not in (0, *TERMINATION_CODES):
            allowed = ", ".join(str(c) for c in sorted((0, *TERMINATION_CODES)))
            raise InvalidParameter(
                "termination_cause_code", f"invalid termination_cause_code {cause}: allowed {allowed}"
            )
    query = MPCFilter(
        friendly_name=p.text("friendly_name"),
        status=MPCStatus(status.capitalize()) if status else None,
        termination_cause_code=cause_code if cause is not None else None,
        creation_time=time_bounds(p, "creation_time"),
        end_time=time_bounds(p, "end_time"),
    )
    p.text("sub_account")  # type-checked only: subaccount hierarchies are not modelled
    auth_id = call.account.auth_id
    return page_of(
        call,
        f"{account_path(auth_id)}MultiPartyCall/",
        call.account.list_mpcs(query),
        lambda mpc: mpc_json(auth_id, mpc, f"uuid_{mpc.mpc_uuid}"),
    )


def get_mpc(call: PlivoCall) -> Response:
    mpc = call.account.find_mpc(call.mpc_ref())
    return PlivoJSONResponse(
        {"api_id": call.api_id(), **mpc_json(call.account.auth_id, mpc, call.mpc_segment)}
    )


def start_mpc(call: PlivoCall) -> Response:
    status = call.params.raw("status")
    # plivo-python sends ["active"] (a stray tuple comma); every other SDK sends "active".
    if isinstance(status, list) and len(status) == 1:
        status = status[0]
    if not isinstance(status, str) or status.lower() != "active":
        raise InvalidParameter("status", "status is required and must be 'active' to start an MPC")
    call.account.start_mpc(call.mpc_ref())
    return Response(status_code=204)


def end_mpc(call: PlivoCall) -> Response:
    call.account.end_mpc(call.mpc_ref())
    return Response(status_code=204)


# ------------------------------------------------------------- participants


def _int_list(p: Params, name: str, destinations: int) -> None:
    value = p.raw(name)
    if value is None:
        return
    parts = str(value).split("<") if isinstance(value, str | int) and not isinstance(value, bool) else None
    if parts is None or not all(re.fullmatch(r"\s*[0-9]+\s*", part) for part in parts):
        raise InvalidParameter(name, f"invalid {name} {value!r}: integers separated by '<'")
    if destinations and len(parts) > destinations:
        raise InvalidParameter(
            name, f"number of {name} values should be the same as the number of destinations"
        )


def _sound(p: Params, name: str, keywords: tuple[str, ...]) -> None:
    value = p.text(name)
    if value is None or value.lower() in keywords:
        return
    try:
        p.url(name)
    except InvalidParameter:
        raise InvalidParameter(
            name, f"invalid {name} '{value}': allowed {', '.join(keywords)} or a URL"
        ) from None


def _role(p: Params) -> Role:
    if "role" not in p:
        raise InvalidParameter("role", "role is required: one of agent, supervisor, customer, ai-agent")
    return p.choice("role", Role, Role.AGENT)


def _destinations(p: Params, role: Role) -> tuple[str, ...]:
    """``to``, split on ``<`` (an agent may be dialled at several numbers; the first to answer joins)."""
    call_uuid = p.text("call_uuid") or None
    from_number = p.text("from") or None
    to = p.text("to") or None
    if call_uuid and (from_number or to):
        raise InvalidParameter("call_uuid", "cannot specify call_uuid when (from, to) is provided")
    if not call_uuid and not (from_number and to):
        raise InvalidParameter("from", "specify either call_uuid or both from and to")
    destinations = tuple(d.strip() for d in to.split("<")) if to else ()
    if any(not d for d in destinations):
        raise InvalidParameter("to", f"invalid to '{to}': empty destination")
    if len(destinations) > 1 and role is not Role.AGENT:
        raise InvalidParameter("to", f"multiple to values are only allowed for role agent, not {role}")
    if len(destinations) > 20:
        raise InvalidParameter("to", "at most 20 destinations may be given in to")
    _int_list(p, "ring_timeout", len(destinations))
    _int_list(p, "delay_dial", len(destinations))
    return destinations


def _check_call_settings(p: Params) -> None:
    """Parameters accepted and validated as Plivo documents them, with no effect on the emulated call."""
    caller_name = p.text("caller_name")
    if caller_name is not None and not 1 <= len(caller_name) <= 50:
        raise InvalidParameter("caller_name", "caller_name must be 1 to 50 characters long")
    for name in _METHOD_PARAMS:
        p.choice(name, CallbackMethod, CallbackMethod.GET)
    for name in _URL_PARAMS:
        p.url(name)
    for name in _FLAGS:
        p.boolean(name, False)
    confirm_key = p.text("confirm_key")
    if confirm_key is not None and confirm_key not in tuple("0123456789#*"):
        raise InvalidParameter("confirm_key", f"invalid confirm_key '{confirm_key}': one of 0-9, # or *")
    _sound(p, "dial_music", ("real", "none"))
    _sound(p, "enter_sound", ("beep:1", "beep:2", "none"))
    _sound(p, "exit_sound", ("beep:1", "beep:2", "none"))


def add_participant_spec(call: PlivoCall) -> ParticipantSpec:
    """The add-participant body, validated as Plivo documents it."""
    p = call.params
    destinations = _destinations(p, _role(p))
    _check_call_settings(p)
    # Recording on add-participant defaults to GET callbacks, unlike the Record API.
    recording = recording_request(call, format_param="record_file_format", default_method=CallbackMethod.GET)
    return participant_spec(
        p,
        mpc_settings(p),
        to_numbers=destinations,
        record=recording if p.boolean("record", False) else None,
        record_participant_track=recording if p.boolean("record_participant_track", False) else None,
    )


def add_participant(call: PlivoCall) -> Response:
    spec = add_participant_spec(call)
    ref = call.mpc_ref()
    name = ref.value if ref.by == "name" else call.account.find_mpc(ref).friendly_name
    ring = state_of(call.request).engine.ring_seconds(call.account.auth_id, name)
    added = call.account.add_participant(ref, spec, ring=ring)
    body = {
        "api_id": call.api_id(),
        "calls": [{"call_uuid": c.call_uuid, "from": c.from_, "to": c.to} for c in added.calls],
        "message": "add participant action initiated",
        "request_uuid": added.request_uuid,
    }
    return PlivoJSONResponse(body, status_code=201)


def list_participants(call: PlivoCall) -> Response:
    members = call.account.list_participants(call.mpc_ref(), call.params.text("call_uuid"))
    auth_id = call.account.auth_id
    return page_of(
        call,
        f"{mpc_path(auth_id, call.mpc_segment)}Participant/",
        members,
        lambda member: participant_json(auth_id, member, call.mpc_segment),
    )


def get_participant(call: PlivoCall) -> Response:
    mpc = call.account.find_mpc(call.mpc_ref())
    participant = call.account.find_member(mpc, call.member_id())
    body = {"api_id": call.api_id(), **participant_json(call.account.auth_id, participant, call.mpc_segment)}
    return PlivoJSONResponse(body)


def update_participant(call: PlivoCall) -> Response:
    p = call.params
    selector = call.members()
    mute, hold, coach_mode = (p.optional_boolean(n) for n in ("mute", "hold", "coach_mode"))
    if mute is None and hold is None and coach_mode is None:
        raise InvalidParameter("mute", "update at least one of coach_mode, mute or hold")
    if selector.everyone and coach_mode is not None:
        raise InvalidParameter("coach_mode", "cannot specify coach_mode when updating all participants")
    mpc, _ = call.account.update_participants(
        call.mpc_ref(), selector, mute=mute, hold=hold, coach_mode=coach_mode
    )
    body: dict[str, str] = {"api_id": call.api_id()}
    name = mpc.friendly_name
    if mute is not None:
        body["mute"] = f"MPC: {name} mute/unmute member(s) succeeded"
    if hold is not None:
        body["hold"] = f"MPC: {name} hold/unhold member(s) succeeded"
    if coach_mode is not None:
        body["coach_mode"] = f"MPC: {name} coach_mode enable/disable succeeded"  # the fixture's words
    return PlivoJSONResponse(body, status_code=202)


def kick_participant(call: PlivoCall) -> Response:
    call.account.kick_participants(call.mpc_ref(), call.members())
    return Response(status_code=204)
