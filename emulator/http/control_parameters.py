"""The parameters of the control plane's routes, as JSON Schemas, for the OpenAPI document: what
each route reads (a test holds this table to the handlers, as for the Plivo operations). GET and
DELETE routes read the query; POST and PUT ones a JSON body, except where :data:`QUERY` says."""

from __future__ import annotations

from emulator.http.api_parameters import METHOD, OPERATIONS, TEXT, URL, Schema, integer
from emulator.http.control_common import MEMBER, PREFIX

NUMBER: Schema = {"type": "number"}
ACCOUNT = f"{PREFIX}/accounts/{{auth_id}}"
# An inbound call's application: make-call's URLs and limits (emulator.http.call_routes.call_app).
_MAKE_CALL = OPERATIONS[("POST", "/Call/")]
APPLICATION: dict[str, Schema] = {
    name: _MAKE_CALL[name]
    for name in (
        "answer_url", "answer_method", "ring_url", "ring_method", "hangup_url", "hangup_method",
        "fallback_url", "fallback_method", "caller_name", "ring_timeout", "time_limit", "hangup_on_ring",
    )
}  # fmt: skip
# A member of a seeded MPC: add-participant's member settings, and the member_id to give it.
_ADD = OPERATIONS[("POST", "/MultiPartyCall/{mpc_id}/Participant/")]
SEEDED_MEMBER: Schema = {
    "type": "object",
    "properties": {"member_id": TEXT, **_ADD},
}

CONTROL: dict[tuple[str, str], dict[str, Schema]] = {
    ("POST", f"{PREFIX}/accounts"): {"auth_id": TEXT, "auth_token": TEXT},
    ("POST", f"{ACCOUNT}/mpcs"): {
        **_ADD,
        "friendly_name": TEXT,
        "participants": {"type": "array", "items": SEEDED_MEMBER},
    },
    ("POST", f"{PREFIX}/calls"): {"auth_id": TEXT, "from": TEXT, "to": TEXT, **APPLICATION},
    ("PUT", f"{ACCOUNT}/numbers/{{number}}"): APPLICATION,
    ("POST", f"{ACCOUNT}/calls/{{call_uuid}}/dtmf"): {"digits": TEXT},
    ("POST", f"{ACCOUNT}/calls/{{call_uuid}}/speech"): {
        "text": TEXT,
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
    },
    ("POST", f"{MEMBER}/speak"): {"seconds": {"type": "number", "minimum": 0.1, "maximum": 3600}},
    ("POST", f"{MEMBER}/dtmf"): {"digits": TEXT},
    ("POST", f"{PREFIX}/reset"): {"auth_id": TEXT},
    ("GET", f"{PREFIX}/state"): {
        "auth_id": TEXT,
        "mpc_uuid": TEXT,
        "limit": integer(minimum=1, maximum=1000),
        "offset": integer(minimum=0),
        "order": TEXT,
    },
    ("GET", f"{PREFIX}/clock"): {"auth_id": TEXT},
    ("POST", f"{PREFIX}/clock/advance"): {"auth_id": TEXT, "seconds": NUMBER},
    ("POST", f"{ACCOUNT}/clock/advance"): {"seconds": NUMBER},
    ("GET", f"{PREFIX}/callbacks"): {
        "auth_id": TEXT,
        "event": TEXT,
        "mpc_uuid": TEXT,
        "recording_id": TEXT,
        "state": {"type": "string", "enum": ["pending", "delivered", "failed"]},
        "limit": integer(minimum=0, maximum=1000000),
        "min_count": integer(minimum=0, maximum=1000000),
        "wait": {"type": "number", "minimum": 0, "maximum": 300},
    },
    ("POST", f"{PREFIX}/callbacks/{{callback_id}}/resend"): {"url": URL},
    ("PUT", f"{ACCOUNT}/scenario"): {"scenario": TEXT},
    ("POST", f"{PREFIX}/faults"): {
        "auth_id": TEXT,
        "path": TEXT,
        "method": METHOD | {"enum": ["GET", "POST", "DELETE"]},
        "status": integer(minimum=100, maximum=599),
        "error": TEXT,
        "delay": {"type": "number", "minimum": 0, "maximum": 120},
        "times": integer(minimum=1),
    },
    ("DELETE", f"{PREFIX}/faults"): {"auth_id": TEXT},
    ("GET", f"{PREFIX}/version"): {"auth_id": TEXT},
    ("GET", f"{PREFIX}/timeline"): {"auth_id": TEXT, "mpc_uuid": TEXT, "call_uuid": TEXT},
}
# POST and DELETE routes that read the query rather than a body.
QUERY = frozenset({("POST", f"{PREFIX}/reset"), ("DELETE", f"{PREFIX}/faults")})
