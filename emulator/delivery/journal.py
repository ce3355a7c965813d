"""The delivery journal: every callback, its state and each attempt, capped in size.

Tests read it (``GET /__emulator__/callbacks``) and long-poll it instead of
sleeping; it keeps the newest ``capacity`` entries so a long run cannot
exhaust memory.

A long-poll is a *waiter* with its query: every change of an entry is matched against the
waiters of that entry's account (and those of no account) only, each keeps its count of
matching entries up to date incrementally, and a waiter's task wakes once, when its count is
reached. Twenty waiters cost a few comparisons per change, not twenty scans of the journal.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from emulator.delivery.callbacks import Callback


class DeliveryState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass
class Attempt:
    number: int
    time: datetime
    status: int | None
    latency_ms: float
    error: str | None
    late_ms: float
    # The start of the receiver's answer, as much as the sender reads; and whether it went on.
    response_body: str | None = None
    response_truncated: bool = False
    # For a fetched XML document: what it holds, or why Plivo would not use it.
    reply_check: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "attempt": self.number,
            "time": self.time.isoformat(),
            "status": self.status,
            "latency_ms": round(self.latency_ms, 3),
            "error": self.error,
            "late_ms": round(self.late_ms, 3),
            "response_body": self.response_body,
            "response_truncated": self.response_truncated,
            "reply_check": self.reply_check,
        }


@dataclass(eq=False)
class JournalEntry:
    callback: Callback
    state: DeliveryState = DeliveryState.PENDING
    headers: dict[str, str] = field(default_factory=dict)
    attempts: list[Attempt] = field(default_factory=list)
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        cb = self.callback
        return {
            "id": cb.callback_id,
            "auth_id": cb.auth_id,
            "recording_id": cb.recording_id,
            "mpc_uuid": cb.mpc_uuid,
            "member_id": cb.member_id,
            "event": cb.event_name,
            "sequence": cb.sequence,
            "scenario": cb.scenario,
            "duplicate_of": cb.duplicate_of,
            "due": cb.due.isoformat(),
            "url": cb.url,
            "method": cb.method.value,
            "params": cb.params,
            "headers": self.headers,
            "state": self.state.value,
            "attempts": [a.to_json() for a in self.attempts],
            "note": self.note,
        }


@dataclass(frozen=True)
class JournalQuery:
    auth_id: str | None = None
    recording_id: str | None = None
    mpc_uuid: str | None = None
    event: str | None = None
    state: DeliveryState | None = None

    def matches(self, entry: JournalEntry) -> bool:
        cb = entry.callback
        return (
            (self.auth_id is None or cb.auth_id == self.auth_id)
            and (self.recording_id is None or cb.recording_id == self.recording_id)
            and (self.mpc_uuid is None or cb.mpc_uuid == self.mpc_uuid)
            and (self.event is None or cb.event_name == self.event)
            and (self.state is None or entry.state == self.state)
        )


@dataclass(eq=False)
class _Waiter:
    query: JournalQuery
    min_count: int
    matched: set[str]
    woken: asyncio.Future[None]

    def update(self, entry: JournalEntry) -> None:
        if self.query.matches(entry):
            self.matched.add(entry.callback.callback_id)
            if len(self.matched) >= self.min_count and not self.woken.done():
                self.woken.set_result(None)
        else:
            self.matched.discard(entry.callback.callback_id)


class Journal:
    def __init__(self, capacity: int = 10_000) -> None:
        if capacity < 1:
            raise ValueError("journal capacity must be at least 1")
        self.capacity = capacity
        # Grows with every change: lets a dashboard ask "anything new?" cheaply.
        self.version = 0
        self._entries: OrderedDict[str, JournalEntry] = OrderedDict()
        # Long-polls by the account they ask about (None: any account).
        self._waiters: dict[str | None, set[_Waiter]] = {}
        self._closed = False

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, callback: Callback, note: str | None = None) -> JournalEntry:
        entry = JournalEntry(callback, note=note)
        self._entries[callback.callback_id] = entry
        while len(self._entries) > self.capacity:
            _, evicted = self._entries.popitem(last=False)
            for waiter in self._waiters_for(evicted):
                waiter.matched.discard(evicted.callback.callback_id)
        self._changed(entry)
        return entry

    def record_attempt(
        self,
        entry: JournalEntry,
        attempt: Attempt,
        *,
        headers: dict[str, str] | None = None,
        settled: DeliveryState | None = None,
    ) -> None:
        """One attempt at ``entry`` (with the signed headers it carried); ``settled``: delivered or
        given up, None while it will be retried. The one way an entry changes after it is added."""
        entry.attempts.append(attempt)
        if headers is not None:
            entry.headers = headers
        if settled is not None:
            entry.state = settled
        self._changed(entry)

    def _changed(self, entry: JournalEntry) -> None:
        """An entry was added or changed (state, attempts): count it for the waiters it could match."""
        self.version += 1
        for waiter in self._waiters_for(entry):
            waiter.update(entry)

    def _waiters_for(self, entry: JournalEntry) -> list[_Waiter]:
        return [*self._waiters.get(None, ()), *self._waiters.get(entry.callback.auth_id, ())]

    def get(self, callback_id: str) -> JournalEntry | None:
        return self._entries.get(callback_id)

    def query(self, query: JournalQuery) -> list[JournalEntry]:
        return [e for e in self._entries.values() if query.matches(e)]

    async def wait(
        self, query: JournalQuery, min_count: int, timeout: float
    ) -> tuple[list[JournalEntry], bool]:
        """The matching entries once there are at least ``min_count`` (or when time is up, or the
        emulator is shutting down)."""
        found = self.query(query)
        if len(found) >= min_count or timeout <= 0 or self._closed:
            return found, len(found) >= min_count
        waiter = _Waiter(
            query,
            min_count,
            {e.callback.callback_id for e in found},
            asyncio.get_running_loop().create_future(),
        )
        group = self._waiters.setdefault(query.auth_id, set())
        group.add(waiter)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(waiter.woken), timeout)
        finally:
            group.discard(waiter)
            if not group:
                self._waiters.pop(query.auth_id, None)
        found = self.query(query)
        return found, len(found) >= min_count

    @property
    def waiting(self) -> int:
        return sum(len(group) for group in self._waiters.values())

    def close(self) -> None:
        """Shutting down: every long-poll answers now with what it has, and new ones do not wait."""
        self._closed = True
        for group in self._waiters.values():
            for waiter in group:
                if not waiter.woken.done():
                    waiter.woken.set_result(None)

    def clear(self, auth_ids: Iterable[str] | None = None) -> None:
        if auth_ids is None:
            self._entries.clear()
        else:
            drop = set(auth_ids)
            for key in [k for k, e in self._entries.items() if e.callback.auth_id in drop]:
                del self._entries[key]
        self.version += 1
        for group in self._waiters.values():
            for waiter in group:
                waiter.matched &= self._entries.keys()
