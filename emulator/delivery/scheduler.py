"""Jobs on the emulated timelines, fired in time order.

A job is a plain callable due at an instant of its owner's time (an account's,
or the emulator's for ``None``): deliver a callback, retry one, complete a
recording, end an MPC at its max_duration. Each owner has its own timeline, so
an account moved ahead fires its own jobs, in order, and no one else's. Work a
job starts asynchronously (an HTTP attempt) is registered with
:meth:`Scheduler.spawn`, so that :meth:`Scheduler.advance` can wait for it
before moving time on: everything due at one instant happens, and settles,
before the next instant.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from emulator.delivery.clock import AccountClocks

log = logging.getLogger(__name__)


@dataclass(order=True)
class Job:
    due: datetime
    seq: int
    action: Callable[[], None] = field(compare=False)
    owner: str | None = field(default=None, compare=False)
    cancelled: bool = field(default=False, compare=False)


class Scheduler:
    def __init__(self, clocks: AccountClocks) -> None:
        self.clocks = clocks
        # One heap per owner, in the owner's time; and an index of the owners' first jobs on the
        # emulator's clock (their due less the owner's offset), checked lazily when read.
        self._heaps: dict[str | None, list[Job]] = {}
        self._index: list[tuple[datetime, int, str | None]] = []
        self._indexed: dict[str | None, tuple[datetime, int]] = {}
        self._seq = itertools.count()
        self._live = 0
        self._live_by_owner: dict[str | None, int] = {}
        self._tasks: dict[str | None, set[asyncio.Task[Any]]] = {}
        # Bound to the serving event loop when run() starts.
        self._wakeup = asyncio.Event()
        self._lock = asyncio.Lock()

    # ------------------------------------------------------------------ jobs

    @property
    def pending(self) -> int:
        """Jobs not yet fired (cancelled ones excluded)."""
        return self._live

    def pending_for(self, owner: str) -> int:
        return self._live_by_owner.get(owner, 0)

    def _count(self, owner: str | None, change: int) -> None:
        self._live += change
        left = self._live_by_owner.get(owner, 0) + change
        if left:
            self._live_by_owner[owner] = left
        else:
            self._live_by_owner.pop(owner, None)

    def schedule(self, due: datetime, action: Callable[[], None], *, owner: str | None = None) -> Job:
        """``due`` is in the owner's time."""
        job = Job(due, next(self._seq), action, owner)
        heap = self._heaps.setdefault(owner, [])
        heapq.heappush(heap, job)
        self._count(owner, 1)
        if heap[0] is job:
            self._index_top(owner)
            self._wakeup.set()
        return job

    def schedule_in(self, seconds: float, action: Callable[[], None], *, owner: str | None = None) -> Job:
        return self.schedule(self.clocks.now(owner) + timedelta(seconds=seconds), action, owner=owner)

    def cancel(self, job: Job) -> None:
        if not job.cancelled:
            job.cancelled = True
            self._count(job.owner, -1)
            # Cancelled jobs leave the heap when they reach its top; compact when they dominate it
            # (an MPC's max_duration timer is cancelled hours before it would have fired).
            heap = self._heaps.get(job.owner, [])
            if len(heap) > 1024 and self._live_by_owner.get(job.owner, 0) < len(heap) // 2:
                heap[:] = [j for j in heap if not j.cancelled]
                heapq.heapify(heap)

    def cancel_owner(self, owner: str) -> None:
        for job in self._heaps.pop(owner, ()):
            if not job.cancelled:
                job.cancelled = True
                self._count(owner, -1)

    def spawn(self, coroutine: Coroutine[Any, Any, None], owner: str | None = None) -> asyncio.Task[None]:
        """Run ``coroutine`` as work of ``owner``'s jobs (an advance of that owner waits for it)."""
        task = asyncio.get_running_loop().create_task(coroutine)
        group = self._tasks.setdefault(owner, set())
        group.add(task)
        task.add_done_callback(group.discard)
        return task

    def _top(self, owner: str | None) -> Job | None:
        heap = self._heaps.get(owner)
        while heap and heap[0].cancelled:
            heapq.heappop(heap)
        if heap:
            return heap[0]
        self._heaps.pop(owner, None)
        return None

    def _index_top(self, owner: str | None) -> None:
        """Index the owner's first job (after it changed, or the owner's offset did); an owner has
        one current entry, and the entries it supersedes are dropped when they reach the top."""
        job = self._top(owner)
        if job is None:
            self._indexed.pop(owner, None)
            return
        key = (job.due - self.clocks.offset(owner), job.seq)
        if self._indexed.get(owner) != key:
            self._indexed[owner] = key
            heapq.heappush(self._index, (*key, owner))

    def _next(self) -> tuple[Job, datetime] | None:
        """The job due first on the emulator's clock, and when that is (its due less its owner's offset)."""
        while self._index:
            at, seq, owner = self._index[0]
            if self._indexed.get(owner) != (at, seq):
                heapq.heappop(self._index)  # superseded by a newer entry of its owner
                continue
            job = self._top(owner)
            if job is not None and job.seq == seq and at == job.due - self.clocks.offset(owner):
                return job, at
            heapq.heappop(self._index)  # its job was cancelled, or its owner moved ahead
            self._indexed.pop(owner, None)
            self._index_top(owner)
        return None

    def _fire(self, job: Job) -> None:
        heapq.heappop(self._heaps[job.owner])
        self._index_top(job.owner)
        self._count(job.owner, -1)
        try:
            job.action()
        except Exception:  # one broken job must not stop the timeline
            log.exception("scheduled job failed: %r", job.action)

    def _fire_due(self, base_now: datetime) -> None:
        """Every job whose owner's time has reached it, in the emulator's time order."""
        while (found := self._next()) is not None and found[1] <= base_now:
            self._fire(found[0])

    def _fire_due_for(self, owner: str, now: datetime) -> None:
        while (job := self._top(owner)) is not None and job.due <= now:
            self._fire(job)

    # ------------------------------------------------------------------ time

    async def run(self) -> None:
        """Fire jobs as the clocks reach them; runs until cancelled."""
        self._wakeup = asyncio.Event()
        self._lock = asyncio.Lock()
        base = self.clocks.base
        while True:
            async with self._lock:
                self._fire_due(base.now())
            found = self._next()
            timeout = None if found is None or base.manual else base.real_seconds_until(found[1])
            self._wakeup.clear()
            if timeout == 0:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout)

    async def advance(self, seconds: float, owner: str | None = None) -> None:
        """Move time forward, firing and settling everything due on the way: the emulator's clock
        (manual only; every account moves), or one account's (its jobs alone fire)."""
        async with self._lock:
            if owner is None:
                await self._advance_base(seconds)
            else:
                await self._advance_owner(owner, seconds)
        self._wakeup.set()

    async def _advance_base(self, seconds: float) -> None:
        base = self.clocks.base
        target = base.now() + timedelta(seconds=seconds)
        while True:
            await self._settle()
            found = self._next()
            if found is None or found[1] > target:
                break
            base.move_to(found[1])
            self._fire_due(found[1])
        base.move_to(target)
        self._fire_due(target)
        await self._settle()

    async def _advance_owner(self, owner: str, seconds: float) -> None:
        # In offsets, so that a real clock running meanwhile does not eat into the advance.
        clocks, base = self.clocks, self.clocks.base
        target = clocks.offset(owner) + timedelta(seconds=seconds)
        while True:
            await self._settle(owner)
            job = self._top(owner)
            if job is None or job.due - base.now() > target:
                break
            clocks.set_ahead(owner, job.due - base.now())
            self._fire_due_for(owner, clocks.now(owner))
        clocks.set_ahead(owner, target)
        self._fire_due_for(owner, clocks.now(owner))
        self._index_top(owner)  # its offset changed: its first job is due earlier on the emulator's clock
        await self._settle(owner)

    async def _settle(self, owner: str | None = None) -> None:
        """Wait for the work jobs started (which may start more): everyone's, or one owner's."""
        while True:
            if owner is None:
                running = [task for group in self._tasks.values() for task in group]
            else:
                running = list(self._tasks.get(owner, ()))
            if not running:
                return
            await asyncio.gather(*running, return_exceptions=True)
