"""Jobs on the emulated timeline, fired in time order.

A job is a plain callable due at an emulated instant: deliver a callback, retry
one, complete a recording, end an MPC at its max_duration. Work a job starts
asynchronously (an HTTP attempt) is registered with :meth:`Scheduler.spawn`, so
that a manual :meth:`Scheduler.advance` can wait for it before moving time on:
everything due at one instant happens, and settles, before the next instant.
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

from emulator.delivery.clock import EmulatedClock

log = logging.getLogger(__name__)


@dataclass(order=True)
class Job:
    due: datetime
    seq: int
    action: Callable[[], None] = field(compare=False)
    owner: str | None = field(default=None, compare=False)
    cancelled: bool = field(default=False, compare=False)


class Scheduler:
    def __init__(self, clock: EmulatedClock) -> None:
        self.clock = clock
        self._heap: list[Job] = []
        self._seq = itertools.count()
        self._live = 0
        self._tasks: set[asyncio.Task[Any]] = set()
        # Bound to the serving event loop when run() starts.
        self._wakeup = asyncio.Event()
        self._lock = asyncio.Lock()

    # ------------------------------------------------------------------ jobs

    @property
    def pending(self) -> int:
        """Jobs not yet fired (cancelled ones excluded)."""
        return self._live

    def schedule(self, due: datetime, action: Callable[[], None], *, owner: str | None = None) -> Job:
        job = Job(due, next(self._seq), action, owner)
        heapq.heappush(self._heap, job)
        self._live += 1
        if self._heap[0] is job:
            self._wakeup.set()
        return job

    def schedule_in(self, seconds: float, action: Callable[[], None], *, owner: str | None = None) -> Job:
        return self.schedule(self.clock.now() + timedelta(seconds=seconds), action, owner=owner)

    def cancel(self, job: Job) -> None:
        if not job.cancelled:
            job.cancelled = True
            self._live -= 1
            # Cancelled jobs leave the heap when they reach its top; compact when they dominate it
            # (an MPC's max_duration timer is cancelled hours before it would have fired).
            if len(self._heap) > 1024 and self._live < len(self._heap) // 2:
                self._heap = [j for j in self._heap if not j.cancelled]
                heapq.heapify(self._heap)

    def cancel_owner(self, owner: str) -> None:
        for job in self._heap:
            if job.owner == owner:
                self.cancel(job)

    def spawn(self, coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _next(self) -> Job | None:
        while self._heap and self._heap[0].cancelled:
            heapq.heappop(self._heap)
        return self._heap[0] if self._heap else None

    def _fire_due(self, now: datetime) -> None:
        while (job := self._next()) is not None and job.due <= now:
            heapq.heappop(self._heap)
            self._live -= 1
            try:
                job.action()
            except Exception:  # one broken job must not stop the timeline
                log.exception("scheduled job failed: %r", job.action)

    # ------------------------------------------------------------------ time

    async def run(self) -> None:
        """Fire jobs as the clock reaches them; runs until cancelled."""
        self._wakeup = asyncio.Event()
        self._lock = asyncio.Lock()
        while True:
            async with self._lock:
                self._fire_due(self.clock.now())
            job = self._next()
            timeout = None if job is None or self.clock.manual else self.clock.real_seconds_until(job.due)
            self._wakeup.clear()
            if timeout == 0:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout)

    async def advance(self, seconds: float) -> None:
        """Manual clock: move time forward, firing and settling everything due on the way."""
        async with self._lock:
            target = self.clock.now() + timedelta(seconds=seconds)
            while True:
                await self._settle()
                job = self._next()
                if job is None or job.due > target:
                    break
                self.clock.move_to(job.due)
                self._fire_due(job.due)
            self.clock.move_to(target)
            self._fire_due(target)
            await self._settle()
        self._wakeup.set()

    async def _settle(self) -> None:
        """Wait for the work jobs started (which may start more) to finish."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
