"""The emulated clock and the scheduler: order, cancellation, manual advance, real time with speed."""

from __future__ import annotations

import asyncio
import heapq
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest

from emulator.delivery.clock import AccountClocks, EmulatedClock
from emulator.delivery.scheduler import Scheduler

START = datetime(2026, 1, 1, tzinfo=UTC)


def test_manual_clock_moves_only_forward() -> None:
    clock = EmulatedClock("manual", start=START)
    assert clock.now() == START
    clock.move_to(START + timedelta(seconds=5))
    clock.move_to(START)  # never backwards
    assert clock.now() == START + timedelta(seconds=5)
    with pytest.raises(RuntimeError):
        EmulatedClock("real").move_to(START)
    with pytest.raises(ValueError):
        EmulatedClock("real", speed=0)


def test_real_clock_runs_at_speed() -> None:
    clock = EmulatedClock("real", speed=1000, start=START)
    first = clock.now()
    asyncio.run(asyncio.sleep(0.01))
    elapsed = (clock.now() - first).total_seconds()
    assert 9 <= elapsed <= 60, "10 ms of real time is about 10 s of emulated time at speed 1000"
    assert clock.real_seconds_until(clock.now() + timedelta(seconds=100)) == pytest.approx(0.1, abs=0.02)


def test_advance_fires_in_time_order_at_the_jobs_own_instant() -> None:
    clock = EmulatedClock("manual", start=START)
    scheduler = Scheduler(AccountClocks(clock))
    seen: list[tuple[str, float]] = []

    def note(label: str) -> None:
        seen.append((label, (clock.now() - START).total_seconds()))

    async def scenario() -> None:
        runner = asyncio.create_task(scheduler.run())
        await asyncio.sleep(0)
        scheduler.schedule(START + timedelta(seconds=30), lambda: note("c"))
        scheduler.schedule(START + timedelta(seconds=10), lambda: note("a"))
        cancelled = scheduler.schedule(START + timedelta(seconds=15), lambda: note("never"))
        scheduler.schedule(START + timedelta(seconds=10), lambda: note("b"))  # same instant: FIFO
        scheduler.cancel(cancelled)
        assert scheduler.pending == 3
        await scheduler.advance(20)
        assert seen == [("a", 10.0), ("b", 10.0)]
        assert clock.now() == START + timedelta(seconds=20)
        # A job scheduled by a job, inside the window, fires in the same advance.
        scheduler.schedule(
            START + timedelta(seconds=25), lambda: scheduler.schedule_in(1, lambda: note("chained"))
        )
        await scheduler.advance(20)
        assert seen[2:] == [("chained", 26.0), ("c", 30.0)]
        assert scheduler.pending == 0
        runner.cancel()

    asyncio.run(scenario())


def test_advance_waits_for_work_the_jobs_started() -> None:
    clock = EmulatedClock("manual", start=START)
    scheduler = Scheduler(AccountClocks(clock))
    finished: list[float] = []

    async def slow_work() -> None:
        await asyncio.sleep(0.05)
        finished.append((clock.now() - START).total_seconds())
        scheduler.schedule_in(0, lambda: finished.append(-1))  # follow-up at the same instant

    async def scenario() -> None:
        runner = asyncio.create_task(scheduler.run())
        scheduler.schedule(START + timedelta(seconds=1), lambda: scheduler.spawn(slow_work()))
        await scheduler.advance(5)
        assert finished == [1.0, -1], (
            "the work started at 1 s settled (and its follow-up ran) before time moved on"
        )
        runner.cancel()

    asyncio.run(scenario())


def test_jobs_due_now_fire_without_advancing_a_manual_clock() -> None:
    clock = EmulatedClock("manual", start=START)
    scheduler = Scheduler(AccountClocks(clock))
    fired: list[str] = []

    async def scenario() -> None:
        runner = asyncio.create_task(scheduler.run())
        await asyncio.sleep(0)
        scheduler.schedule_in(0, lambda: fired.append("now"))
        scheduler.schedule_in(1, lambda: fired.append("later"))
        for _ in range(5):
            await asyncio.sleep(0)
        assert fired == ["now"]
        runner.cancel()

    asyncio.run(scenario())


def test_real_mode_fires_when_due() -> None:
    clock = EmulatedClock("real", speed=100)
    scheduler = Scheduler(AccountClocks(clock))

    async def scenario() -> float:
        runner = asyncio.create_task(scheduler.run())
        await asyncio.sleep(0)
        fired = asyncio.get_running_loop().create_future()
        due = clock.now() + timedelta(seconds=5)  # 50 ms of real time
        scheduler.schedule(due, lambda: fired.set_result((clock.now() - due).total_seconds()))
        late = await asyncio.wait_for(fired, 2)
        runner.cancel()
        return late

    late = asyncio.run(scenario())
    assert 0 <= late < 5, "fired after its due time, not a whole delay late"


def test_cancel_owner() -> None:
    scheduler = Scheduler(AccountClocks(EmulatedClock("manual", start=START)))
    scheduler.schedule(START, lambda: None, owner="A")
    scheduler.schedule(START, lambda: None, owner="B")
    scheduler.cancel_owner("A")
    assert scheduler.pending == 1


def test_cancelled_jobs_do_not_pile_up() -> None:
    scheduler = Scheduler(AccountClocks(EmulatedClock("manual", start=START)))
    jobs = [scheduler.schedule(START + timedelta(hours=4, seconds=i), lambda: None) for i in range(3000)]
    for job in jobs[:2000]:
        scheduler.cancel(job)
    assert scheduler.pending == 1000
    assert len(scheduler._heaps[None]) < 2000, "the heap was compacted once cancelled jobs were the majority"


def test_each_owner_has_its_own_timeline() -> None:
    clocks = AccountClocks(EmulatedClock("manual", start=START))
    scheduler = Scheduler(clocks)
    seen: list[str] = []

    def job(owner: str | None, at: int) -> None:
        scheduler.schedule(START + timedelta(seconds=at), lambda: seen.append(f"{owner}@{at}"), owner=owner)

    for owner, at in (("A", 10), ("A", 20), ("B", 5), ("B", 15), (None, 12)):
        job(owner, at)

    async def scenario() -> None:
        await scheduler.advance(20, "A")  # A alone: its two jobs, at its own instants
        assert seen == ["A@10", "A@20"] and clocks.now("A") == START + timedelta(seconds=20)
        assert clocks.now("B") == clocks.now() == START and scheduler.pending_for("B") == 2
        await scheduler.advance(14)  # the emulator's clock: everyone else, in time order
        assert seen == ["A@10", "A@20", "B@5", "None@12"], "B's 15 s job waits; A moved along"
        assert clocks.now("A") == START + timedelta(seconds=34)
        job("A", 30)  # in A's past already: due at once on the next firing
        await scheduler.advance(0, "A")
        assert seen[-1] == "A@30" and scheduler.pending == 1

    asyncio.run(scenario())


def test_the_index_of_owners_stays_small() -> None:
    """Thousands of jobs of one owner due together: the index of owners' first jobs stays small."""
    clocks = AccountClocks(EmulatedClock("manual", start=START))
    scheduler = Scheduler(clocks)
    fired: list[int] = []
    pushes = 0
    push = heapq.heappush

    def counting_push(heap: list, item: object) -> None:  # type: ignore[type-arg]
        nonlocal pushes
        if heap is scheduler._index:
            pushes += 1
        push(heap, item)

    for i in range(3000):
        scheduler.schedule(START + timedelta(seconds=1), lambda i=i: fired.append(i), owner="A")  # type: ignore[misc]
    with mock.patch("emulator.delivery.scheduler.heapq.heappush", counting_push):
        asyncio.run(scheduler.advance(1))
    assert fired == list(range(3000))
    assert pushes <= 2 * 3000, f"{pushes} index entries for 3000 jobs (it once grew with their square)"
