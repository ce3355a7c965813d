"""Transcriptions of recordings: ordered, then finished (with text) or failed.

    order ──> in-progress ──> success (text, charge)
                  │
                  └─────────> failed (error)

A transcription is addressed by its recording's id, as Plivo's SDK tests use it (python creates and
deletes with one uuid, go creates with the uuid it then gets); a recording has one transcription at
a time, and ordering again once it has finished replaces it. Ordering happens two ways: a recording
started with ``transcription_url`` (or ``transcript=true``) orders its own when its file is processed,
and ``POST Transcription/{recording_id}/`` orders one for any processed recording. The text itself is
made by the delivery layer (there is no audio to listen to) and handed to :meth:`finish`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from emulator.domain.errors import NotFound
from emulator.domain.events import DomainEvent, TranscriptionEvent, TranscriptionEventKind
from emulator.domain.recording import Recording
from emulator.domain.values import CallbackMethod

# Plivo's fixtures (python transcriptionGetResponse.json, go getRecordingTranscription.json) show a
# rate of 0.05 and a 22.78 s recording charged 0.05: per started minute.
RATE_PER_MINUTE = 0.05
# Plivo's Record XML documents transcription for 500 ms to 4 h of audio.
SHORTEST = timedelta(milliseconds=500)
LONGEST = timedelta(hours=4)
TOO_SHORT = "Recording duration too short for transcription"
TOO_LONG = "Recording duration too long for transcription"


class TranscriptionStatus(StrEnum):
    IN_PROGRESS = "in-progress"
    SUCCESS = "success"
    FAILED = "failed"


@dataclass(frozen=True)
class Utterance:
    """One line of a diarised transcript: ``Speaker {speaker}: {text}``, from start to end (ms)."""

    speaker: int
    start_ms: int
    end_ms: int
    text: str


@dataclass(eq=False)
class Transcription:
    recording: Recording
    # The account's count of transcriptions ordered: tells a re-ordered one from the one it replaced.
    number: int
    ordered_at: datetime
    # Where the finished transcription is POSTed (None: only the Transcription resource shows it).
    callback_url: str | None
    # The member's call for a participant recording ("" for an MPC's), and how many voices it holds.
    call_uuid: str = ""
    speakers: int = 1
    callback_method: CallbackMethod = CallbackMethod.POST
    status: TranscriptionStatus = TranscriptionStatus.IN_PROGRESS
    finished_at: datetime | None = None
    utterances: tuple[Utterance, ...] = ()
    error: str | None = None

    @property
    def recording_id(self) -> str:
        return self.recording.recording_id

    @property
    def text(self) -> str:
        """The transcript as Plivo's fixtures show it: a leading newline, one ``Speaker N:`` line each."""
        return "".join(f"\nSpeaker {u.speaker}: {u.text}" for u in self.utterances)

    @property
    def duration_ms(self) -> int:
        """The recorded time transcribed (a finished recording's duration no longer changes)."""
        return round(self.recording.duration(self.ordered_at).total_seconds() * 1000)

    @property
    def billed_minutes(self) -> int:
        """Started minutes of audio transcribed; nothing is charged for a failure or before the end."""
        if self.status is not TranscriptionStatus.SUCCESS:
            return 0
        return max(1, math.ceil(self.duration_ms / 60000))

    @property
    def charge(self) -> float:
        return round(self.billed_minutes * RATE_PER_MINUTE, 5)

    def refusal(self) -> str | None:
        """Why this recording cannot be transcribed (the documented limits), if it cannot."""
        duration = timedelta(milliseconds=self.duration_ms)
        if duration < SHORTEST:
            return TOO_SHORT
        if duration > LONGEST:
            return TOO_LONG
        return None


class AccountTranscriptions:
    def __init__(self, clock: Callable[[], datetime], emit: Callable[[Sequence[DomainEvent]], None]) -> None:
        self._clock = clock
        self._emit = emit
        self._by_recording: dict[str, Transcription] = {}
        self._ordered = 0

    def __len__(self) -> int:
        return len(self._by_recording)

    def __iter__(self) -> Iterator[Transcription]:
        return iter(list(self._by_recording.values()))

    def order(
        self, recording: Recording, callback_url: str | None, *, call_uuid: str = "", speakers: int = 1
    ) -> Transcription:
        """Transcribe a processed recording. One already in progress is kept (and returned) as it is."""
        current = self._by_recording.get(recording.recording_id)
        if current is not None and current.status is TranscriptionStatus.IN_PROGRESS:
            return current
        now = self._clock()
        self._ordered += 1
        transcription = Transcription(recording, self._ordered, now, callback_url, call_uuid, speakers)
        self._by_recording[recording.recording_id] = transcription
        self._emit([TranscriptionEvent(TranscriptionEventKind.ORDERED, transcription, now)])
        return transcription

    def get(self, recording_id: str) -> Transcription:
        transcription = self._by_recording.get(recording_id)
        if transcription is None or transcription.recording.deleted:
            raise NotFound(f"transcription '{recording_id}' not found")
        return transcription

    def delete(self, recording_id: str) -> Transcription:
        transcription = self.get(recording_id)
        del self._by_recording[recording_id]
        return transcription

    def finish(self, transcription: Transcription, utterances: Sequence[Utterance]) -> None:
        """The text is ready (unless the transcription was deleted or replaced meanwhile)."""
        if not self._is_current(transcription):
            return
        transcription.status = TranscriptionStatus.SUCCESS
        transcription.utterances = tuple(utterances)
        self._settle(transcription, TranscriptionEventKind.COMPLETED)

    def fail(self, transcription: Transcription, error: str) -> None:
        if not self._is_current(transcription):
            return
        transcription.status = TranscriptionStatus.FAILED
        transcription.error = error
        self._settle(transcription, TranscriptionEventKind.FAILED)

    def clear(self) -> None:
        self._by_recording.clear()
        self._ordered = 0

    def _is_current(self, transcription: Transcription) -> bool:
        return (
            self._by_recording.get(transcription.recording_id) is transcription
            and transcription.status is TranscriptionStatus.IN_PROGRESS
        )

    def _settle(self, transcription: Transcription, kind: TranscriptionEventKind) -> None:
        now = self._clock()
        transcription.finished_at = now
        self._emit([TranscriptionEvent(kind, transcription, now)])
