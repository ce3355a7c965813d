"""The callback engine: domain events in, signed recording callbacks out.

For each recording event the engine picks the recording's scenario, snapshots
the callback's parameters, and queues it on the recording's *lane*. A lane
sends its callbacks one at a time, in SequenceNumber order, each when its due
time comes; a failed attempt is retried on the scenario's backoff and holds the
lane until it is delivered or given up, so a receiver never sees event 3 before
event 2 (unless a scenario asks for exactly that). Lanes of different
recordings run concurrently.

The engine also keeps the timers the domain cannot: a scenario's own recording
actions (pause, resume, stop or fail after N seconds) and each MPC's
max_duration.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import hashlib
import logging
import random
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from emulator.delivery.activity import ActivityLog
from emulator.delivery.callbacks import Callback, recording_params
from emulator.delivery.clock import EmulatedClock
from emulator.delivery.journal import Attempt, Journal, JournalEntry
from emulator.delivery.scenarios import ActionName, Scenario, ScenarioSet, SeedMPC
from emulator.delivery.scheduler import Job, Scheduler
from emulator.delivery.sender import Sender
from emulator.delivery.signature import signature_headers
from emulator.domain.account import Account
from emulator.domain.backend import Backend
from emulator.domain.errors import DomainError
from emulator.domain.events import (
    DomainEvent,
    MPCEvent,
    MPCEventKind,
    RecordingEvent,
    RecordingEventKind,
)
from emulator.domain.recording import Recording

log = logging.getLogger(__name__)

TERMINAL = (RecordingEventKind.COMPLETED, RecordingEventKind.FAILED)


def _stable_int(*parts: object) -> int:
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


@dataclass(eq=False)
class _Queued:
    entry: JournalEntry
    scenario: Scenario
    ready: bool = False
    held: bool = False  # an out-of-order fault: waits for the callback after it


@dataclass(eq=False)
class Lane:
    """The callbacks of one recording, delivered strictly one after another."""

    engine: CallbackEngine
    key: str
    queue: deque[_Queued] = field(default_factory=deque)
    busy: bool = False
    finished: bool = False  # the recording's last event is queued: the lane goes once drained
    closed: bool = False  # its account was reset: nothing more is sent or retried

    def enqueue(self, items: list[_Queued]) -> None:
        """Append; callbacks held back by an out-of-order fault let these overtake them."""
        held: list[_Queued] = []
        while self.queue and self.queue[-1].held:
            tail = self.queue.pop()
            tail.held = False
            held.append(tail)
        self.queue.extend(items)
        self.queue.extend(reversed(held))

    def ready(self, item: _Queued) -> None:
        item.ready = True
        self.pump()

    def pump(self) -> None:
        if self.busy or self.closed or not self.queue:
            return
        head = self.queue[0]
        if head.ready and not head.held:
            self.busy = True
            self.engine.scheduler.spawn(self.engine.attempt(self, head))

    def done(self, item: _Queued) -> None:
        self.busy = False
        if self.queue and self.queue[0] is item:
            self.queue.popleft()
        if self.finished and not self.queue:
            self.engine.drop_lane(self)
        self.pump()

    def retry_later(self, item: _Queued) -> None:
        item.ready = False
        self.busy = False


class CallbackEngine:
    def __init__(
        self,
        backend: Backend,
        clock: EmulatedClock,
        scenarios: ScenarioSet,
        *,
        journal: Journal | None = None,
        sender: Sender | None = None,
    ) -> None:
        self.backend = backend
        self.clock = clock
        self.scenarios = scenarios
        self.journal = journal if journal is not None else Journal()
        self.activity = ActivityLog(2 * self.journal.capacity)
        self.sender = sender if sender is not None else Sender()
        self.scheduler = Scheduler(clock)
        self._lanes: dict[str, Lane] = {}
        self._recording_scenarios: dict[str, Scenario] = {}
        self._mpc_timers: dict[str, Job] = {}
        # A scenario chosen for all of an account's recordings (PUT /__emulator__/accounts/{id}/scenario).
        self.account_scenarios: dict[str, str] = {}
        self._runner: asyncio.Task[None] | None = None
        self._collectors: list[set[str]] = []
        # Callbacks settled since start-up, whatever the journal still remembers.
        self.delivered = 0
        self.failed = 0
        backend.subscribe(self.on_event)
        backend.on_reset(self.on_reset)

    # -------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        await self.sender.start()
        self._runner = asyncio.get_running_loop().create_task(self.scheduler.run())
        for account in self.backend.accounts:
            self.seed(account)

    def begin_shutdown(self) -> None:
        """The server is stopping: open long-polls answer now with what they have."""
        self.journal.close()

    async def stop(self, grace: float = 0.0) -> None:
        """Try what is already due for up to ``grace`` seconds, then stop and say what was left."""
        self.begin_shutdown()
        deadline = asyncio.get_running_loop().time() + grace
        while self._sending() and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.02)
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
        await self.sender.aclose()
        self._report_undelivered()

    def _sending(self) -> bool:
        """Whether a callback is in flight or due and waiting for its lane."""
        return any(lane.busy or (lane.queue and lane.queue[0].ready) for lane in self._lanes.values())

    def _report_undelivered(self, max_lines: int = 1000) -> None:
        counts = {"in flight": 0, "retrying": 0, "due": 0, "not yet due": 0}
        lines = 0
        for lane in self._lanes.values():
            for position, item in enumerate(lane.queue):
                entry, cb = item.entry, item.entry.callback
                if position == 0 and lane.busy:
                    state = "in flight"
                elif entry.attempts and not item.ready:
                    state = "retrying"
                elif item.ready:
                    state = "due"
                else:
                    state = "not yet due"
                counts[state] += 1
                if lines < max_lines:
                    lines += 1
                    last = entry.attempts[-1].error if entry.attempts else None
                    log.warning(
                        "undelivered at shutdown: recording %s, %s #%d to %s: %s (due %s, %d attempt(s)%s)",
                        cb.recording_id,
                        cb.event_name,
                        cb.sequence,
                        cb.url,
                        state,
                        cb.due.isoformat(),
                        len(entry.attempts),
                        f", last: {last}" if last else "",
                    )
        total = sum(counts.values())
        if total:
            more = f" ({total - lines} not listed)" if total > lines else ""
            detail = ", ".join(f"{n} {state}" for state, n in counts.items() if n)
            log.warning("%d callback(s) undelivered at shutdown: %s%s", total, detail, more)

    def on_reset(self, account: Account) -> None:
        """Forget the account's pending callbacks and timers, then seed it again."""
        auth_id = account.auth_id
        self.scheduler.cancel_owner(auth_id)
        self.journal.clear([auth_id])
        self.activity.clear([auth_id])
        self.account_scenarios.pop(auth_id, None)
        prefix = f"{auth_id}/"
        for key in [k for k in self._lanes if k.startswith(prefix)]:
            self._lanes.pop(key).closed = True
        for key in [k for k in self._recording_scenarios if k.startswith(prefix)]:
            del self._recording_scenarios[key]
        for key in [k for k in self._mpc_timers if k.startswith(prefix)]:
            del self._mpc_timers[key]
        self.seed(account)

    def seed(self, account: Account) -> None:
        for seed in self.scenarios.seeds():
            if seed.account in (None, account.auth_id):
                self._apply_seed(account, seed)

    def _apply_seed(self, account: Account, seed: SeedMPC) -> None:
        try:
            account.create_mpc(seed.friendly_name, seed.participants)
        except DomainError as exc:
            log.warning(
                "seed MPC '%s' not created for %s: %s", seed.friendly_name, account.auth_id, exc.message
            )

    # ----------------------------------------------------------------- events

    def on_event(self, event: DomainEvent) -> None:
        self.activity.record(event)
        if isinstance(event, RecordingEvent):
            self._on_recording_event(event)
        elif isinstance(event, MPCEvent):
            self._on_mpc_event(event)

    def _on_mpc_event(self, event: MPCEvent) -> None:
        mpc = event.mpc
        key = f"{mpc.auth_id}/{mpc.mpc_uuid}"
        if event.kind is MPCEventKind.STARTED:
            seconds = self.scenarios.mpc_max_duration(mpc.friendly_name) or mpc.max_duration
            self._mpc_timers[key] = self.scheduler.schedule(
                event.at + timedelta(seconds=seconds),
                lambda: self._expire(mpc.auth_id, mpc.mpc_uuid),
                owner=mpc.auth_id,
            )
        elif event.kind is MPCEventKind.ENDED and (job := self._mpc_timers.pop(key, None)) is not None:
            self.scheduler.cancel(job)

    def _expire(self, auth_id: str, mpc_uuid: str) -> None:
        with contextlib.suppress(DomainError):  # reset or ended in the meantime
            self.backend.account(auth_id).expire_mpc(mpc_uuid)

    def _scenario_for(self, key: str, recording: Recording) -> Scenario:
        scenario = self._recording_scenarios.get(key)
        if scenario is None:
            choice = self.account_scenarios.get(recording.auth_id)
            scenario = self._recording_scenarios[key] = self.scenarios.for_recording(recording, choice)
        return scenario

    def _on_recording_event(self, event: RecordingEvent) -> None:
        recording = event.recording
        key = f"{recording.auth_id}/{recording.recording_id}"  # of its scenario and of its lane
        scenario = self._scenario_for(key, recording)
        if event.kind is RecordingEventKind.INITIATED:
            self._schedule_actions(recording, scenario)
        elif event.kind in TERMINAL:  # its last event: nothing will look its scenario up again
            del self._recording_scenarios[key]
        due = event.at + timedelta(seconds=self._delay(scenario, event))
        if event.kind is RecordingEventKind.COMPLETED:
            # The file is processed when Completed is sent: only then is it in the Recording resource.
            self.backend.account(recording.auth_id).publish_recording(recording.recording_id, due)
        if recording.options.callback_url is None:
            return
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
            params=recording_params(event, due),
            due=due,
            scenario=scenario.name,
        )
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = Lane(self, key)
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
        items = [_Queued(self.journal.add(copy), scenario, held=held) for copy in copies]
        for item in items:
            if held:
                item.entry.note = "out_of_order fault: held back until the next callback overtakes it"
            self.scheduler.schedule(due, functools.partial(lane.ready, item), owner=recording.auth_id)
        lane.enqueue(items)
        lane.finished = event.kind in TERMINAL

    def drop_lane(self, lane: Lane) -> None:
        if self._lanes.get(lane.key) is lane:
            del self._lanes[lane.key]

    def _delay(self, scenario: Scenario, event: RecordingEvent) -> float:
        delay = scenario.delay(event.kind)
        if scenario.jitter:
            rnd = random.Random(_stable_int(self.backend.seed, event.recording.recording_id, event.sequence))
            delay += rnd.uniform(0, scenario.jitter)
        return delay

    def _schedule_actions(self, recording: Recording, scenario: Scenario) -> None:
        for action in scenario.actions:
            self.scheduler.schedule(
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
        self.backend.account(recording.auth_id).act_on_recording(recording.recording_id, action, why)

    # --------------------------------------------------------------- delivery

    @contextlib.contextmanager
    def collect_attempts(self) -> Iterator[set[str]]:
        """The ids of the callbacks attempted while the block runs (an advance reports them)."""
        ids: set[str] = set()
        self._collectors.append(ids)
        try:
            yield ids
        finally:
            self._collectors.remove(ids)

    def nonce(self, callback_id: str, attempt: int) -> str:
        return f"{_stable_int(self.backend.seed, callback_id, attempt) % 10**20:020d}"

    async def attempt(self, lane: Lane, item: _Queued) -> None:
        try:
            await self._attempt(lane, item)
        except Exception as exc:  # a bug must not leave the lane blocked forever, nor the journal silent
            log.exception("callback delivery crashed")
            entry = item.entry
            number = len(entry.attempts) + 1
            error = f"emulator error while sending: {type(exc).__name__}: {exc}"
            entry.attempts.append(Attempt(number, self.clock.now(), None, 0.0, error, 0.0))
            entry.state = "failed"
            self.failed += 1
            self.journal.changed(entry)
            lane.done(item)

    async def _attempt(self, lane: Lane, item: _Queued) -> None:
        entry, scenario = item.entry, item.scenario
        callback = entry.callback
        number = len(entry.attempts) + 1
        account = self.backend.account(callback.auth_id)
        nonce = self.nonce(callback.callback_id, number)
        entry.headers = signature_headers(
            callback.method.value,
            callback.url,
            callback.params,
            nonce,
            account.auth_token,
            account.auth_token,
        )
        now = self.clock.now()
        outcome = await self.sender.send(
            callback.method, callback.url, callback.params, entry.headers, scenario.delivery.timeout
        )
        # Lateness counts the wait for a free connection too: it is when the request went out
        # (a manual clock stands still meanwhile).
        queued_ms = 0.0 if self.clock.manual else outcome.queued_ms * self.clock.speed
        late_ms = (now - callback.due).total_seconds() * 1000 + queued_ms
        entry.attempts.append(
            Attempt(
                number,
                now,
                outcome.status,
                outcome.latency_ms,
                outcome.error,
                late_ms,
                outcome.body,
                outcome.body_truncated,
            )
        )
        for collector in self._collectors:
            collector.add(callback.callback_id)
        backoff = scenario.delivery.retry_backoff
        if outcome.ok or outcome.refused or number > len(backoff) or lane.closed:
            entry.state = "delivered" if outcome.ok else "failed"
            if outcome.ok:
                self.delivered += 1
            else:
                self.failed += 1
                log.warning(
                    "callback %s to %s given up after %d attempt(s): %s",
                    callback.event_name,
                    callback.url,
                    number,
                    outcome.error,
                )
            self.journal.changed(entry)
            lane.done(item)
            return
        self.journal.changed(entry)
        lane.retry_later(item)
        self.scheduler.schedule_in(backoff[number - 1], lambda: lane.ready(item), owner=callback.auth_id)
