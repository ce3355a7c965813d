"""A Multi-Party Call: its lifecycle, members and MPC-level recordings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from emulator.domain.limits import MAX_DURATION, MAX_PARTICIPANTS, RECORD_MIN_MEMBER_COUNT
from emulator.domain.member_audio import AudioKind, MemberAudio
from emulator.domain.participant import Participant, StatusCallback
from emulator.domain.recording import Recording, RecordingRequest
from emulator.domain.sounds import MPCMusic
from emulator.domain.values import MPCRecordingStatus, MPCStatus, RecordingState, TerminationCause


@dataclass(eq=False)
class MPC:
    mpc_uuid: str
    friendly_name: str
    creation_time: datetime
    auth_id: str
    max_participants: int = MAX_PARTICIPANTS.default
    max_duration: int = MAX_DURATION.default
    record_min_member_count: int = RECORD_MIN_MEMBER_COUNT.default
    stay_alone: bool = False
    status: MPCStatus = MPCStatus.INITIALIZED
    start_time: datetime | None = None
    end_time: datetime | None = None
    termination_cause: TerminationCause | None = None
    participants: dict[str, Participant] = field(default_factory=dict)
    recordings: list[Recording] = field(default_factory=list)
    # Set by a participant added with record=true; applied once the MPC is active
    # with at least record_min_member_count members.
    auto_record: RecordingRequest | None = None
    # MPC-level status callbacks: those of the member who created the MPC.
    status_callback: StatusCallback | None = None
    music: MPCMusic = field(default_factory=MPCMusic)
    # Plays and speaks in progress, by kind and by the member form their request used.
    audio: dict[tuple[AudioKind, str], MemberAudio] = field(default_factory=dict)

    @property
    def live(self) -> bool:
        """Reachable by name: Plivo resolves ``name_`` only for calls that have not ended."""
        return self.status is not MPCStatus.ENDED

    @property
    def active_participants(self) -> list[Participant]:
        return [p for p in self.participants.values() if p.active]

    @property
    def live_recording(self) -> Recording | None:
        for rec in reversed(self.recordings):
            if rec.state.is_live:
                return rec
        return None

    @property
    def recording_status(self) -> MPCRecordingStatus:
        rec = self.live_recording
        if rec is None:
            return MPCRecordingStatus.NOT_RECORDING
        if rec.state is RecordingState.PAUSED:
            return MPCRecordingStatus.PAUSED
        return MPCRecordingStatus.RECORDING

    def describe(self) -> str:
        return f"MPC '{self.friendly_name}'"
