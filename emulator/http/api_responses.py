"""The bodies each emulated Plivo operation answers with, as JSON Schemas: what the OpenAPI document
(:mod:`emulator.http.openapi`) promises and schemathesis checks every answer against. Every key is
required (the emulator always sends each one, null when it has no value yet, as Plivo's fixtures do).
"""

from __future__ import annotations

from emulator.http.api_parameters import Schema

ANY: Schema = {}
STRING: Schema = {"type": "string"}
STRING_OR_NULL: Schema = {"type": ["string", "null"]}
INTEGER_OR_NULL: Schema = {"type": ["integer", "null"]}
NUMBER_OR_NULL: Schema = {"type": ["number", "null"]}
BOOLEAN_OR_NULL: Schema = {"type": ["boolean", "null"]}


def fields(properties: dict[str, Schema]) -> Schema:
    """An object with exactly these keys present (more may come, as Plivo adds fields)."""
    return {"type": "object", "required": sorted(properties), "properties": properties}


def answer(properties: dict[str, Schema]) -> Schema:
    """A response body: ``api_id`` and these keys."""
    return fields({"api_id": STRING, **properties})


def with_id(item: Schema) -> Schema:
    """An object as a GET of it answers: the object's own keys and ``api_id``."""
    return answer(item["properties"])


def page(item: Schema, count: str = "count") -> Schema:
    """Plivo's list envelope (MPCs and participants count in ``count``, recordings and calls in
    ``total_count``)."""
    meta = fields(
        {
            count: INTEGER_OR_NULL,
            "limit": INTEGER_OR_NULL,
            "next": STRING_OR_NULL,
            "offset": INTEGER_OR_NULL,
            "previous": STRING_OR_NULL,
        }
    )
    return answer({"meta": meta, "objects": {"type": "array", "items": item}})


MPC = fields(
    {
        "billed_amount": STRING_OR_NULL,
        "billed_duration": INTEGER_OR_NULL,
        "creation_time": STRING_OR_NULL,
        "duration": INTEGER_OR_NULL,
        "end_time": STRING_OR_NULL,
        "friendly_name": STRING_OR_NULL,
        "mpc_uuid": STRING_OR_NULL,
        "participants": STRING_OR_NULL,
        "recording": STRING_OR_NULL,
        "resource_uri": STRING_OR_NULL,
        "start_time": STRING_OR_NULL,
        "status": STRING_OR_NULL,
        "stay_alone": BOOLEAN_OR_NULL,
        "sub_account": STRING_OR_NULL,
        "termination_cause": STRING_OR_NULL,
        "termination_cause_code": INTEGER_OR_NULL,
    }
)

PARTICIPANT = fields(
    {
        "billed_amount": STRING_OR_NULL,
        "billed_duration": INTEGER_OR_NULL,
        "call_uuid": STRING_OR_NULL,
        "coach_mode": BOOLEAN_OR_NULL,
        "duration": INTEGER_OR_NULL,
        "end_mpc_on_exit": BOOLEAN_OR_NULL,
        "exit_cause": STRING_OR_NULL,
        "exit_time": STRING_OR_NULL,
        "hold": BOOLEAN_OR_NULL,
        "join_time": STRING_OR_NULL,
        "member_address": STRING_OR_NULL,
        "member_id": STRING_OR_NULL,
        "mpc_uuid": STRING_OR_NULL,
        "mute": BOOLEAN_OR_NULL,
        "resource_uri": STRING_OR_NULL,
        "role": STRING_OR_NULL,
        "start_mpc_on_enter": BOOLEAN_OR_NULL,
    }
)

RECORDING = fields(
    {
        "add_time": STRING_OR_NULL,
        "call_uuid": STRING_OR_NULL,
        "conference_name": STRING_OR_NULL,
        "from_number": STRING_OR_NULL,
        "monthly_recording_storage_amount": NUMBER_OR_NULL,
        "recording_duration_ms": STRING_OR_NULL,
        "recording_end_ms": STRING_OR_NULL,
        "recording_format": STRING_OR_NULL,
        "recording_id": STRING_OR_NULL,
        "recording_start_ms": STRING_OR_NULL,
        "recording_storage_duration": INTEGER_OR_NULL,
        "recording_storage_rate": NUMBER_OR_NULL,
        "recording_type": STRING_OR_NULL,
        "recording_url": STRING_OR_NULL,
        "resource_uri": STRING_OR_NULL,
        "rounded_recording_duration": INTEGER_OR_NULL,
        "to_number": STRING_OR_NULL,
    }
)

CALL_RECORD = fields(
    {
        "answer_time": STRING_OR_NULL,
        "bill_duration": INTEGER_OR_NULL,
        "billed_duration": INTEGER_OR_NULL,
        "call_direction": STRING_OR_NULL,
        "call_duration": INTEGER_OR_NULL,
        "call_uuid": STRING_OR_NULL,
        "end_time": STRING_OR_NULL,
        "from_number": STRING_OR_NULL,
        "hangup_cause_code": INTEGER_OR_NULL,
        "hangup_cause_name": STRING_OR_NULL,
        "hangup_source": STRING_OR_NULL,
        "initiation_time": STRING_OR_NULL,
        "parent_call_uuid": STRING_OR_NULL,
        "resource_uri": STRING_OR_NULL,
        "to_number": STRING_OR_NULL,
        "total_amount": STRING_OR_NULL,
        "total_rate": STRING_OR_NULL,
    }
)

LIVE_CALL = fields(
    {
        "call_status": STRING_OR_NULL,
        "call_uuid": STRING_OR_NULL,
        "caller_name": STRING_OR_NULL,
        "direction": STRING_OR_NULL,
        "from": STRING_OR_NULL,
        "request_uuid": STRING_OR_NULL,
        "session_start": STRING_OR_NULL,
        "to": STRING_OR_NULL,
    }
)

TRANSCRIPTION = fields(
    {
        "cost": NUMBER_OR_NULL,
        "error": STRING_OR_NULL,
        "rate": NUMBER_OR_NULL,
        "recording_duration_ms": INTEGER_OR_NULL,
        "recording_start_ms": INTEGER_OR_NULL,
        "status": STRING_OR_NULL,
        "transcription": ANY,
    }
)

MESSAGE = answer({"message": STRING})
RECORDING_STARTED = answer({"message": STRING, "recording_id": STRING, "recording_url": STRING})
AUDIO_QUEUED = answer(
    {"message": STRING, "mpcMemberId": {"type": "array", "items": STRING}, "mpcName": STRING}
)
PARTICIPANT_ADDED = answer(
    {
        "calls": {"type": "array", "items": fields({"call_uuid": STRING, "from": STRING, "to": STRING})},
        "message": STRING,
        "request_uuid": STRING,
    }
)
# An update answers one message per setting changed (coach_mode, mute, hold).
PARTICIPANT_UPDATED: Schema = {
    "type": "object",
    "required": ["api_id"],
    "properties": {"api_id": STRING, "coach_mode": STRING, "mute": STRING, "hold": STRING},
}
CALL_FIRED = answer({"message": STRING, "request_uuid": STRING})
LIVE_CALLS = answer({"calls": {"type": "array", "items": STRING}})

# The body of each operation's success; operations answering 204 have none.
RESPONSES: dict[tuple[str, str], Schema] = {
    ("GET", "/MultiPartyCall/"): page(MPC),
    ("GET", "/MultiPartyCall/{mpc_id}/"): with_id(MPC),
    ("GET", "/MultiPartyCall/{mpc_id}/Participant/"): page(PARTICIPANT),
    ("POST", "/MultiPartyCall/{mpc_id}/Participant/"): PARTICIPANT_ADDED,
    ("GET", "/MultiPartyCall/{mpc_id}/Participant/{member_id}/"): with_id(PARTICIPANT),
    ("POST", "/MultiPartyCall/{mpc_id}/Participant/{member_id}/"): PARTICIPANT_UPDATED,
    ("POST", "/MultiPartyCall/{mpc_id}/Record/"): RECORDING_STARTED,
    ("POST", "/MultiPartyCall/{mpc_id}/Participant/{member_id}/Record/"): RECORDING_STARTED,
    ("POST", "/MultiPartyCall/{mpc_id}/Member/{member_id}/Play/"): AUDIO_QUEUED,
    ("POST", "/MultiPartyCall/{mpc_id}/Member/{member_id}/Speak/"): AUDIO_QUEUED,
    ("GET", "/Recording/"): page(RECORDING, "total_count"),
    ("GET", "/Recording/{recording_id}/"): with_id(RECORDING),
    ("POST", "/Call/"): CALL_FIRED,
    # ?status=live lists live calls' ids; without it, finished calls' records.
    ("GET", "/Call/"): {"anyOf": [LIVE_CALLS, page(CALL_RECORD, "total_count")]},
    ("GET", "/Call/{call_uuid}/"): {"anyOf": [with_id(LIVE_CALL), with_id(CALL_RECORD)]},
    ("POST", "/Transcription/{transcription_id}/"): MESSAGE,
    ("GET", "/Transcription/{transcription_id}/"): with_id(TRANSCRIPTION),
    ("DELETE", "/Transcription/{transcription_id}/"): MESSAGE,
}
