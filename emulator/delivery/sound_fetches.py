"""The XML documents Plivo fetches for what an MPC plays: wait and hold music, enter and exit sounds,
and the prompts when recording starts and stops.

Each is fetched when Plivo would fetch it (a member waiting for the MPC to start, put on hold,
joining, leaving; the MPC's recording starting or stopping while the call goes on), with the
method configured (GET by default, as the docs give), signed like every callback, and journaled
with what the document holds (``reply_check``). Nothing is played. Parameters: those of every
request Plivo makes about a call (``CallUUID``, ``From``, ``To``, ``CallStatus``, ``Direction``) and
the MPC's and member's (docs/fidelity.md).
"""

from __future__ import annotations

from collections.abc import Callable

from emulator.delivery.callbacks import Callback
from emulator.delivery.choice import ScenarioChoice
from emulator.delivery.scenarios import Scenario
from emulator.domain.backend import Backend
from emulator.domain.events import ParticipantEvent, ParticipantEventKind, RecordingEvent, RecordingEventKind
from emulator.domain.mpc import MPC
from emulator.domain.participant import Participant
from emulator.domain.values import MPCStatus, Webhook


def _member_params(mpc: MPC, member: Participant) -> dict[str, str]:
    return {
        "CallUUID": member.call_uuid,
        "From": member.from_number,
        "To": member.to_number,
        "CallStatus": "in-progress",
        "Direction": "outbound",
        "MPCUUID": mpc.mpc_uuid,
        "MPCName": mpc.friendly_name,
        "MemberID": member.member_id,
        "ParticipantRole": member.role.value,
    }


def _member_fetches(event: ParticipantEvent) -> list[tuple[str, Webhook]]:
    mpc, member = event.mpc, event.participant
    found: list[tuple[str, Webhook | None]] = []
    if event.kind is ParticipantEventKind.JOINED:
        waiting = mpc.start_time is None or mpc.start_time > member.join_time
        found += [
            ("EnterSoundFetch", member.sounds.enter),
            ("WaitMusicFetch", mpc.music.wait if waiting else None),
        ]
    elif event.kind is ParticipantEventKind.EXITED:
        found.append(("ExitSoundFetch", member.sounds.exit))
    elif event.kind is ParticipantEventKind.HELD:
        found.append(("HoldMusicFetch", mpc.music.hold_for(member.role)))
    return [(name, hook) for name, hook in found if hook is not None]


def _recording_fetch(event: RecordingEvent, mpc: MPC) -> tuple[str, Webhook] | None:
    """The MPC's own recording: its start prompt, and its stop prompt while the call goes on."""
    if event.recording.member_id is not None:
        return None
    if event.kind is RecordingEventKind.INITIATED and mpc.music.start_recording is not None:
        return "RecordingStartAudioFetch", mpc.music.start_recording
    stopped = event.kind is RecordingEventKind.COMPLETED and mpc.status is MPCStatus.ACTIVE
    if stopped and mpc.music.stop_recording is not None:
        return "RecordingStopAudioFetch", mpc.music.stop_recording
    return None


def wants_sounds(event: ParticipantEvent | RecordingEvent) -> bool:
    """Whether the event can cause a fetch at all (most cannot: a cheap test before any lookup)."""
    if isinstance(event, ParticipantEvent):
        return bool(_member_fetches(event))
    return event.recording.member_id is None and event.kind in (
        RecordingEventKind.INITIATED,
        RecordingEventKind.COMPLETED,
    )


class SoundFetches:
    """Turns events into fetches and sends each alone (nothing orders them); numbers them per
    account (their journal ids)."""

    def __init__(
        self, backend: Backend, choice: ScenarioChoice, send: Callable[[Callback, Scenario], object]
    ) -> None:
        self._backend = backend
        self._choice = choice
        self._send = send
        self._count: dict[str, int] = {}

    def forget(self, auth_id: str) -> None:
        self._count.pop(auth_id, None)

    def on_event(self, event: ParticipantEvent | RecordingEvent) -> None:
        """The music and sounds Plivo would fetch now."""
        if not wants_sounds(event):
            return
        if isinstance(event, ParticipantEvent):
            mpc = event.mpc
            scenario = self._choice.for_mpc(mpc.auth_id, mpc.friendly_name)
            fetches = self.for_participant(event, scenario.name)
        else:
            recording = event.recording
            found = self._backend.account(recording.auth_id).mpcs.get(recording.mpc_uuid)
            if found is None:
                return
            scenario = self._choice.for_mpc(found.auth_id, found.friendly_name)
            fetches = self.for_recording(event, found, scenario.name)
        for fetch in fetches:
            self._send(fetch, scenario)

    def for_participant(self, event: ParticipantEvent, scenario: str) -> list[Callback]:
        params = _member_params(event.mpc, event.participant)
        return [
            self._fetch(event.mpc, name, hook, params, event, scenario, event.participant.member_id)
            for name, hook in _member_fetches(event)
        ]

    def for_recording(self, event: RecordingEvent, mpc: MPC, scenario: str) -> list[Callback]:
        found = _recording_fetch(event, mpc)
        if found is None:
            return []
        params = {
            "MPCUUID": mpc.mpc_uuid,
            "MPCName": mpc.friendly_name,
            "RecordingUUID": event.recording.recording_id,
        }
        return [self._fetch(mpc, found[0], found[1], params, event, scenario, None)]

    def _fetch(
        self,
        mpc: MPC,
        name: str,
        hook: Webhook,
        params: dict[str, str],
        event: ParticipantEvent | RecordingEvent,
        scenario: str,
        member_id: str | None,
    ) -> Callback:
        number = self._count[mpc.auth_id] = self._count.get(mpc.auth_id, 0) + 1
        return Callback(
            callback_id=f"{mpc.mpc_uuid}-sound{number}",
            auth_id=mpc.auth_id,
            recording_id=event.recording.recording_id if isinstance(event, RecordingEvent) else None,
            mpc_uuid=mpc.mpc_uuid,
            member_id=member_id,
            event_name=name,
            sequence=1,
            url=hook.url,
            method=hook.method,
            params=params,
            due=event.at,
            scenario=scenario,
            reply="music",
        )
