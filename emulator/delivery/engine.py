"""The callback engine: domain events in, signed callbacks out.

Every family of callback goes through it: recordings', MPC status, members' calls, music and
sounds, transcriptions, a call's application and its XML, async-mode answers. For each event the
engine decides what to send and on which *lane*: a recording's callbacks share one, so a receiver
never sees event 3 before event 2 (unless a scenario asks for exactly that); each MPC status
destination and each call has its own. :mod:`emulator.delivery.dispatch` then sends them: one at a
time per lane, each when due, retried on the scenario's backoff.

The engine is the delivery layer's interface: the HTTP layer calls its methods (the clock, scenario
choice, the journal and the activity log, injected speech and keys) and never reaches into its parts.
The timers the domain cannot keep are :mod:`emulator.delivery.timers`; each callback family's
payloads are their own modules (callbacks, status, call_callbacks, sound_fetches, call_app).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from emulator.delivery.activity import Activity, ActivityLog
from emulator.delivery.call_app import CallApps
from emulator.delivery.call_callbacks import CallCallbacks
from emulator.delivery.callbacks import (
    Callback,
    LinksFor,
    RecordingLinks,
    async_result,
    record_xml_callback,
    recording_params,
    transcription_callback,
)
from emulator.delivery.choice import ScenarioChoice
from emulator.delivery.clock import AccountClocks, ClockMode
from emulator.delivery.dispatch import Dispatcher
from emulator.delivery.journal import DeliveryState, Journal, JournalEntry, JournalQuery
from emulator.delivery.lanes import Then
from emulator.delivery.scenarios import Scenario, ScenarioSet, SeedMPC
from emulator.delivery.scheduler import Scheduler
from emulator.delivery.sender import Sender
from emulator.delivery.sound_fetches import SoundFetches
from emulator.delivery.status import StatusEvent, StatusScope, StatusStreams, status_callback
from emulator.delivery.status import targets as status_targets
from emulator.delivery.timers import Timers
from emulator.domain.account import Account
from emulator.domain.backend import Backend
from emulator.domain.calls import Call
from emulator.domain.errors import DomainError, NotFound
from emulator.domain.events import (
    AddParticipantEvent,
    AudioEvent,
    CallEvent,
    DomainEvent,
    MPCEvent,
    MPCEventKind,
    ParticipantEvent,
    RecordingEvent,
    RecordingEventKind,
    TranscriptionEvent,
    TranscriptionEventKind,
)
from emulator.domain.recording import Recording, RecordingRequest
from emulator.domain.values import CallbackMethod, checked_digits

log = logging.getLogger(__name__)

TERMINAL = (RecordingEventKind.COMPLETED, RecordingEventKind.FAILED)


def _stable_int(*parts: object) -> int:
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _no_links(recording: Recording) -> RecordingLinks:
    return RecordingLinks("", "")


@dataclass(frozen=True)
class ClockStatus:
    mode: ClockMode
    speed: float
    now: datetime
    # Jobs waiting on the scheduler: callbacks not yet due, retries, scenario actions, MPC timers.
    pending: int
    # For one account: whose time it is, and how many seconds ahead of the emulator's clock.
    auth_id: str | None = None
    ahead: float = 0.0


@dataclass(frozen=True)
class AdvanceReport:
    """What one advance of a manual clock sent."""

    attempted: int
    delivered: int
    failed: int
    # The journal entries of the callbacks attempted, as far as the journal still holds them.
    callbacks: list[JournalEntry]

    @property
    def truncated(self) -> bool:
        return len(self.callbacks) < self.attempted


class CallbackEngine:
    """The delivery layer's one object: the HTTP layer uses its methods, never its parts."""

    def __init__(
        self,
        backend: Backend,
        clocks: AccountClocks,
        scenarios: ScenarioSet,
        *,
        journal: Journal | None = None,
        sender: Sender | None = None,
        links: LinksFor = _no_links,
        status_scope: StatusScope = StatusScope.CREATOR,
    ) -> None:
        self.backend = backend
        self._clocks = clocks
        self._clock = clocks.base
        self._choice = ScenarioChoice(scenarios)
        self._journal = journal if journal is not None else Journal()
        self._activity = ActivityLog(2 * self._journal.capacity)
        self.sender = sender if sender is not None else Sender()
        self._scheduler = Scheduler(clocks)
        self._links = links
        self._status_scope = status_scope
        self._status_streams = StatusStreams()
        self._timers = Timers(backend, self._scheduler, self._choice)
        self._dispatch = Dispatcher(backend, clocks, self._scheduler, self._journal, self.sender)
        self._call_callbacks = CallCallbacks(backend, self._choice, self._queue_on)
        self._sound_fetches = SoundFetches(backend, self._choice, self._dispatch.send_alone)
        self._call_apps = CallApps(backend, self._scheduler, self._choice, self._send_then, self._note, links)
        self._runner: asyncio.Task[None] | None = None
        self._resends = 0
        backend.subscribe(self.on_event)
        backend.on_reset(self.on_reset)

    # -------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        await self.sender.start()
        self._runner = asyncio.get_running_loop().create_task(self._scheduler.run())
        for account in self.backend.accounts:
            self.seed(account)

    def begin_shutdown(self) -> None:
        """The server is stopping: open long-polls answer now with what they have."""
        self._journal.close()

    async def stop(self, grace: float = 0.0) -> None:
        """Try what is already due for up to ``grace`` seconds, then stop and say what was left."""
        self.begin_shutdown()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        while self._dispatch.sending and loop.time() < deadline:
            await asyncio.sleep(0.02)
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
        await self.sender.aclose()
        self._dispatch.report_undelivered()

    def on_reset(self, account: Account) -> None:
        """Forget the account's pending callbacks, timers and own time, then seed it again."""
        auth_id = account.auth_id
        self._scheduler.cancel_owner(auth_id)
        self._journal.clear([auth_id])
        self._clocks.forget(auth_id)
        self._activity.clear([auth_id])
        self._choice.forget_account(auth_id)
        self._status_streams.forget(auth_id)
        self._dispatch.close_account(auth_id)
        self._timers.forget(auth_id)
        self._call_callbacks.forget(auth_id)
        self._sound_fetches.forget(auth_id)
        self._call_apps.forget(auth_id)
        if account in self.backend.accounts:  # not when it was removed
            self.seed(account)

    def seed(self, account: Account) -> None:
        """Create the scenarios' seeded MPCs in ``account`` (at start-up, for a new account, on reset)."""
        for seed in self._choice.loaded.seeds():
            if seed.account in (None, account.auth_id):
                self._apply_seed(account, seed)

    def _apply_seed(self, account: Account, seed: SeedMPC) -> None:
        try:
            account.create_mpc(seed.friendly_name, seed.participants)
        except DomainError as exc:
            log.warning(
                "seed MPC '%s' not created for %s: %s", seed.friendly_name, account.auth_id, exc.message
            )

    # ------------------------------------------------------------------ time

    @property
    def clock_mode(self) -> ClockMode:
        return self._clock.mode

    def clock_status(self, auth_id: str | None = None) -> ClockStatus:
        """The emulator's clock, or one account's (its time, how far ahead it is, its pending jobs)."""
        clock = self._clock
        if auth_id is None:
            return ClockStatus(clock.mode, clock.speed, clock.now(), self._scheduler.pending)
        ahead = self._clocks.offset(auth_id).total_seconds()
        pending = self._scheduler.pending_for(auth_id)
        return ClockStatus(clock.mode, clock.speed, self._clocks.now(auth_id), pending, auth_id, ahead)

    async def advance(self, seconds: float, auth_id: str | None = None) -> AdvanceReport:
        """Move time ahead: the emulator's manual clock (every account), or one account's, in either
        mode; returns once everything due on the way is delivered or given up."""
        if auth_id is None and not self._clock.manual:
            raise RuntimeError("only a manual clock can be advanced for every account")
        with self._dispatch.collect(auth_id) as collected:
            await self._scheduler.advance(seconds, auth_id)
        # The journal keeps the newest entries only: an advance that sent more than it holds says so.
        attempted = collected.states
        listed = [
            e for e in self._journal.query(JournalQuery(auth_id)) if e.callback.callback_id in attempted
        ]
        delivered = sum(1 for state in attempted.values() if state is DeliveryState.DELIVERED)
        failed = sum(1 for state in attempted.values() if state is DeliveryState.FAILED)
        return AdvanceReport(len(attempted), delivered, failed, listed)

    # ------------------------------------------------------------- scenarios

    @property
    def scenario_set(self) -> ScenarioSet:
        return self._choice.loaded

    def replace_scenarios(self, loaded: ScenarioSet) -> None:
        """Scenario files read again: started recordings keep theirs; seeds apply at the next reset."""
        self._choice.loaded = loaded

    def name_scenario(self, request: RecordingRequest, name: str, where: str | None = None) -> None:
        """The recordings ``request`` starts follow scenario ``name`` (an unknown name is refused)."""
        self._choice.name_for_request(request, name, where)

    def choose_account_scenario(self, auth_id: str, name: str | None) -> None:
        """Every recording the account starts follows ``name`` (unless its request names another);
        None goes back to matching. A reset of the account forgets the choice."""
        self._choice.choose_for_account(auth_id, name)

    # ------------------------------------------------------------ async mode

    def send_async_result(
        self, auth_id: str, url: str, method: CallbackMethod, params: dict[str, str]
    ) -> None:
        """The real answer of an async-mode API call (its ``callback_url``), sent now on the account's
        clock, signed and journaled like every callback, with the delivery settings of the default."""
        scenario = self._choice.loaded.default
        callback = async_result(auth_id, url, method, params, self._clocks.now(auth_id), scenario.name)
        self._dispatch.send_alone(callback, scenario)

    # ------------------------------------------------------- injected events

    def press_call_digits(self, auth_id: str, call_uuid: str, digits: str) -> None:
        """Keys pressed on a call whose XML is collecting them (``<GetDigits>``)."""
        checked_digits(digits)
        self._call_apps.runner.press(self._live_call(auth_id, call_uuid), digits)

    def say_on_call(self, auth_id: str, call_uuid: str, text: str, confidence: float) -> None:
        """Words said on a call whose XML listens for speech (``<GetInput inputType="speech">``)."""
        self._call_apps.runner.say(self._live_call(auth_id, call_uuid), text, confidence)

    def _live_call(self, auth_id: str, call_uuid: str) -> Call:
        call = self.backend.account(auth_id).calls.get(call_uuid)
        if call is None or not call.live:
            raise NotFound(f"no live call '{call_uuid}' in account {auth_id}")
        return call

    def ring_seconds(self, auth_id: str, mpc_name: str) -> float:
        """How long a member dialled into MPC ``mpc_name`` rings before it answers (its scenario's)."""
        return self._choice.for_mpc(auth_id, mpc_name).members.ring

    def speak_for(self, auth_id: str, mpc_uuid: str, member_id: str, seconds: float) -> None:
        """The member speaks now and stops ``seconds`` later on the account's clock."""
        self._timers.speak_for(auth_id, mpc_uuid, member_id, seconds)

    # ---------------------------------------------------------- observation

    def callbacks(self, query: JournalQuery) -> list[JournalEntry]:
        return self._journal.query(query)

    def resend(self, callback_id: str, url: str | None = None) -> JournalEntry:
        """Send a journaled callback again, now (on its account's clock), to its URL or to ``url``:
        the same parameters, a fresh signature; a new journal entry that names the original."""
        original = self._journal.get(callback_id)
        if original is None:
            raise NotFound(f"no callback '{callback_id}' in the journal (it keeps the newest only)")
        callback = original.callback
        self._resends += 1
        copy = dataclasses.replace(
            callback,
            callback_id=f"{callback_id}-resend{self._resends}",
            url=url or callback.url,
            due=self._clocks.now(callback.auth_id),
        )
        scenario = self._choice.loaded.get(callback.scenario) or self._choice.loaded.default
        return self._dispatch.send_alone(copy, scenario, note=f"resent from {callback_id}")

    async def wait_for_callbacks(
        self, query: JournalQuery, min_count: int, timeout: float
    ) -> tuple[list[JournalEntry], bool]:
        """The matching entries once there are ``min_count`` (or at the timeout); and whether there are."""
        return await self._journal.wait(query, min_count, timeout)

    def state_changes(self, auth_id: str | None = None, mpc_uuid: str | None = None) -> list[Activity]:
        """The state changes the domain announced (what the dashboard's timeline draws)."""
        return self._activity.query(auth_id, mpc_uuid)

    @property
    def long_polls(self) -> int:
        """Long-polls waiting for callbacks right now."""
        return self._journal.waiting

    @property
    def version(self) -> int:
        """Changes whenever anything observable changes: what a dashboard polls."""
        return self._activity.version + self._journal.version

    # ----------------------------------------------------------------- events

    def on_event(self, event: DomainEvent) -> None:
        self._activity.record(event)
        if isinstance(event, RecordingEvent):
            self._on_recording_event(event)
            self._sound_fetches.on_event(event)
            return
        if isinstance(event, AudioEvent):
            self._timers.on_audio(event)
            return
        if isinstance(event, TranscriptionEvent):
            self._on_transcription_event(event)
            return
        if isinstance(event, CallEvent):
            self._on_call_event(event)
            return
        if isinstance(event, MPCEvent):
            self._timers.on_mpc(event)
        elif isinstance(event, AddParticipantEvent):
            self._timers.on_add_participant(event)
        self._on_status_event(event)
        if isinstance(event, ParticipantEvent):
            self._timers.on_join(event)
            self._sound_fetches.on_event(event)

    def _on_recording_event(self, event: RecordingEvent) -> None:
        recording = event.recording
        key = f"{recording.auth_id}/{recording.recording_id}"  # of its scenario and of its lane
        scenario = self._choice.of(key, recording)
        if event.kind is RecordingEventKind.INITIATED:
            self._timers.schedule_actions(recording, scenario)
        elif event.kind in TERMINAL:
            self._choice.finished(key)
        due = event.at + timedelta(seconds=self._delay(scenario, event))
        if event.kind is RecordingEventKind.COMPLETED:
            self._timers.publish_at(recording, due)
        if recording.options.callback_url is None:
            return
        if recording.options.callback_shape == "record-xml":  # one request, once the file is ready
            if event.kind is RecordingEventKind.COMPLETED:
                callback = record_xml_callback(recording, self._links(recording), due, scenario.name)
                self._dispatch.send_alone(callback, scenario)
            return
        self._queue_callback(key, event, scenario, due)

    def _on_call_event(self, event: CallEvent) -> None:
        self._call_apps.on_event(event)
        self._call_callbacks.on_event(event)

    def _queue_on(self, key: str, callback: Callback, scenario: Scenario, last: bool) -> None:
        """One callback on lane ``key``, due when it says; ``last``: nothing more will follow it."""
        self._dispatch.enqueue(key, [callback], scenario, callback.due, callback.auth_id)
        if last:
            self._dispatch.finish_lane(key)

    def _on_transcription_event(self, event: TranscriptionEvent) -> None:
        """Ordered: done later; done or failed: POSTed to its URL, if it has one, at once."""
        self._timers.on_transcription(event)
        transcription = event.transcription
        if event.kind is TranscriptionEventKind.ORDERED or transcription.callback_url is None:
            return
        scenario = self._choice.again(transcription.recording)
        self._dispatch.send_alone(transcription_callback(event, scenario.name), scenario)

    def _queue_callback(self, key: str, event: RecordingEvent, scenario: Scenario, due: datetime) -> None:
        recording = event.recording
        assert recording.options.callback_url is not None
        callback = Callback(
            callback_id=f"{recording.recording_id}-{event.sequence}",
            auth_id=recording.auth_id,
            recording_id=recording.recording_id,
            mpc_uuid=recording.mpc_uuid,
            member_id=recording.member_id,
            event_name=event.event_name,
            sequence=event.sequence,
            url=recording.options.callback_url,
            method=recording.options.callback_method,
            params=recording_params(event, self._links(recording)),
            due=due,
            scenario=scenario.name,
        )
        copies = [callback]
        if event.kind in scenario.duplicate:
            copies.append(
                dataclasses.replace(
                    callback, callback_id=f"{callback.callback_id}-dup", duplicate_of=callback.callback_id
                )
            )
        # An out-of-order fault holds the callback back until the next one has been delivered
        # (the last event of a recording has no next one, so it cannot be held).
        held = event.kind in scenario.out_of_order and event.kind not in TERMINAL
        self._dispatch.enqueue(key, copies, scenario, due, recording.auth_id, held=held)
        if event.kind in TERMINAL:
            self._dispatch.finish_lane(key)

    def _send_then(self, callback: Callback, scenario: Scenario, then: Then | None) -> JournalEntry:
        return self._dispatch.send_alone(callback, scenario, then=then)

    @property
    def delivered(self) -> int:
        """Callbacks delivered since start-up, whatever the journal still remembers."""
        return self._dispatch.delivered

    @property
    def failed(self) -> int:
        return self._dispatch.failed

    def _note(self, call: Call, kind: str, detail: dict[str, Any]) -> None:
        """A line in a call's timeline that no domain event makes (its XML's verbs, a refused document)."""
        now = self._clocks.now(call.auth_id)
        self._activity.note(
            Activity(now, call.auth_id, call.mpc_uuid or "", kind, {"call_uuid": call.call_uuid, **detail})
        )

    def _on_status_event(self, event: StatusEvent) -> None:
        mpc = event.mpc
        mpc_key = f"{mpc.auth_id}/{mpc.mpc_uuid}"
        found = status_targets(event, self._status_scope)
        if found:
            scenario = self._choice.for_mpc(mpc.auth_id, mpc.friendly_name)
            for target in found:
                key, stream, sequence = self._status_streams.next(mpc_key, target.callback)
                callback = status_callback(event, target, stream, sequence, scenario.name)
                self._dispatch.enqueue(key, [callback], scenario, event.at, mpc.auth_id)
        if event.kind is MPCEventKind.ENDED:
            for key in self._status_streams.end(mpc_key):
                self._dispatch.finish_lane(key)

    def _delay(self, scenario: Scenario, event: RecordingEvent) -> float:
        delay = scenario.delay(event.kind)
        if scenario.jitter:
            rnd = random.Random(_stable_int(self.backend.seed, event.recording.recording_id, event.sequence))
            delay += rnd.uniform(0, scenario.jitter)
        return delay
