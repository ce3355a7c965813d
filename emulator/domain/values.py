"""Plivo's closed vocabularies, as the API spells them on the wire."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from emulator.domain.errors import InvalidParameter


def plivo_time(moment: datetime | None) -> str | None:
    """``2020-12-24 09:20:03+00:00``: Plivo's timestamp format, whole seconds, UTC."""
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%d %H:%M:%S+00:00")


class FileFormat(StrEnum):
    MP3 = "mp3"
    WAV = "wav"


class CallbackMethod(StrEnum):
    GET = "GET"
    POST = "POST"


class TrackType(StrEnum):
    """One recorded track of a participant: their own voice, or the multi-channel mix."""

    PARTICIPANT = "participant"
    ALL = "all"


class TrackSelector(StrEnum):
    """What a participant-recording request names: one track, or ``both`` of them."""

    PARTICIPANT = "participant"
    ALL = "all"
    BOTH = "both"

    @property
    def tracks(self) -> tuple[TrackType, ...]:
        if self is TrackSelector.BOTH:
            # ``all`` first: it is the track the start response names.
            return (TrackType.ALL, TrackType.PARTICIPANT)
        return (TrackType(self.value),)


class RecordingScope(StrEnum):
    MPC = "mpc"
    PARTICIPANT = "participant"
    # A call's own recording (the XML <Record> verb), outside any MPC.
    CALL = "call"


class RecordingState(StrEnum):
    RECORDING = "recording"
    PAUSED = "paused"
    COMPLETED = "completed"
    FAILED = "failed"

    @property
    def is_live(self) -> bool:
        return self in (RecordingState.RECORDING, RecordingState.PAUSED)


class MPCStatus(StrEnum):
    INITIALIZED = "Initialized"
    ACTIVE = "Active"
    ENDED = "Ended"


class MPCRecordingStatus(StrEnum):
    """The ``recording`` field of an MPC object."""

    RECORDING = "recording"
    NOT_RECORDING = "not-recording"
    PAUSED = "paused"


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    CUSTOMER = "customer"
    AI_AGENT = "ai-agent"


@dataclass(frozen=True)
class TerminationCause:
    code: int
    text: str


NO_ACTIVE_PARTICIPANTS = TerminationCause(1000, "No Active Participants")
STAY_ALONE_NOT_PERMITTED = TerminationCause(1010, "Stay Alone Not Permitted")
MAX_DURATION_REACHED = TerminationCause(2000, "Max Duration Reached")
HANGUP_API_TRIGGERED = TerminationCause(3000, "Hangup API Triggered")
TERMINATION_CODES = frozenset(
    c.code
    for c in (NO_ACTIVE_PARTICIPANTS, STAY_ALONE_NOT_PERMITTED, MAX_DURATION_REACHED, HANGUP_API_TRIGGERED)
)


class ExitCause(StrEnum):
    HANGUP = "Participant Call Hangup"
    KICKED = "Kicked Out of Multiparty Call"
    MPC_ENDED = "Multiparty Call Ended"
    TRANSFERRED = "Participant Call Transferred"


@dataclass(frozen=True)
class Webhook:
    """A URL Plivo calls about one call, and how (``call_status_callback_url``, ``on_exit_action_url``)."""

    url: str
    method: CallbackMethod = CallbackMethod.POST


def checked_digits(digits: str) -> str:
    """Keys a test presses on a member's or a call's line: 1 to 32 of 0-9, * and #."""
    if not digits or len(digits) > 32 or any(d not in "0123456789*#" for d in digits):
        raise InvalidParameter("digits", f"invalid digits {digits!r}: 1 to 32 of 0-9, * and #")
    return digits
