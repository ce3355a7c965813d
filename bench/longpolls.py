"""Benchmark: callback delivery with and without long-polling clients, side by side in one run.

The emulator (uvicorn, manual clock) runs in this process on one core; a keep-alive receiver and
the long-polling clients run in other processes on the other core. Each round starts N recordings
with callbacks due at the same instant, opens W long-polls that can never be satisfied
(``GET /__emulator__/callbacks?wait=55&min_count=999999``, the worst case: every change concerns
them), and times one ``POST /__emulator__/clock/advance`` that delivers all N callbacks.

Run: python bench/longpolls.py [--callbacks 2000] [--waiters 20] [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import socket
import statistics
import sys
import time
from typing import Any

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from callbacks import RECEIVER_CPU, _pin, _receiver_main

from emulator import Settings, ThreadedServer
from emulator.config import DEFAULT_ACCOUNT
from emulator.http.state import state_of

EMULATOR_CPU = 0


def _waiters_main(port: int, count: int, ready: Any, stop: Any) -> None:
    """Open ``count`` long-polls and hold them until told to stop."""
    _pin(RECEIVER_CPU)
    request = b"GET /__emulator__/callbacks?wait=55&min_count=999999 HTTP/1.1\r\nHost: bench\r\n\r\n"
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(request)
        sockets.append(sock)
    ready.set()
    stop.wait(120)
    for sock in sockets:
        sock.close()


def _round(server: ThreadedServer, receiver_port: int, callbacks: int, waiters: int) -> float:
    server.reset()
    session = requests.Session()
    session.auth = (DEFAULT_ACCOUNT.auth_id, DEFAULT_ACCOUNT.auth_token)
    control = f"{server.url}/__emulator__"
    url = f"http://127.0.0.1:{receiver_port}/cb"
    for _ in range(callbacks):
        created = session.post(
            f"{control}/accounts/{DEFAULT_ACCOUNT.auth_id}/mpcs", json={"participants": [{}]}
        )
        mpc = created.json()["mpc_uuid"]
        path = f"{server.url}/v1/Account/{DEFAULT_ACCOUNT.auth_id}/MultiPartyCall/uuid_{mpc}"
        started = session.post(f"{path}/Record/", json={"recording_callback_url": url})
        assert started.status_code == 202, started.text
    ready, stop = multiprocessing.Event(), multiprocessing.Event()
    holder = None
    engine = state_of(server.app).engine
    if waiters:
        holder = multiprocessing.Process(target=_waiters_main, args=(server.port, waiters, ready, stop))
        holder.start()
        ready.wait(30)
        deadline = time.monotonic() + 30
        while engine.long_polls < waiters and time.monotonic() < deadline:
            time.sleep(0.01)
        assert engine.long_polls == waiters, engine.long_polls
    began = time.perf_counter()
    answer = session.post(f"{control}/clock/advance", json={"seconds": 5}, timeout=600).json()
    took = time.perf_counter() - began
    assert answer["delivered"] == callbacks, answer["delivered"]
    stop.set()
    if holder is not None:
        holder.join(30)
    return took


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--callbacks", type=int, default=2000)
    parser.add_argument("--waiters", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)

    ports = multiprocessing.Queue()
    receiver = multiprocessing.Process(target=_receiver_main, args=(ports,), daemon=True)
    receiver.start()
    receiver_port = ports.get(timeout=10)
    _pin(EMULATOR_CPU)
    settings = Settings(port=0, clock="manual", log_level="error", journal_size=max(10_000, args.callbacks))
    results: dict[str, list[float]] = {"0 waiters": [], f"{args.waiters} waiters": []}
    with ThreadedServer(settings) as server:
        for _ in range(args.repeat):  # interleaved, so drift affects both alike
            results["0 waiters"].append(_round(server, receiver_port, args.callbacks, 0))
            results[f"{args.waiters} waiters"].append(
                _round(server, receiver_port, args.callbacks, args.waiters)
            )
    receiver.terminate()
    base, loaded = (statistics.median(v) for v in results.values())
    report = {
        "callbacks": args.callbacks,
        "waiters": args.waiters,
        "seconds": {k: [round(x, 3) for x in v] for k, v in results.items()},
        "median_seconds": {k: round(statistics.median(v), 3) for k, v in results.items()},
        "ratio": round(loaded / base, 3),
    }
    print(f"{args.callbacks} callbacks in one advance (median of {args.repeat}):")
    for name, value in report["median_seconds"].items():
        print(f"  {name:>12}: {value:.3f} s  ({args.callbacks / value:,.0f} callbacks/s)")
    print(f"  ratio {args.waiters} waiters / none: {report['ratio']:.3f} (goal: at most 1.10)")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(report, out, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
