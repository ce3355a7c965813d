"""Benchmark: how long ``GET /__emulator__/state`` keeps the event loop from everything else.

An account holds N finished calls (an MPC, two members, one completed recording each). The whole
state is read through the ASGI app while a monitor task measures how late its 1 ms ticks run:
the longest stall is the longest the emulator would make a health check, an API request or a
callback wait. For comparison, the same state serialized in one piece (what the endpoint did
before it streamed) is timed too.

Run: python bench/state.py [--calls 100000] [--json results.json]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import time
from typing import Any

from emulator import Settings, create_app
from emulator.config import DEFAULT_ACCOUNT
from emulator.delivery.clock import EmulatedClock
from emulator.domain.participant import ParticipantSpec
from emulator.domain.recording import RecordingOptions, RecordingRequest
from emulator.domain.refs import MPCRef
from emulator.domain.values import Role
from emulator.http.control_state import mpc_state, recording_state
from emulator.http.state import state_of


async def _measure(app: Any) -> dict[str, Any]:
    stalls: list[float] = []
    done = asyncio.Event()

    async def monitor() -> None:
        while not done.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0.001)
            stalls.append(time.perf_counter() - before - 0.001)

    watcher = asyncio.create_task(monitor())
    received = 0

    asked = asyncio.Event()

    async def receive() -> dict[str, Any]:
        if asked.is_set():  # the client stays connected: nothing more comes
            await done.wait()
            return {"type": "http.disconnect"}
        asked.set()
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        # As a server does: each part goes to the socket as it comes, nothing is kept.
        nonlocal received
        received += len(message.get("body", b""))

    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/__emulator__/state",
        "raw_path": b"/__emulator__/state",
        "query_string": f"auth_id={DEFAULT_ACCOUNT.auth_id}".encode(),
        "headers": [(b"host", b"bench")],
        "server": ("bench", 80),
        "client": ("127.0.0.1", 1),
        "root_path": "",
        "app": app,
        "state": {},
    }
    began = time.perf_counter()
    await app(scope, receive, send)
    took = time.perf_counter() - began
    done.set()
    await watcher
    return {"seconds": round(took, 3), "bytes": received, "max_stall_ms": round(max(stalls) * 1000, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)

    clock = EmulatedClock("manual")
    app = create_app(Settings(seed=1), clock=clock)
    account, origins = state_of(app).backend.account(DEFAULT_ACCOUNT.auth_id), state_of(app).origins
    members = [ParticipantSpec(role=Role.AGENT), ParticipantSpec(role=Role.CUSTOMER)]
    request = RecordingRequest(RecordingOptions())
    for i in range(args.calls):
        ref = MPCRef("name", f"call-{i}")
        account.create_mpc(ref.value, members)
        account.start_mpc_recording(ref, request)
        account.end_mpc(ref)

    # Long-lived state is frozen out of collection (as `serve` does with what exists at start-up),
    # so the figure is the endpoint's own, not a full collection's that any request may meet.
    gc.collect()
    gc.freeze()
    streamed = asyncio.run(_measure(app))
    began = time.perf_counter()
    whole = json.dumps(
        {
            "mpcs": [mpc_state(account, m) for m in account.mpcs.values()],
            "recordings": [recording_state(r, account, origins) for r in account.recordings.values()],
        }
    )
    in_one_piece = {"seconds": round(time.perf_counter() - began, 3), "bytes": len(whole)}
    report = {"calls": args.calls, "streamed": streamed, "in_one_piece": in_one_piece}
    print(f"GET /__emulator__/state with {args.calls:,} calls and recordings:")
    print(
        f"  streamed:     {streamed['seconds']:.2f} s, {streamed['bytes'] / 2**20:.0f} MB, "
        f"longest event-loop stall {streamed['max_stall_ms']:.1f} ms"
    )
    print(f"  in one piece: {in_one_piece['seconds']:.2f} s without a break (the stall before streaming)")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(report, out, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
