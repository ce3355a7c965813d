"""A member of an MPC: one answered call, with its mute/hold/coach flags and recordings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from emulator.domain.limits import MAX_DURATION, MAX_PARTICIPANTS, RECORD_MIN_MEMBER_COUNT
from emulator.domain.recording import Recording, RecordingRequest
from emulator.domain.sounds import MemberSounds, MPCMusic
from emulator.domain.values import CallbackMethod, ExitCause, Role, TrackType, Webhook


class StatusEvents(StrEnum):
    """The groups of MPC status events a member subscribes to (``status_callback_events``)."""

    MPC_STATE = "mpc-state-changes"
    PARTICIPANT_STATE = "participant-state-changes"
    PARTICIPANT_SPEAK = "participant-speak-events"
    PARTICIPANT_DIGIT_INPUT = "participant-digit-input-events"
    ADD_PARTICIPANT_API = "add-participant-api-events"


DEFAULT_STATUS_EVENTS = frozenset({StatusEvents.MPC_STATE, StatusEvents.PARTICIPANT_STATE})


@dataclass(frozen=True)
class StatusCallback:
    """Where a member asked for MPC status events (``status_callback_url``), how, and which groups."""

    url: str
    method: CallbackMethod = CallbackMethod.GET
    events: frozenset[StatusEvents] = DEFAULT_STATUS_EVENTS


@dataclass(frozen=True)
class ParticipantSpec:
    """The caller's description of a participant to add (add-participant or control plane)."""

    role: Role
    call_uuid: str | None = None
    from_number: str | None = None
    to_numbers: tuple[str, ...] = ()
    # inbound: a call that arrived and joined through <MultiPartyCall>; add-participant dials out.
    call_direction: str = "outbound"
    caller_name: str | None = None
    member_id: str | None = None  # control plane only; Plivo assigns it otherwise
    coach_mode: bool = True
    mute: bool = False
    hold: bool = False
    start_mpc_on_enter: bool = True
    end_mpc_on_exit: bool = False
    stay_alone: bool = False
    max_duration: int = MAX_DURATION.default
    max_participants: int = MAX_PARTICIPANTS.default
    record_min_member_count: int = RECORD_MIN_MEMBER_COUNT.default
    # record=true: record the whole MPC once it starts (callback GET by default here).
    record: RecordingRequest | None = None
    # record_participant_track=true: record this member's own track.
    record_participant_track: RecordingRequest | None = None
    status_callback: StatusCallback | None = None
    # Add-participant's dialled calls report ringing, answer and hangup here.
    call_status_callback: Webhook | None = None
    # What the member's call fetches when kicked or when the MPC ends.
    on_exit_action: Webhook | None = None
    sounds: MemberSounds = field(default_factory=MemberSounds)
    # The MPC's music, when this member creates it.
    music: MPCMusic = field(default_factory=MPCMusic)


@dataclass(eq=False)
class Participant:
    member_id: str
    mpc_uuid: str
    call_uuid: str
    role: Role
    from_number: str
    to_number: str
    caller_name: str
    join_time: datetime
    coach_mode: bool
    mute: bool
    hold: bool
    start_mpc_on_enter: bool
    end_mpc_on_exit: bool
    stay_alone: bool
    call_direction: str = "outbound"
    exit_time: datetime | None = None
    exit_cause: ExitCause | None = None
    record_participant_track: RecordingRequest | None = None
    status_callback: StatusCallback | None = None
    sounds: MemberSounds = field(default_factory=MemberSounds)
    recordings: dict[TrackType, Recording] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return self.exit_time is None

    @property
    def member_address(self) -> str:
        """The far party's address: whom Plivo dialled, or who called in."""
        return self.from_number if self.call_direction == "inbound" else self.to_number

    def live_recording(self, track: TrackType) -> Recording | None:
        rec = self.recordings.get(track)
        return rec if rec is not None and rec.state.is_live else None

    def live_recordings(self) -> list[Recording]:
        return [r for r in self.recordings.values() if r.state.is_live]
