"""The timers the domain cannot keep, each on its account's clock.

A scenario's recording actions (pause, resume, stop or fail after N seconds), a recording's file
being processed, an MPC's max_duration, a play or speak running out, a member who stops speaking,
a dialled member answering after its ring time, a member who drops, and a transcription getting
done. Each fires a domain operation, which emits its events as any API
call would; a timer whose subject has ended, changed or been reset meanwhile does nothing.
"""

from __future__ import annotations

import contextlib
import functools
from datetime import datetime, timedelta

from emulator.delivery.choice import ScenarioChoice
from emulator.delivery.scenarios import ActionName, Scenario
from emulator.delivery.scheduler import Job, Scheduler
from emulator.domain.backend import Backend
from emulator.domain.errors import DomainError
from emulator.domain.events import (
    AddParticipantEvent,
    AddParticipantEventKind,
    AudioEvent,
    AudioEventKind,
    MPCEvent,
    MPCEventKind,
    ParticipantEvent,
    ParticipantEventKind,
    TranscriptionEvent,
    TranscriptionEventKind,
)
from emulator.domain.member_audio import AudioKind
from emulator.domain.recording import Recording
from emulator.domain.refs import MPCRef
from emulator.domain.transcription import Transcription
from emulator.media.transcript import utterances


class Timers:
    def __init__(self, backend: Backend, scheduler: Scheduler, choice: ScenarioChoice) -> None:
        self._backend = backend
        self._scheduler = scheduler
        self._choice = choice
        self._mpc_timers: dict[str, Job] = {}

    def forget(self, auth_id: str) -> None:
        """The account was reset (its jobs are cancelled by the scheduler already)."""
        prefix = f"{auth_id}/"
        for key in [k for k in self._mpc_timers if k.startswith(prefix)]:
            del self._mpc_timers[key]

    # -------------------------------------------------------------- recordings

    def schedule_actions(self, recording: Recording, scenario: Scenario) -> None:
        for action in scenario.actions:
            self._scheduler.schedule(
                recording.start_time + timedelta(seconds=action.after),
                functools.partial(self._act, recording, action.do, action.reason),
                owner=recording.auth_id,
            )

    def _act(self, recording: Recording, action: ActionName, reason: str | None) -> None:
        # The user may already have stopped it: a scenario action on a finished recording does nothing.
        if not recording.can(action):
            return
        # Only a failure has a reason.
        why = (reason or "recording failed (scenario)") if action == "fail" else None
        self._backend.account(recording.auth_id).recordings.act(recording.recording_id, action, why)

    def publish_at(self, recording: Recording, due: datetime) -> None:
        """The file is processed when Completed is sent: only then is it in the Recording resource.
        Called before the callback is queued, so a receiver that fetches the file finds it."""
        publish = functools.partial(self._publish, recording.auth_id, recording.recording_id, due)
        self._scheduler.schedule(due, publish, owner=recording.auth_id)

    def _publish(self, auth_id: str, recording_id: str, at: datetime) -> None:
        with contextlib.suppress(DomainError):  # its account is gone
            self._backend.account(auth_id).publish_recording(recording_id, at)

    # -------------------------------------------------------------------- MPCs

    def on_mpc(self, event: MPCEvent) -> None:
        """An MPC that starts ends by itself at its max_duration (a scenario's, or its own)."""
        mpc = event.mpc
        key = f"{mpc.auth_id}/{mpc.mpc_uuid}"
        if event.kind is MPCEventKind.STARTED:
            seconds = self._choice.loaded.mpc_max_duration(mpc.friendly_name) or mpc.max_duration
            self._mpc_timers[key] = self._scheduler.schedule(
                event.at + timedelta(seconds=seconds),
                functools.partial(self._expire, mpc.auth_id, mpc.mpc_uuid),
                owner=mpc.auth_id,
            )
        elif event.kind is MPCEventKind.ENDED and (job := self._mpc_timers.pop(key, None)) is not None:
            self._scheduler.cancel(job)

    def _expire(self, auth_id: str, mpc_uuid: str) -> None:
        with contextlib.suppress(DomainError):  # reset or ended in the meantime
            self._backend.account(auth_id).expire_mpc(mpc_uuid)

    # ---------------------------------------------------------- members' audio

    def on_audio(self, event: AudioEvent) -> None:
        """A play or speak ends by itself when its time is up (unless stopped or replaced before)."""
        if event.kind is not AudioEventKind.STARTED:
            return
        audio, mpc = event.audio, event.mpc
        end = functools.partial(
            self._end_audio, mpc.auth_id, mpc.mpc_uuid, audio.spec.kind, audio.key, audio.audio_id
        )
        self._scheduler.schedule(event.at + timedelta(seconds=audio.spec.seconds), end, owner=mpc.auth_id)

    def _end_audio(self, auth_id: str, mpc_uuid: str, kind: AudioKind, key: str, audio_id: int) -> None:
        with contextlib.suppress(DomainError):  # ended or reset meanwhile
            self._backend.account(auth_id).stop_audio(MPCRef("uuid", mpc_uuid), kind, key, audio_id)

    def speak_for(self, auth_id: str, mpc_uuid: str, member_id: str, seconds: float) -> None:
        """The member speaks now and stops ``seconds`` later (there is no audio to detect voice in:
        a test says when)."""
        self._backend.account(auth_id).speak(mpc_uuid, member_id, True)
        stop = functools.partial(self._stop_speaking, auth_id, mpc_uuid, member_id)
        self._scheduler.schedule_in(seconds, stop, owner=auth_id)

    def _stop_speaking(self, auth_id: str, mpc_uuid: str, member_id: str) -> None:
        with contextlib.suppress(DomainError):  # left, ended or reset meanwhile
            self._backend.account(auth_id).speak(mpc_uuid, member_id, False)

    # ----------------------------------------------------------------- members

    def on_add_participant(self, event: AddParticipantEvent) -> None:
        """A member dialled with a ring time answers when it is up."""
        if event.kind is AddParticipantEventKind.INITIATED and event.answer_at is not None:
            answer = functools.partial(self._answer, event.mpc.auth_id, event.request_uuid)
            self._scheduler.schedule(event.answer_at, answer, owner=event.mpc.auth_id)

    def _answer(self, auth_id: str, request_uuid: str) -> None:
        with contextlib.suppress(DomainError):  # its account is gone
            self._backend.account(auth_id).answer(request_uuid)

    def on_join(self, event: ParticipantEvent) -> None:
        """A scenario's member who drops: it hangs up that long after joining."""
        if event.kind is not ParticipantEventKind.JOINED:
            return
        mpc, member = event.mpc, event.participant
        after = self._choice.for_mpc(mpc.auth_id, mpc.friendly_name).members.drop_for(member.role)
        if after is not None:
            drop = functools.partial(self._drop, mpc.auth_id, mpc.mpc_uuid, member.member_id)
            self._scheduler.schedule(event.at + timedelta(seconds=after), drop, owner=mpc.auth_id)

    def _drop(self, auth_id: str, mpc_uuid: str, member_id: str) -> None:
        with contextlib.suppress(DomainError):  # left, ended or reset meanwhile
            self._backend.account(auth_id).hang_up(mpc_uuid, member_id)

    # ---------------------------------------------------------- transcriptions

    def on_transcription(self, event: TranscriptionEvent) -> None:
        """An ordered transcription is done after its recording's scenario's delay (or fails then)."""
        if event.kind is not TranscriptionEventKind.ORDERED:
            return
        transcription = event.transcription
        plan = self._choice.again(transcription.recording).transcription
        done = functools.partial(self._transcribe, transcription, plan.fail)
        self._scheduler.schedule(
            event.at + timedelta(seconds=plan.delay), done, owner=transcription.recording.auth_id
        )

    def _transcribe(self, transcription: Transcription, fail: str | None) -> None:
        recording = transcription.recording
        with contextlib.suppress(DomainError):  # its account is gone
            transcriptions = self._backend.account(recording.auth_id).transcriptions
            error = fail or transcription.refusal()
            if error is not None:
                transcriptions.fail(transcription, error)
                return
            lines = utterances(
                self._backend.seed, recording.recording_id, transcription.duration_ms, transcription.speakers
            )
            transcriptions.finish(transcription, lines)
