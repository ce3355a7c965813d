"""The delivery journal: every callback, its state and each attempt, capped in size.

Tests read it (``GET /__emulator__/callbacks``) and long-poll it instead of
sleeping; it keeps the newest ``capacity`` entries so a long run cannot
exhaust memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from emulator.delivery.callbacks import Callback

State = Literal["pending", "delivered", "failed"]


@dataclass
class Attempt:
    number: int
    time: datetime
    status: int | None
    latency_ms: float
    error: str | None
    late_ms: float

    def to_json(self) -> dict[str, Any]:
        return {
            "attempt": self.number,
            "time": self.time.isoformat(),
            "status": self.status,
            "latency_ms": round(self.latency_ms, 3),
            "error": self.error,
            "late_ms": round(self.late_ms, 3),
        }


@dataclass(eq=False)
class JournalEntry:
    callback: Callback
    state: State = "pending"
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
            "state": self.state,
            "attempts": [a.to_json() for a in self.attempts],
            "note": self.note,
        }


@dataclass(frozen=True)
class JournalQuery:
    auth_id: str | None = None
    recording_id: str | None = None
    mpc_uuid: str | None = None
    event: str | None = None
    state: State | None = None

    def matches(self, entry: JournalEntry) -> bool:
        cb = entry.callback
        return (
            (self.auth_id is None or cb.auth_id == self.auth_id)
            and (self.recording_id is None or cb.recording_id == self.recording_id)
            and (self.mpc_uuid is None or cb.mpc_uuid == self.mpc_uuid)
            and (self.event is None or cb.event_name == self.event)
            and (self.state is None or entry.state == self.state)
        )


class Journal:
    def __init__(self, capacity: int = 10_000) -> None:
        if capacity < 1:
            raise ValueError("journal capacity must be at least 1")
        self.capacity = capacity
        # Grows with every change: lets a dashboard ask "anything new?" cheaply.
        self.version = 0
        self._entries: OrderedDict[str, JournalEntry] = OrderedDict()
        self._changed = asyncio.Event()

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, callback: Callback) -> JournalEntry:
        entry = JournalEntry(callback)
        self._entries[callback.callback_id] = entry
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)
        self.touch()
        return entry

    def touch(self) -> None:
        """Wake long-polls: an entry was added or changed."""
        self.version += 1
        self._changed.set()
        self._changed = asyncio.Event()

    def query(self, query: JournalQuery) -> list[JournalEntry]:
        return [e for e in self._entries.values() if query.matches(e)]

    async def wait(
        self, query: JournalQuery, min_count: int, timeout: float
    ) -> tuple[list[JournalEntry], bool]:
        """The matching entries once there are at least ``min_count`` (or when time is up)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.query(query)
            remaining = deadline - time.monotonic()
            if len(found) >= min_count or remaining <= 0:
                return found, len(found) >= min_count
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    def clear(self, auth_ids: Iterable[str] | None = None) -> None:
        if auth_ids is None:
            self._entries.clear()
        else:
            drop = set(auth_ids)
            for key in [k for k, e in self._entries.items() if e.callback.auth_id in drop]:
                del self._entries[key]
        self.touch()
