"""Benchmark: recording callbacks delivered per second, and how late they start.

The emulator's callback engine (domain, scheduler, signer, sender, journal) runs
in this process, pinned to one CPU core; a minimal keep-alive HTTP receiver runs
in another process on the other core. Two measurements:

- throughput: N recordings start at once, their Initiated callbacks all due at
  the same instant; callbacks/s = N / (last delivery done - due time);
- lateness at a steady load: recordings start at R per second for D seconds,
  each callback due 50 ms after its recording started; lateness = when the
  first attempt started - when it was due (p50, p99, max).

Run: python bench/callbacks.py [--quick] [--json results.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from emulator.config import DEFAULT_ACCOUNT
from emulator.delivery.clock import AccountClocks, EmulatedClock
from emulator.delivery.engine import CallbackEngine
from emulator.delivery.journal import Journal, JournalQuery
from emulator.delivery.scenarios import Scenario, ScenarioSet
from emulator.domain.backend import Backend
from emulator.domain.events import RecordingEventKind
from emulator.domain.participant import ParticipantSpec
from emulator.domain.recording import RecordingOptions, RecordingRequest
from emulator.domain.refs import MPCRef
from emulator.domain.values import Role
from emulator.server import tune_gc

EMULATOR_CPU, RECEIVER_CPU = 0, 1


# ------------------------------------------------------------------ receiver


class _Receiver(asyncio.Protocol):
    """HTTP/1.1 keep-alive: answer every request with 200 as soon as its body is in."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: Any = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            length = 0
            for line in self.buffer[:end].split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")


def _receiver_main(ports: Any) -> None:
    _pin(RECEIVER_CPU)

    async def serve() -> None:
        server = await asyncio.get_running_loop().create_server(_Receiver, "127.0.0.1", 0, backlog=4096)
        ports.put(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    _run(serve())


# ------------------------------------------------------------------ emulator


def _pin(cpu: int) -> None:
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > cpu:
        os.sched_setaffinity(0, {cpu})


def _run(coroutine: Any) -> Any:
    try:
        import uvloop

        return uvloop.run(coroutine)
    except ImportError:
        return asyncio.run(coroutine)


async def _load(port: int, total: int, rate: float | None, lead: float) -> dict[str, Any]:
    """Start ``total`` recordings (all at once, or ``rate`` per second); wait for every callback."""
    clock = EmulatedClock("real")
    backend = Backend(credentials=[DEFAULT_ACCOUNT], seed=1, clock=clock.now)
    timeline = {kind: 0.0 for kind in RecordingEventKind} | {RecordingEventKind.INITIATED: lead}
    scenario = Scenario(name="bench", default=True, delays=timeline)
    clocks = AccountClocks(clock)
    engine = CallbackEngine(backend, clocks, ScenarioSet([scenario]), journal=Journal(total + 10))
    await engine.start()
    account = backend.account(DEFAULT_ACCOUNT.auth_id)
    members = [ParticipantSpec(role=Role.AGENT), ParticipantSpec(role=Role.CUSTOMER)]
    names = [f"bench-{i}" for i in range(total)]
    for name in names:
        account.create_mpc(name, members)
    request = RecordingRequest(RecordingOptions(callback_url=f"http://127.0.0.1:{port}/recording"))
    begun = time.monotonic()
    created = 0
    while created < total:
        target = total if rate is None else min(total, int((time.monotonic() - begun) * rate) + 1)
        while created < target:
            account.start_mpc_recording(MPCRef("name", names[created]), request)
            created += 1
        await asyncio.sleep(0.001)
    created_in = time.monotonic() - begun
    while engine.delivered + engine.failed < total:
        await asyncio.sleep(0.01)
    done = engine.callbacks(JournalQuery())
    await engine.stop()
    failed = sum(1 for e in done if e.state != "delivered")
    late = sorted(e.attempts[0].late_ms for e in done)
    due = min(e.callback.due for e in done)
    # An attempt's time is when it was handed to the sender; it went out after its queue wait.
    finished = max(
        a.time.timestamp()
        + (a.late_ms - (a.time - e.callback.due).total_seconds() * 1000 + a.latency_ms) / 1000
        for e in done
        for a in e.attempts
    )
    span = finished - due.timestamp()
    return {
        "callbacks": total,
        "failed": failed,
        "created_in_s": round(created_in, 3),
        "span_s": round(span, 3),
        "callbacks_per_s": round(total / span) if span > 0 else None,
        "late_ms_p50": round(statistics.median(late), 2),
        "late_ms_p99": round(late[min(len(late) - 1, int(len(late) * 0.99))], 2),
        "late_ms_max": round(late[-1], 2),
    }


def journal_memory(entries: int = 10_000) -> dict[str, Any]:
    """Bytes the journal holds for ``entries`` delivered callbacks (params, signed headers, one attempt)."""
    import tracemalloc
    from datetime import UTC, datetime

    from emulator.delivery.callbacks import Callback
    from emulator.delivery.journal import Attempt, DeliveryState
    from emulator.delivery.signature import signature_headers
    from emulator.domain.values import CallbackMethod

    now = datetime.now(UTC)
    params = {
        "EventName": "MPCRecordingCompleted",
        "EventTimestamp": "2026-01-01 10:00:00+00:00",
        "MPCName": "support-call",
        "MPCUUID": "8742d531-292a-46aa-8754-836be1092885",
        "RecordingDuration": "125",
        "RecordingEndTime": "2026-01-01 10:02:05+00:00",
        "RecordingFormat": "mp3",
        "RecordingStartTime": "2026-01-01 10:00:00+00:00",
        "SequenceNumber": "4",
    }
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    journal = Journal(entries)
    for i in range(entries):
        recording_id = f"{i:08x}-45dc-11eb-94fe-06dd7f581a50"
        origin = "http://127.0.0.1:8080/v1/Account/MADEVEMULATOR0000001/Recording/"
        own = {
            **params,
            "RecordingUUID": recording_id,
            "RecordingURL": f"{origin}{recording_id}.mp3",
            "RecordingResourceURL": f"{origin}{recording_id}/",
        }
        callback = Callback(
            f"{recording_id}-4",
            "MADEVEMULATOR0000001",
            recording_id,
            params["MPCUUID"],
            None,
            params["EventName"],
            4,
            "http://127.0.0.1:5000/recording",
            CallbackMethod.POST,
            own,
            now,
            "default",
        )
        entry = journal.add(callback)
        headers = signature_headers("POST", callback.url, own, f"{i:020d}", "token", "token")
        attempt = Attempt(1, now, 200, 1.2, None, 0.4)
        journal.record_attempt(entry, attempt, headers=headers, settled=DeliveryState.DELIVERED)
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return {"entries": entries, "bytes_per_entry": round(used / entries), "total_mb": round(used / 2**20, 1)}


def state_memory(calls: int = 10_000) -> dict[str, Any]:
    """Bytes of state per finished call: an MPC, two members and one completed recording."""
    import tracemalloc

    clock = EmulatedClock("manual")
    backend = Backend(credentials=[DEFAULT_ACCOUNT], seed=1, clock=clock.now)
    account = backend.account(DEFAULT_ACCOUNT.auth_id)
    members = [ParticipantSpec(role=Role.AGENT), ParticipantSpec(role=Role.CUSTOMER)]
    request = RecordingRequest(RecordingOptions())
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for i in range(calls):
        ref = MPCRef("name", f"call-{i}")
        account.create_mpc(ref.value, members)
        account.start_mpc_recording(ref, request)
        account.end_mpc(ref)
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return {"calls": calls, "bytes_per_call": round(used / calls), "total_mb": round(used / 2**20, 1)}


def _emulator_main(port: int, runs: list[dict[str, Any]], results: Any) -> None:
    _pin(EMULATOR_CPU)
    tune_gc()  # as `plivo-mpc-emulator serve` does

    async def everything() -> list[dict[str, Any]]:
        out = []
        for run in runs:
            measured = await _load(port, run["callbacks"], run.get("rate"), run["lead"])
            out.append({"name": run["name"], **measured})
        return out

    results.put(_run(everything()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smaller runs (a smoke test of the benchmark)")
    parser.add_argument("--json", metavar="FILE", help="also write the results here")
    args = parser.parse_args(argv)
    scale = 0.1 if args.quick else 1.0
    runs = [
        {"name": "throughput (all due at once)", "callbacks": int(20_000 * scale), "lead": 3.0},
        {"name": "steady 1000/s", "callbacks": int(10_000 * scale), "rate": 1000.0, "lead": 0.05},
        {"name": "steady 2000/s", "callbacks": int(20_000 * scale), "rate": 2000.0, "lead": 0.05},
    ]
    context = multiprocessing.get_context("spawn")
    ports, results = context.Queue(), context.Queue()
    receiver = context.Process(target=_receiver_main, args=(ports,), daemon=True)
    receiver.start()
    try:
        port = ports.get(timeout=30)
        emulator = context.Process(target=_emulator_main, args=(port, runs, results))
        emulator.start()
        measured = results.get(timeout=600)
        emulator.join(30)
    finally:
        receiver.terminate()
    report = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "pinning": f"emulator on CPU {EMULATOR_CPU}, receiver on CPU {RECEIVER_CPU}",
        "runs": measured,
        "journal_memory": journal_memory(),
        "state_memory": state_memory(),
    }
    _print(report, print)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(report, out, indent=2)
    return 0 if all(r["failed"] == 0 for r in measured) else 1


def _print(report: dict[str, Any], emit: Callable[[str], None]) -> None:
    emit(f"python {report['machine']['python']}, {report['machine']['cpus']} CPUs; {report['pinning']}")
    emit(f"{'run':32} {'callbacks':>9} {'cb/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'failed':>6}")
    for r in report["runs"]:
        emit(
            f"{r['name']:32} {r['callbacks']:>9} {r['callbacks_per_s'] or '-':>7} {r['late_ms_p50']:>7} "
            f"{r['late_ms_p99']:>7} {r['late_ms_max']:>7} {r['failed']:>6}"
        )
    state = report["state_memory"]
    calls = state["calls"]
    emit(f"state: {state['bytes_per_call']} bytes per finished call ({state['total_mb']} MB for {calls})")
    memory = report["journal_memory"]
    emit(
        f"journal: {memory['bytes_per_entry']} bytes per delivered callback ({memory['total_mb']} MB for "
        f"{memory['entries']})"
    )


if __name__ == "__main__":
    sys.exit(main())
