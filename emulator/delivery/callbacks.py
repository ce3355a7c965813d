"""What Plivo sends for a recording event: the documented parameters, all strings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from emulator.delivery.xml_reply import ReplyKind
from emulator.domain.events import RecordingEvent, RecordingEventKind, TranscriptionEvent
from emulator.domain.recording import Recording
from emulator.domain.transcription import RATE_PER_MINUTE, TranscriptionStatus
from emulator.domain.values import CallbackMethod, plivo_time

# Sent for values that exist only once a recording has ended (Plivo documents none).
NOT_YET = "-1"


@dataclass(frozen=True)
class RecordingLinks:
    """Where a recording can be fetched: its Recording resource and its audio file."""

    resource_url: str
    media_url: str


# The HTTP layer knows the addresses clients use; the engine asks it for each recording's links.
LinksFor = Callable[[Recording], RecordingLinks]


@dataclass(frozen=True)
class Callback:
    """One callback as due (a recording's, or an MPC status event), where, how, and exactly which
    parameters."""

    callback_id: str
    auth_id: str
    recording_id: str | None
    mpc_uuid: str
    member_id: str | None
    event_name: str
    sequence: int
    url: str
    method: CallbackMethod
    params: dict[str, str]
    due: datetime
    scenario: str
    duplicate_of: str | None = None
    # A fetch whose answer is an XML document to check (see delivery/xml_reply.py).
    reply: ReplyKind | None = None


def recording_params(event: RecordingEvent, links: RecordingLinks) -> dict[str, str]:
    """The parameters of a recording callback, snapshotted when the event happened.

    MPC recordings carry MPCName and MPCUUID; participant recordings add MemberID
    (and keep the MPC keys, which Plivo very likely sends too).
    """
    recording = event.recording
    ended = event.kind in (RecordingEventKind.COMPLETED, RecordingEventKind.FAILED)
    params = {
        "EventName": event.event_name,
        # When the event occurred (Plivo's docs), so it never runs against SequenceNumber; the
        # callback itself goes out later, by the scenario's delay.
        "EventTimestamp": plivo_time(event.at) or "",
        "MPCName": recording.mpc_name,
        "MPCUUID": recording.mpc_uuid,
        "RecordingDuration": str(round(recording.duration(event.at).total_seconds())) if ended else NOT_YET,
        "RecordingEndTime": (plivo_time(recording.end_time) or NOT_YET) if ended else NOT_YET,
        "RecordingFormat": recording.file_format.value,
        "RecordingResourceURL": links.resource_url,
        "RecordingStartTime": plivo_time(recording.start_time) or "",
        "RecordingURL": links.media_url,
        "RecordingUUID": recording.recording_id,
        "SequenceNumber": str(event.sequence),
    }
    if recording.member_id is not None:
        params["MemberID"] = recording.member_id
    return params


def async_result(
    auth_id: str, url: str, method: CallbackMethod, params: dict[str, str], due: datetime, scenario: str
) -> Callback:
    """The real answer of an async-mode API call, to its ``callback_url`` (see http/async_mode.py)."""
    return Callback(
        callback_id=f"{params.get('api_id', '')}-async",
        auth_id=auth_id,
        recording_id=None,
        mpc_uuid=params.get("mpc_uuid", ""),
        member_id=None,
        event_name="AsyncResponse",
        sequence=1,
        url=url,
        method=method,
        params=params,
        due=due,
        scenario=scenario,
    )


def transcription_params(event: TranscriptionEvent) -> dict[str, str]:
    """Plivo's transcription parameters (snake_case, unlike every other voice callback), with the
    MPC's uuid; ``error`` only when it failed, and then no text and no charge."""
    transcription = event.transcription
    recording = transcription.recording
    params = {
        "transcription": transcription.text,
        "transcription_charge": f"{transcription.charge:.5f}",
        "transcription_rate": f"{RATE_PER_MINUTE:.5f}",
        "duration": str(round(transcription.duration_ms / 1000)),
        "call_uuid": transcription.call_uuid,
        "recording_id": recording.recording_id,
        "mpc_uuid": recording.mpc_uuid,
    }
    if transcription.status is TranscriptionStatus.FAILED:
        params["error"] = transcription.error or ""
    return params


def transcription_callback(event: TranscriptionEvent, scenario: str) -> Callback:
    """A finished (or failed) transcription, to the URL its recording or order gave, due at once."""
    transcription = event.transcription
    recording = transcription.recording
    assert transcription.callback_url is not None
    return Callback(
        callback_id=f"{recording.recording_id}-transcription{transcription.number}",
        auth_id=recording.auth_id,
        recording_id=recording.recording_id,
        mpc_uuid=recording.mpc_uuid,
        member_id=recording.member_id,
        event_name=event.kind.value,
        sequence=1,
        url=transcription.callback_url,
        method=transcription.callback_method,
        params=transcription_params(event),
        due=event.at,
        scenario=scenario,
    )


def record_xml_params(recording: Recording, links: RecordingLinks, ended: bool) -> dict[str, str]:
    """What a ``<Record>`` verb's action and callbackUrl get (docs: Record XML): the file, its id and
    durations; ``-1`` while it is still recording (a background recordSession)."""

    def ms(moment: datetime | None) -> str:
        return str(round(moment.timestamp() * 1000)) if moment is not None and ended else NOT_YET

    seconds = recording.duration(recording.end_time or recording.start_time).total_seconds()
    return {
        "RecordUrl": links.media_url,
        "RecordingID": recording.recording_id,
        "RecordingDuration": str(round(seconds)) if ended else NOT_YET,
        "RecordingDurationMs": str(round(seconds * 1000)) if ended else NOT_YET,
        "RecordingStartMs": ms(recording.start_time),
        "RecordingEndMs": ms(recording.end_time),
    }


def record_xml_callback(
    recording: Recording, links: RecordingLinks, due: datetime, scenario: str
) -> Callback:
    """A ``<Record>`` verb's callbackUrl, once the file is processed."""
    assert recording.options.callback_url is not None
    return Callback(
        callback_id=f"{recording.recording_id}-record",
        auth_id=recording.auth_id,
        recording_id=recording.recording_id,
        mpc_uuid="",
        member_id=None,
        event_name="CallRecordCallback",
        sequence=1,
        url=recording.options.callback_url,
        method=recording.options.callback_method,
        params={"CallUUID": recording.call_uuid or "", **record_xml_params(recording, links, True)},
        due=due,
        scenario=scenario,
    )
