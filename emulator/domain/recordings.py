"""An account's recordings: starting them inside an MPC, and Plivo's Recording resource over them.

The account decides *whether* a recording may start (the MPC is active, the member is on the
line, the track is free); this module creates it where it belongs, applies ``record=true``
once an MPC is ready for it, and answers the Recording resource: a file is listed once
processed (published), found by id, filtered, and deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Literal

from emulator.domain.calls import Call
from emulator.domain.errors import InvalidState, NotFound
from emulator.domain.events import DomainEvent
from emulator.domain.filters import RecordingFilter
from emulator.domain.ids import IdFactory
from emulator.domain.mpc import MPC
from emulator.domain.participant import Participant
from emulator.domain.recording import Recording, RecordingRequest
from emulator.domain.values import MPCStatus, TrackSelector, TrackType

RecordingAction = Literal["pause", "resume", "stop"]


class AccountRecordings:
    def __init__(
        self,
        auth_id: str,
        ids: IdFactory,
        clock: Callable[[], datetime],
        emit: Callable[[Sequence[DomainEvent]], None],
        mpcs: Mapping[str, MPC],
        calls: Callable[[str], Call | None],
    ) -> None:
        """``mpcs`` and ``calls``: the account's own, read to find whose call a recording is of."""
        self._auth_id = auth_id
        self._ids = ids
        self._clock = clock
        self._emit = emit
        self._mpcs = mpcs
        self._calls = calls
        self._by_id: dict[str, Recording] = {}
        # A call's own recordings (<Record>), by call_uuid: stopped when the call ends.
        self._by_call: dict[str, list[Recording]] = {}

    # ---------------------------------------------------------------- storage

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def values(self) -> list[Recording]:
        """Every recording, published or not, in creation order."""
        return list(self._by_id.values())

    def by_id(self, recording_id: str) -> Recording:
        """Any recording of the account (live ones too); NotFound otherwise."""
        recording = self._by_id.get(recording_id)
        if recording is None:
            raise NotFound(f"recording '{recording_id}' not found")
        return recording

    def clear(self) -> None:
        self._by_id.clear()
        self._by_call.clear()

    # ------------------------------------------------------- the Record APIs
    # The account has found the MPC (active) and the member (on the line); what is left to check
    # is the recordings themselves. Nothing changes unless every check passes.

    def start_for_mpc(self, mpc: MPC, request: RecordingRequest) -> Recording:
        if (rec := mpc.live_recording) is not None:
            raise InvalidState(
                f"cannot start recording: {mpc.describe()} is already being recorded "
                f"(recording_id {rec.recording_id}, {rec.state.value})"
            )
        events: list[DomainEvent] = []
        mpc.auto_record = None  # an explicit start supersedes a pending record=true
        recording = self.start(mpc, None, None, request, self._clock(), events)
        self._emit(events)
        return recording

    def change_for_mpc(self, mpc: MPC, action: RecordingAction) -> Recording:
        recording = mpc.live_recording
        if recording is None:
            raise InvalidState(f"cannot {action} recording: {mpc.describe()} has no recording in progress")
        self._emit([recording.transition(action, self._clock())])
        return recording

    def start_for_member(
        self, mpc: MPC, participant: Participant, selector: TrackSelector, request: RecordingRequest
    ) -> list[Recording]:
        for track in selector.tracks:
            if (rec := participant.live_recording(track)) is not None:
                raise InvalidState(
                    f"cannot start recording: {rec.describe()} is already in progress "
                    f"(recording_id {rec.recording_id}, {rec.state.value})"
                )
        now = self._clock()
        events: list[DomainEvent] = []
        started = [self.start(mpc, participant, track, request, now, events) for track in selector.tracks]
        self._emit(events)
        return started

    def change_for_member(
        self, mpc: MPC, participant: Participant, selector: TrackSelector, action: RecordingAction
    ) -> list[Recording]:
        """All the selected tracks change, or none (``both`` with one track paused cannot pause)."""
        targets: list[Recording] = []
        for track in selector.tracks:
            rec = participant.live_recording(track)
            if rec is None:
                live = ", ".join(r.track_type or "" for r in participant.live_recordings()) or "none"
                raise InvalidState(
                    f"cannot {action} recording: member {participant.member_id} in {mpc.describe()} "
                    f"has no '{track}' track recording in progress (tracks in progress: {live})"
                )
            rec.ensure_can(action)
            targets.append(rec)
        now = self._clock()
        self._emit([rec.transition(action, now) for rec in targets])
        return targets

    def act(
        self, recording_id: str, action: RecordingAction | Literal["fail"], reason: str | None = None
    ) -> Recording:
        """Pause, resume, stop or fail one recording by id: what scenarios do on their timeline."""
        recording = self.by_id(recording_id)
        self._emit([recording.transition(action, self._clock(), reason=reason)])
        return recording

    # --------------------------------------------------------------- starting

    def start(
        self,
        mpc: MPC,
        participant: Participant | None,
        track: TrackType | None,
        request: RecordingRequest,
        now: datetime,
        events: list[DomainEvent],
    ) -> Recording:
        """A new recording of the MPC (``participant`` None) or of one member's track."""
        recording = Recording(
            recording_id=self._ids.time_uuid(),
            auth_id=self._auth_id,
            mpc_uuid=mpc.mpc_uuid,
            mpc_name=mpc.friendly_name,
            member_id=participant.member_id if participant else None,
            track_type=track,
            request=request,
            start_time=now,
        )
        if participant is None:
            mpc.recordings.append(recording)
        else:
            assert track is not None
            participant.recordings[track] = recording
        self._by_id[recording.recording_id] = recording
        events.append(recording.initiated())
        return recording

    def start_for_call(self, call: Call, request: RecordingRequest, now: datetime) -> Recording:
        """A call's own recording (an XML ``<Record>``)."""
        recording = Recording(
            recording_id=self._ids.time_uuid(),
            auth_id=self._auth_id,
            mpc_uuid="",
            mpc_name="",
            member_id=None,
            track_type=None,
            request=request,
            start_time=now,
            call_uuid=call.call_uuid,
        )
        self._by_id[recording.recording_id] = recording
        self._by_call.setdefault(call.call_uuid, []).append(recording)
        self._emit([recording.initiated()])
        return recording

    def call_ended(self, call_uuid: str, now: datetime, events: list[DomainEvent]) -> None:
        """The call's own recordings still going complete with it."""
        for recording in self._by_call.pop(call_uuid, []):
            if recording.can("stop"):
                events.append(recording.transition("stop", now))

    def auto_record(self, mpc: MPC, now: datetime, events: list[DomainEvent]) -> None:
        """Apply record=true / record_participant_track=true once the MPC is active."""
        if mpc.status is not MPCStatus.ACTIVE:
            return
        request = mpc.auto_record
        if (
            request is not None
            and mpc.live_recording is None
            and len(mpc.active_participants) >= mpc.record_min_member_count
        ):
            mpc.auto_record = None
            self.start(mpc, None, None, request, now, events)
        for participant in mpc.active_participants:
            own = participant.record_participant_track
            if own is not None and participant.live_recording(TrackType.PARTICIPANT) is None:
                participant.record_participant_track = None
                self.start(mpc, participant, TrackType.PARTICIPANT, own, now, events)

    # ----------------------------------------------------- Recording resource

    def publish(self, recording_id: str, at: datetime) -> Recording | None:
        """The file of a completed recording is processed at ``at`` and then listed (no event);
        the recording, the first time only."""
        recording = self._by_id.get(recording_id)
        if recording is None or recording.available_at is not None:
            return None
        recording.available_at = at
        return recording

    def find(self, recording_id: str) -> Recording:
        """A published recording (what ``GET Recording/{id}/`` and its audio see)."""
        recording = self._by_id.get(recording_id)
        if recording is None or not recording.published(self._clock()):
            raise NotFound(f"recording '{recording_id}' not found")
        return recording

    def list(self, query: RecordingFilter) -> list[Recording]:
        """Published recordings matching ``query``, newest first (publication order breaks ties)."""
        now = self._clock()
        found = [
            recording
            for recording in self._by_id.values()
            if recording.published(now)
            and query.matches(recording, self.member_of(recording) if query.by_member else None, now)
        ]
        return sorted(found, key=lambda r: r.available_at or now, reverse=True)

    def delete(self, recording_id: str) -> Recording:
        recording = self.find(recording_id)
        recording.deleted = True
        return recording

    def member_of(self, recording: Recording) -> Participant | Call | None:
        """Whose call was recorded: the participant of a participant recording, the call of a call's
        own recording (None for an MPC recording)."""
        if recording.call_uuid is not None and recording.member_id is None:
            return self._calls(recording.call_uuid)
        if recording.member_id is None:
            return None
        mpc = self._mpcs.get(recording.mpc_uuid)
        return mpc.participants.get(recording.member_id) if mpc is not None else None
