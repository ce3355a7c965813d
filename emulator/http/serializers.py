"""Domain objects in Plivo's JSON shapes (keys sorted on output by PlivoJSONResponse)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from emulator.domain.billing import (
    RECORDING_STORAGE_RATE,
    monthly_storage_amount,
    mpc_bill,
    participant_bill,
    rounded_minutes,
)
from emulator.domain.calls import Call
from emulator.domain.mpc import MPC
from emulator.domain.participant import Participant
from emulator.domain.recording import Recording
from emulator.domain.values import RecordingScope, plivo_time
from emulator.http.links import account_path, recording_path

Json = dict[str, Any]


def mpc_path(auth_id: str, mpc_segment: str) -> str:
    return f"{account_path(auth_id)}MultiPartyCall/{mpc_segment}/"


def mpc_json(auth_id: str, mpc: MPC, mpc_segment: str) -> Json:
    """An MPC object; ``mpc_segment`` is the identifier form its URIs use (as in the request)."""
    bill = mpc_bill(mpc)
    cause = mpc.termination_cause
    return {
        "billed_amount": bill.billed_amount if bill else None,
        "billed_duration": bill.billed_duration if bill else None,
        "creation_time": plivo_time(mpc.creation_time),
        "duration": bill.duration if bill else None,
        "end_time": plivo_time(mpc.end_time),
        "friendly_name": mpc.friendly_name,
        "mpc_uuid": mpc.mpc_uuid,
        "participants": f"{mpc_path(auth_id, mpc_segment)}Participant/",
        "recording": mpc.recording_status.value,
        "resource_uri": mpc_path(auth_id, mpc_segment),
        "start_time": plivo_time(mpc.start_time),
        "status": mpc.status.value,
        "stay_alone": mpc.stay_alone,
        "sub_account": None,
        "termination_cause": cause.text if cause else None,
        "termination_cause_code": cause.code if cause else None,
    }


def participant_json(auth_id: str, participant: Participant, mpc_segment: str) -> Json:
    bill = participant_bill(participant)
    return {
        "billed_amount": bill.billed_amount if bill else None,
        "billed_duration": bill.billed_duration if bill else None,
        "call_uuid": participant.call_uuid,
        # A member who has left reports no flags (the fixture of a participant who left).
        "coach_mode": participant.coach_mode if participant.active else None,
        "duration": bill.duration if bill else None,
        "end_mpc_on_exit": participant.end_mpc_on_exit,
        "exit_cause": participant.exit_cause.value if participant.exit_cause else None,
        "exit_time": plivo_time(participant.exit_time),
        "hold": participant.hold if participant.active else None,
        "join_time": plivo_time(participant.join_time),
        "member_address": participant.member_address,
        "member_id": participant.member_id,
        "mpc_uuid": participant.mpc_uuid,
        "mute": participant.mute if participant.active else None,
        "resource_uri": f"{mpc_path(auth_id, mpc_segment)}Participant/{participant.member_id}/",
        "role": participant.role.value,
        "start_mpc_on_enter": participant.start_mpc_on_enter,
    }


def list_envelope(
    api_id: str,
    list_path: str,
    objects: Sequence[Json],
    *,
    total: int,
    limit: int,
    offset: int,
    query: Mapping[str, str],
    count_key: str = "count",
) -> Json:
    """Plivo's list answer; ``next``/``previous`` keep the request's filters.

    MPC lists count in ``meta.count``, Recording lists in ``meta.total_count``.
    """
    filters = {k: v for k, v in query.items() if k not in ("limit", "offset")}

    def page(at: int) -> str:
        return f"{list_path}?{urlencode({**filters, 'limit': limit, 'offset': at})}"

    return {
        "api_id": api_id,
        "meta": {
            count_key: total,
            "limit": limit,
            "next": page(offset + limit) if offset + limit < total else None,
            "offset": offset,
            "previous": page(max(0, offset - limit)) if offset > 0 else None,
        },
        "objects": list(objects),
    }


def precise_time(moment: datetime) -> str:
    """``2014-08-05 16:15:15.852059+00:00``: the Recording resource's add_time, with microseconds."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f+00:00")


def _whole_ms(milliseconds: float) -> str:
    """Whole milliseconds, written as every fixture writes them: ``1589201178000.00000``."""
    return f"{round(milliseconds)}.00000"


def _epoch_ms(moment: datetime | None) -> str | None:
    return None if moment is None else _whole_ms(moment.timestamp() * 1000)


def recording_json(
    recording: Recording, member: Participant | Call | None, now: datetime, storage_days: int, media_url: str
) -> Json:
    """A Recording resource object; its fields follow Plivo's fixture (ms values as 5-decimal strings)."""
    seconds = recording.duration(now).total_seconds()
    minutes = rounded_minutes(recording, now)
    assert recording.available_at is not None
    return {
        "add_time": precise_time(recording.available_at),
        "call_uuid": member.call_uuid if member else None,
        "conference_name": None,
        "from_number": member.from_number if member else None,
        "monthly_recording_storage_amount": monthly_storage_amount(recording, now),
        "recording_duration_ms": _whole_ms(seconds * 1000),
        "recording_end_ms": _epoch_ms(recording.end_time),
        "recording_format": recording.file_format.value,
        "recording_id": recording.recording_id,
        "recording_start_ms": _epoch_ms(recording.start_time),
        "recording_storage_duration": storage_days,
        "recording_storage_rate": RECORDING_STORAGE_RATE,
        # Plivo documents two values: conference (an MPC is one) and normal (a call's own, <Record>).
        "recording_type": "normal" if recording.scope is RecordingScope.CALL else "conference",
        "recording_url": media_url,
        "resource_uri": recording_path(recording.auth_id, recording.recording_id),
        "rounded_recording_duration": minutes * 60,
        "to_number": member.to_number if member else None,
    }
