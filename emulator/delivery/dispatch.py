"""Delivery itself: lanes, attempts, retries, the journal's record of each.

Every callback is journaled when queued on its *lane* (:mod:`emulator.delivery.lanes`), released
when it is due and its lane allows, sent signed, and its attempt recorded; a failure is retried on
the scenario's backoff and holds the lane; once delivered or given up it is settled, and what follows
it (``then``: a fetched document's answer) runs. The engine decides what to send; this sends it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from emulator.delivery.callbacks import Callback
from emulator.delivery.clock import AccountClocks
from emulator.delivery.journal import Attempt, DeliveryState, Journal, JournalEntry
from emulator.delivery.lanes import Lane, Queued, Reply, Then, report_undelivered
from emulator.delivery.scenarios import Scenario
from emulator.delivery.scheduler import Scheduler
from emulator.delivery.sender import RESPONSE_PREFIX_BYTES, XML_READ_BYTES, Outcome, Sender
from emulator.delivery.signature import signature_headers
from emulator.delivery.xml_reply import check_reply
from emulator.domain.backend import Backend

log = logging.getLogger(__name__)


def _stable_int(*parts: object) -> int:
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


@dataclass(eq=False)
class _Collector:
    """What an advance sent: each callback attempted (of one account, or all) and its state."""

    auth_id: str | None
    states: dict[str, DeliveryState] = field(default_factory=dict)

    def saw(self, entry: JournalEntry) -> None:
        if self.auth_id is None or entry.callback.auth_id == self.auth_id:
            self.states[entry.callback.callback_id] = entry.state


class Dispatcher:
    def __init__(
        self, backend: Backend, clocks: AccountClocks, scheduler: Scheduler, journal: Journal, sender: Sender
    ) -> None:
        self._backend = backend
        self._clocks = clocks
        self._clock = clocks.base
        self._scheduler = scheduler
        self._journal = journal
        self.sender = sender
        self._lanes: dict[str, Lane] = {}
        self._collectors: list[_Collector] = []
        # Callbacks settled since start-up, whatever the journal still remembers.
        self.delivered = 0
        self.failed = 0

    # ------------------------------------------------------------------ lanes

    @property
    def sending(self) -> bool:
        return any(lane.sending for lane in self._lanes.values())

    def report_undelivered(self) -> None:
        report_undelivered(self._lanes.values())

    def close_account(self, auth_id: str) -> None:
        """The account was reset: its lanes send nothing more and are forgotten."""
        prefix = f"{auth_id}/"
        for key in [k for k in self._lanes if k.startswith(prefix)]:
            self._lanes.pop(key).closed = True

    def enqueue(
        self,
        key: str,
        copies: list[Callback],
        scenario: Scenario,
        due: datetime,
        owner: str,
        *,
        held: bool = False,
        note: str | None = None,
        then: Then | None = None,
    ) -> list[JournalEntry]:
        """Journal ``copies`` and queue them on lane ``key``, each ready at ``due`` (the owner's time)."""
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = Lane(key)
        if held:
            note = "out_of_order fault: held back until the next callback overtakes it"
        items = [Queued(self._journal.add(copy, note), scenario, held=held, then=then) for copy in copies]
        for item in items:
            self._scheduler.schedule(due, functools.partial(self._ready, lane, item), owner=owner)
        lane.enqueue(items)
        return [item.entry for item in items]

    def send_alone(
        self,
        callback: Callback,
        scenario: Scenario,
        note: str | None = None,
        then: Then | None = None,
    ) -> JournalEntry:
        """A callback that follows no other (an async answer, a resend, a fetch): its own lane, due
        at its ``due``; ``then`` is called with its entry once it is delivered or given up."""
        key = f"{callback.auth_id}/alone/{callback.callback_id}"
        (entry,) = self.enqueue(
            key, [callback], scenario, callback.due, callback.auth_id, note=note, then=then
        )
        self.finish_lane(key)
        return entry

    def finish_lane(self, key: str) -> None:
        """Nothing more will be queued on lane ``key``: it goes once drained."""
        lane = self._lanes.get(key)
        if lane is not None:
            lane.finished = True
            if lane.drained:
                del self._lanes[key]

    # --------------------------------------------------------------- attempts

    def _ready(self, lane: Lane, item: Queued) -> None:
        item.ready = True
        self._pump(lane)

    def _pump(self, lane: Lane) -> None:
        item = lane.take_next()
        if item is not None:
            self._scheduler.spawn(self._attempt(lane, item), owner=item.entry.callback.auth_id)

    def _settle(self, lane: Lane, item: Queued) -> None:
        lane.done(item)
        if lane.drained and self._lanes.get(lane.key) is lane:
            del self._lanes[lane.key]
        self._pump(lane)
        if item.then is not None and not lane.closed:
            reply = item.reply if item.entry.state is DeliveryState.DELIVERED else None
            try:
                item.then(item.entry, reply)
            except Exception:  # what follows a fetch must not take delivery down with it
                log.exception("after %s: the follow-up failed", item.entry.callback.event_name)

    def nonce(self, callback_id: str, attempt: int) -> str:
        return f"{_stable_int(self._backend.seed, callback_id, attempt) % 10**20:020d}"

    async def _attempt(self, lane: Lane, item: Queued) -> None:
        try:
            await self._send(lane, item)
        except Exception as exc:  # a bug must not leave the lane blocked forever, nor the journal silent
            log.exception("callback delivery crashed")
            entry = item.entry
            error = f"emulator error while sending: {type(exc).__name__}: {exc}"
            now = self._clocks.now(entry.callback.auth_id)
            attempt = Attempt(len(entry.attempts) + 1, now, None, 0.0, error, 0.0)
            self._record(entry, attempt, None, DeliveryState.FAILED)
            self._settle(lane, item)

    async def _send(self, lane: Lane, item: Queued) -> None:
        entry, scenario = item.entry, item.scenario
        callback = entry.callback
        number = len(entry.attempts) + 1
        account = self._backend.account(callback.auth_id)
        nonce = self.nonce(callback.callback_id, number)
        headers = signature_headers(
            callback.method.value,
            callback.url,
            callback.params,
            nonce,
            account.auth_token,
            account.auth_token,
        )
        now = self._clocks.now(callback.auth_id)
        read = XML_READ_BYTES if callback.reply else RESPONSE_PREFIX_BYTES
        outcome = await self.sender.send(
            callback.method, callback.url, callback.params, headers, scenario.delivery.timeout, read
        )
        attempt = self._attempt_of(callback, number, now, outcome)
        if callback.reply is not None and outcome.body is not None:
            item.reply = Reply(outcome.body, outcome.content_type)
        backoff = scenario.delivery.retry_backoff
        settled: DeliveryState | None = None
        if outcome.ok or outcome.refused or number > len(backoff) or lane.closed:
            settled = DeliveryState.DELIVERED if outcome.ok else DeliveryState.FAILED
        self._record(entry, attempt, headers, settled)
        if settled is None:
            lane.retry_later(item)
            self._scheduler.schedule_in(
                backoff[number - 1], functools.partial(self._ready, lane, item), owner=callback.auth_id
            )
            return
        if not outcome.ok:
            log.warning(
                "callback %s to %s given up after %d attempt(s): %s",
                callback.event_name,
                callback.url,
                number,
                outcome.error,
            )
        self._settle(lane, item)

    def _attempt_of(self, callback: Callback, number: int, now: datetime, outcome: Outcome) -> Attempt:
        """The journal's record of one attempt: when, how it went, the start of the answer, and what
        an XML document answered holds."""
        check = None
        if callback.reply is not None and outcome.ok:
            check = check_reply(outcome.body, outcome.body_truncated, callback.reply)
        # Lateness counts the wait for a free connection too: it is when the request went out
        # (a manual clock stands still meanwhile).
        queued_ms = 0.0 if self._clock.manual else outcome.queued_ms * self._clock.speed
        late_ms = (now - callback.due).total_seconds() * 1000 + queued_ms
        body, cut = outcome.body, outcome.body_truncated
        if body is not None and len(body) > RESPONSE_PREFIX_BYTES:  # the journal keeps the start only
            body, cut = body[:RESPONSE_PREFIX_BYTES], True
        return Attempt(
            number, now, outcome.status, outcome.latency_ms, outcome.error, late_ms, body, cut, check
        )

    def _record(
        self,
        entry: JournalEntry,
        attempt: Attempt,
        headers: dict[str, str] | None,
        settled: DeliveryState | None,
    ) -> None:
        """An attempt, in the journal, in the counters, and for the advances collecting them."""
        self._journal.record_attempt(entry, attempt, headers=headers, settled=settled)
        if settled is DeliveryState.DELIVERED:
            self.delivered += 1
        elif settled is DeliveryState.FAILED:
            self.failed += 1
        for collector in self._collectors:
            collector.saw(entry)

    @contextlib.contextmanager
    def collect(self, auth_id: str | None) -> Iterator[_Collector]:
        """The callbacks (of one account, or all) attempted while the block runs, with their state."""
        collector = _Collector(auth_id)
        self._collectors.append(collector)
        try:
            yield collector
        finally:
            self._collectors.remove(collector)
