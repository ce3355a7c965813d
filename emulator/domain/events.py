"""Events the domain emits after each committed change.

The delivery layer subscribes to them and turns recording events into Plivo
callbacks; nothing here knows how (or whether) they are delivered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from emulator.domain.calls import Call
    from emulator.domain.member_audio import MemberAudio
    from emulator.domain.mpc import MPC
    from emulator.domain.participant import Participant, ParticipantSpec
    from emulator.domain.recording import Recording
    from emulator.domain.transcription import Transcription


class RecordingEventKind(StrEnum):
    INITIATED = "Initiated"
    PAUSED = "Paused"
    RESUMED = "Resumed"
    COMPLETED = "Completed"
    FAILED = "Failed"


@dataclass(frozen=True)
class RecordingEvent:
    """A recording changed state; ``sequence`` orders the events of one recording from 1."""

    kind: RecordingEventKind
    recording: Recording
    at: datetime
    sequence: int

    @property
    def event_name(self) -> str:
        """Plivo's EventName, e.g. ``MPCRecordingInitiated`` or ``ParticipantRecordingPaused``."""
        prefix = {"mpc": "MPC", "participant": "Participant", "call": "Call"}[self.recording.scope.value]
        return f"{prefix}Recording{self.kind.value}"


class MPCEventKind(StrEnum):
    INITIALIZED = "MPCInitialized"
    STARTED = "MPCStart"
    ENDED = "MPCEnd"


@dataclass(frozen=True)
class MPCEvent:
    kind: MPCEventKind
    mpc: MPC
    at: datetime


class ParticipantEventKind(StrEnum):
    JOINED = "ParticipantJoin"
    EXITED = "ParticipantExit"
    MUTED = "ParticipantMute"
    UNMUTED = "ParticipantUnmute"
    HELD = "ParticipantHold"
    UNHELD = "ParticipantUnhold"
    COACH_MODE_STARTED = "ParticipantCoachModeStart"
    COACH_MODE_STOPPED = "ParticipantCoachModeStop"
    # Voice activity and key presses: no audio here, so a test (the control plane) says when.
    SPEAK_STARTED = "ParticipantSpeakStart"
    SPEAK_STOPPED = "ParticipantSpeakStop"
    DIGIT_INPUT = "ParticipantDigitInput"


@dataclass(frozen=True)
class ParticipantEvent:
    kind: ParticipantEventKind
    mpc: MPC
    participant: Participant
    at: datetime
    # The key pressed, for DIGIT_INPUT.
    digit: str | None = None


class AudioEventKind(StrEnum):
    STARTED = "MemberAudioStart"
    STOPPED = "MemberAudioStop"


@dataclass(frozen=True)
class AudioEvent:
    """A play or speak began or ended (no callback: Plivo documents none; the journal of state shows it)."""

    kind: AudioEventKind
    mpc: MPC
    audio: MemberAudio
    at: datetime


class TranscriptionEventKind(StrEnum):
    ORDERED = "TranscriptionOrdered"
    COMPLETED = "TranscriptionCompleted"
    FAILED = "TranscriptionFailed"


@dataclass(frozen=True)
class TranscriptionEvent:
    """A transcription was ordered, or finished with text or an error."""

    kind: TranscriptionEventKind
    transcription: Transcription
    at: datetime


class CallEventKind(StrEnum):
    RINGING = "CallRinging"
    ANSWERED = "CallAnswered"
    HUNG_UP = "CallHangup"
    # A call left its MPC (kicked, or the MPC ended) and goes on: to the document its
    # on_exit_action_url returns, or to its own XML's next verb.
    LEFT_MPC = "CallLeftMPC"


@dataclass(frozen=True)
class CallEvent:
    """A call changed state (``mpc`` and ``participant``: the MPC it left, for LEFT_MPC)."""

    kind: CallEventKind
    call: Call
    at: datetime
    mpc: MPC | None = None
    participant: Participant | None = None


class AddParticipantEventKind(StrEnum):
    INITIATED = "AddParticipantByAPIActionInitiated"
    COMPLETED = "AddParticipantByAPIActionCompleted"


@dataclass(frozen=True)
class AddParticipantEvent:
    """An add-participant request dialled out (INITIATED), then its member joined or it failed
    (COMPLETED, with ``participant`` when it joined)."""

    kind: AddParticipantEventKind
    mpc: MPC
    call: Call
    spec: ParticipantSpec
    at: datetime
    participant: Participant | None = None
    # When the dialled member answers (INITIATED; None: it answered at once).
    answer_at: datetime | None = None
    request_uuid: str = ""

    @property
    def succeeded(self) -> bool:
        return self.participant is not None


DomainEvent = (
    RecordingEvent
    | MPCEvent
    | ParticipantEvent
    | AudioEvent
    | TranscriptionEvent
    | CallEvent
    | AddParticipantEvent
)
