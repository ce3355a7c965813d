"""The activity log: what happened to each MPC, in order, for the dashboard's per-call timeline.

It records every domain event (MPC started and ended, members joining, leaving, muted..., recordings
changing state) with the emulated time it happened; the callbacks they caused are in the journal. Capped
like the journal, cleared per account on reset.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from emulator.domain.events import (
    AddParticipantEvent,
    AddParticipantEventKind,
    AudioEvent,
    AudioEventKind,
    CallEvent,
    CallEventKind,
    DomainEvent,
    MPCEvent,
    MPCEventKind,
    ParticipantEvent,
    ParticipantEventKind,
    RecordingEvent,
    RecordingEventKind,
    TranscriptionEvent,
    TranscriptionEventKind,
)


@dataclass(frozen=True)
class Activity:
    at: datetime
    auth_id: str
    mpc_uuid: str
    kind: str
    detail: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "auth_id": self.auth_id,
            "mpc_uuid": self.mpc_uuid,
            "kind": self.kind,
            "family": family_of(self.kind),
            "detail": self.detail,
        }


def family_of(kind: str) -> str:
    """Which family an event (or the callback it caused) belongs to, as the docs group them:
    recording, status (the MPC's and its members' life), audio (Play/Speak, the music and sounds
    fetched), transcription, call
    (a member's call, its exit action), xml (what a call's document did), async (an async-mode
    answer)."""
    if "Recording" in kind:
        return "recording"
    if kind.startswith("Transcription"):
        return "transcription"
    if kind.startswith("MemberAudio") or kind.endswith("Fetch"):
        return "audio"
    if kind.startswith("Call"):
        return "call"
    if kind.startswith("Xml"):
        return "xml"
    if kind == "AsyncResponse":
        return "async"
    return "status"


def _recording(event: RecordingEvent) -> Activity:
    rec = event.recording
    detail: dict[str, Any] = {
        "recording_id": rec.recording_id,
        "sequence": event.sequence,
        "member_id": rec.member_id,
        "record_track_type": rec.track_type,
    }
    if rec.failure_reason and event.kind is RecordingEventKind.FAILED:
        detail["reason"] = rec.failure_reason
    return Activity(event.at, rec.auth_id, rec.mpc_uuid, event.event_name, detail)


def _participant(event: ParticipantEvent) -> Activity:
    member = event.participant
    detail = {"member_id": member.member_id, "role": member.role.value, "call_uuid": member.call_uuid}
    if member.exit_cause is not None and event.kind is ParticipantEventKind.EXITED:
        detail["exit_cause"] = member.exit_cause.value
    if event.digit is not None:
        detail["digit"] = event.digit
    return Activity(event.at, event.mpc.auth_id, event.mpc.mpc_uuid, event.kind.value, detail)


def _audio(event: AudioEvent) -> Activity:
    audio = event.audio
    detail: dict[str, Any] = {
        "kind": audio.spec.kind.value,
        "members": audio.key,
        "member_ids": list(audio.member_ids),
    }
    if event.kind is AudioEventKind.STARTED:
        detail.update(urls=list(audio.spec.urls) or None, text=audio.spec.text or None)
    mpc = event.mpc
    return Activity(event.at, mpc.auth_id, mpc.mpc_uuid, event.kind.value, detail)


def _transcription(event: TranscriptionEvent) -> Activity:
    transcription = event.transcription
    rec = transcription.recording
    detail = {"recording_id": rec.recording_id, "member_id": rec.member_id}
    if event.kind is TranscriptionEventKind.FAILED:
        detail["error"] = transcription.error
    return Activity(event.at, rec.auth_id, rec.mpc_uuid, event.kind.value, detail)


def _call(event: CallEvent) -> Activity:
    call = event.call
    detail = {"call_uuid": call.call_uuid, "status": call.status.value, "to": call.to_number}
    if call.hangup is not None and event.kind is CallEventKind.HUNG_UP:
        detail.update(hangup_cause=call.hangup.cause, hangup_source=call.hangup.source)
    if event.kind is CallEventKind.LEFT_MPC and call.on_exit_action is not None:
        detail["url"] = call.on_exit_action.url
    return Activity(event.at, call.auth_id, call.mpc_uuid or "", event.kind.value, detail)


def _mpc(event: MPCEvent) -> Activity:
    mpc = event.mpc
    detail = {"friendly_name": mpc.friendly_name}
    if mpc.termination_cause is not None and event.kind is MPCEventKind.ENDED:
        detail["termination_cause"] = mpc.termination_cause.text
    return Activity(event.at, mpc.auth_id, mpc.mpc_uuid, event.kind.value, detail)


def _added(event: AddParticipantEvent) -> Activity:
    detail: dict[str, Any] = {"call_uuid": event.call.call_uuid, "role": event.spec.role.value}
    if event.answer_at is not None:
        detail["answer_at"] = event.answer_at.isoformat()
    if event.kind is AddParticipantEventKind.COMPLETED:
        detail["member_id"] = event.participant.member_id if event.participant else None
        detail["outcome"] = "success" if event.succeeded else "failure"
    mpc = event.mpc
    return Activity(event.at, mpc.auth_id, mpc.mpc_uuid, event.kind.value, detail)


def describe(event: DomainEvent) -> Activity:
    if isinstance(event, RecordingEvent):
        return _recording(event)
    if isinstance(event, ParticipantEvent):
        return _participant(event)
    if isinstance(event, AudioEvent):
        return _audio(event)
    if isinstance(event, TranscriptionEvent):
        return _transcription(event)
    if isinstance(event, CallEvent):
        return _call(event)
    if isinstance(event, AddParticipantEvent):
        return _added(event)
    return _mpc(event)


class ActivityLog:
    def __init__(self, capacity: int = 20_000) -> None:
        self._entries: deque[Activity] = deque(maxlen=capacity)
        self.version = 0

    def record(self, event: DomainEvent) -> None:
        self.note(describe(event))

    def note(self, activity: Activity) -> None:
        """A line no domain event makes (what a call's XML did)."""
        self._entries.append(activity)
        self.version += 1

    def query(self, auth_id: str | None = None, mpc_uuid: str | None = None) -> list[Activity]:
        return [
            a
            for a in self._entries
            if (auth_id is None or a.auth_id == auth_id) and (mpc_uuid is None or a.mpc_uuid == mpc_uuid)
        ]

    def clear(self, auth_ids: Iterable[str]) -> None:
        drop = set(auth_ids)
        kept = [a for a in self._entries if a.auth_id not in drop]
        self._entries.clear()
        self._entries.extend(kept)
        self.version += 1
