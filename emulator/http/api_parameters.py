"""The parameters each emulated Plivo operation reads, as JSON Schemas: the catalogue the OpenAPI
document (:mod:`emulator.http.openapi`) is built from.

The handlers read their parameters through :class:`emulator.params.Params`; a test
(``tests/test_openapi.py``) records every name each operation reads and fails when one is missing
here, so this table cannot fall behind the code. Every operation also takes ``callback_url`` and
``callback_method`` (async mode, :mod:`emulator.http.async_mode`), added by the document's builder.
GET parameters travel in the query; POST and DELETE ones in a JSON (or form) body.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

TEXT: Schema = {"type": "string"}
URL: Schema = {"type": "string", "format": "uri"}
BOOLEAN: Schema = {"type": "boolean"}
ANY: Schema = {}
METHOD: Schema = {"type": "string", "enum": ["GET", "POST"]}


def enum(*values: str) -> Schema:
    return {"type": "string", "enum": list(values)}


def integer(*, minimum: int, maximum: int | None = None) -> Schema:
    schema: Schema = {"type": "integer", "minimum": minimum}
    if maximum is not None:
        schema["maximum"] = maximum
    return schema


def text(*, max_length: int) -> Schema:
    return {"type": "string", "maxLength": max_length}


# A list's page (emulator.http.listing).
PAGE: dict[str, Schema] = {"limit": integer(minimum=1, maximum=20), "offset": integer(minimum=0)}
ASYNC: dict[str, Schema] = {"callback_url": URL, "callback_method": METHOD}

OPERATIONS: dict[tuple[str, str], dict[str, Schema]] = {
    ("GET", "/MultiPartyCall/"): {
        "creation_time__gt": TEXT,
        "creation_time__gte": TEXT,
        "creation_time__lt": TEXT,
        "creation_time__lte": TEXT,
        "end_time__gt": TEXT,
        "end_time__gte": TEXT,
        "end_time__lt": TEXT,
        "end_time__lte": TEXT,
        "friendly_name": TEXT,
        **PAGE,
        "status": TEXT,
        "sub_account": TEXT,
        "termination_cause_code": ANY,
    },
    ("GET", "/MultiPartyCall/{mpc_id}/"): {},
    ("POST", "/MultiPartyCall/{mpc_id}/"): {
        "status": ANY,
    },
    ("DELETE", "/MultiPartyCall/{mpc_id}/"): {},
    ("GET", "/MultiPartyCall/{mpc_id}/Participant/"): {
        "call_uuid": TEXT,
        **PAGE,
    },
    ("POST", "/MultiPartyCall/{mpc_id}/Participant/"): {
        "agent_hold_music_method": METHOD,
        "agent_hold_music_url": URL,
        "call_status_callback_method": METHOD,
        "call_status_callback_url": URL,
        "call_uuid": TEXT,
        "caller_name": TEXT,
        "coach_mode": BOOLEAN,
        "confirm_key": TEXT,
        "confirm_key_sound_method": METHOD,
        "confirm_key_sound_url": URL,
        "create_mpc_with_single_participant": BOOLEAN,
        "customer_hold_music_method": METHOD,
        "customer_hold_music_url": URL,
        "delay_dial": ANY,
        "dial_music": TEXT,
        "end_mpc_on_exit": BOOLEAN,
        "enter_sound": TEXT,
        "enter_sound_method": METHOD,
        "exit_sound": TEXT,
        "exit_sound_method": METHOD,
        "from": TEXT,
        "hold": BOOLEAN,
        "max_duration": integer(minimum=300, maximum=28800),
        "max_participants": integer(minimum=2, maximum=10),
        "mute": BOOLEAN,
        "on_exit_action_method": METHOD,
        "on_exit_action_url": URL,
        "record": BOOLEAN,
        "record_file_format": enum("mp3", "wav"),
        "record_min_member_count": integer(minimum=1, maximum=2),
        "record_participant_track": BOOLEAN,
        "recording_callback_method": METHOD,
        "recording_callback_url": URL,
        "relay_dtmf_inputs": BOOLEAN,
        "ring_timeout": ANY,
        "role": enum("agent", "supervisor", "customer", "ai-agent"),
        "send_on_preanswer": BOOLEAN,
        "start_mpc_on_enter": BOOLEAN,
        "start_recording_audio": URL,
        "start_recording_audio_method": METHOD,
        "status_callback_events": TEXT,
        "status_callback_method": METHOD,
        "status_callback_url": URL,
        "stay_alone": BOOLEAN,
        "stop_recording_audio": URL,
        "stop_recording_audio_method": METHOD,
        "to": TEXT,
        "transcript": BOOLEAN,
        "transcription_url": URL,
        "wait_music_method": METHOD,
        "wait_music_url": URL,
    },
    ("GET", "/MultiPartyCall/{mpc_id}/Participant/{member_id}/"): {},
    ("POST", "/MultiPartyCall/{mpc_id}/Participant/{member_id}/"): {
        "coach_mode": BOOLEAN,
        "hold": BOOLEAN,
        "mute": BOOLEAN,
    },
    ("DELETE", "/MultiPartyCall/{mpc_id}/Participant/{member_id}/"): {},
    ("POST", "/MultiPartyCall/{mpc_id}/Record/"): {
        "file_format": enum("mp3", "wav"),
        "recording_callback_method": METHOD,
        "recording_callback_url": URL,
        "transcript": BOOLEAN,
        "transcription_url": URL,
    },
    ("DELETE", "/MultiPartyCall/{mpc_id}/Record/"): {},
    ("POST", "/MultiPartyCall/{mpc_id}/Record/Pause/"): {},
    ("POST", "/MultiPartyCall/{mpc_id}/Record/Resume/"): {},
    ("POST", "/MultiPartyCall/{mpc_id}/Participant/{member_id}/Record/"): {
        "file_format": enum("mp3", "wav"),
        "record_track_type": enum("participant", "all", "both"),
        "recording_callback_method": METHOD,
        "recording_callback_url": URL,
        "transcript": BOOLEAN,
        "transcription_url": URL,
    },
    ("DELETE", "/MultiPartyCall/{mpc_id}/Participant/{member_id}/Record/"): {
        "record_track_type": enum("participant", "all", "both"),
    },
    ("POST", "/MultiPartyCall/{mpc_id}/Participant/{member_id}/Record/Pause/"): {
        "record_track_type": enum("participant", "all", "both"),
    },
    ("POST", "/MultiPartyCall/{mpc_id}/Participant/{member_id}/Record/Resume/"): {
        "record_track_type": enum("participant", "all", "both"),
    },
    ("POST", "/MultiPartyCall/{mpc_id}/Member/{member_id}/Play/"): {
        "url": TEXT,
        "urls": TEXT,
    },
    ("DELETE", "/MultiPartyCall/{mpc_id}/Member/{member_id}/Play/"): {},
    ("POST", "/MultiPartyCall/{mpc_id}/Member/{member_id}/Speak/"): {
        "language": TEXT,
        "mix": BOOLEAN,
        "text": TEXT,
        "type": TEXT,
        "voice": TEXT,
    },
    ("DELETE", "/MultiPartyCall/{mpc_id}/Member/{member_id}/Speak/"): {},
    ("GET", "/Recording/"): {
        "add_time__gt": TEXT,
        "add_time__gte": TEXT,
        "add_time__lt": TEXT,
        "add_time__lte": TEXT,
        "call_uuid": TEXT,
        "conference_name": TEXT,
        "conference_uuid": TEXT,
        "cursor": TEXT,
        "from_number": TEXT,
        **PAGE,
        "mpc_name": TEXT,
        "mpc_uuid": TEXT,
        "recording_storage_duration": integer(minimum=0),
        "recording_storage_duration__gt": integer(minimum=0),
        "recording_storage_duration__gte": integer(minimum=0),
        "subaccount": TEXT,
        "to_number": TEXT,
    },
    ("GET", "/Recording/{recording_id}/"): {},
    ("DELETE", "/Recording/{recording_id}/"): {},
    ("GET", "/Call/"): {
        "call_direction": TEXT,
        "from_number": TEXT,
        **PAGE,
        "status": TEXT,
        "to_number": TEXT,
    },
    ("POST", "/Call/"): {
        "answer_method": METHOD,
        "answer_url": URL,
        "caller_name": TEXT,
        "error_if_parent_not_found": BOOLEAN,
        "fallback_method": METHOD,
        "fallback_url": URL,
        "from": TEXT,
        "hangup_method": METHOD,
        "hangup_on_ring": integer(minimum=0),
        "hangup_url": URL,
        "machine_detection": TEXT,
        "machine_detection_method": METHOD,
        "machine_detection_time": integer(minimum=2000, maximum=10000),
        "machine_detection_url": URL,
        "parent_call_uuid": TEXT,
        "ring_method": METHOD,
        "ring_timeout": integer(minimum=0),
        "ring_url": URL,
        "send_digits": TEXT,
        "send_on_preanswer": BOOLEAN,
        "sip_headers": TEXT,
        "time_limit": integer(minimum=1),
        "to": TEXT,
    },
    ("GET", "/Call/{call_uuid}/"): {
        "status": TEXT,
    },
    ("DELETE", "/Call/{call_uuid}/"): {},
    ("DELETE", "/Request/{request_uuid}/"): {},
    ("GET", "/Transcription/{transcription_id}/"): {
        "transcription_id": TEXT,
        "type": TEXT,
    },
    ("POST", "/Transcription/{transcription_id}/"): {
        "recording_id": TEXT,
        "transcription_callback_url": URL,
    },
    ("DELETE", "/Transcription/{transcription_id}/"): {},
}
