"""Benchmark: from process start to a healthy ``/__emulator__/health``, side by side in one run.

Measures, N times each and interleaved (so machine noise hits both alike): the emulator
(``python -m emulator serve`` on its defaults but a free port) and the floor, a minimal Starlette
app under uvicorn (``bench/baselines/minimal_starlette.py``); also ``import emulator.app`` alone.
Reports the median and the ratio (issue 12's goal: the emulator healthy within 1.5 x the floor).

Run: python bench/startup.py [--runs 15] [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def until_healthy(command: list[str], port: int, env: dict[str, str]) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/__emulator__/health", timeout=1) as r:
                    if r.status == 200:
                        return time.perf_counter() - started
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(f"{command} exited with {process.returncode}") from None
                time.sleep(0.005)
    finally:
        process.terminate()
        process.wait(timeout=10)


def import_time(env: dict[str, str]) -> float:
    code = "import time; t = time.perf_counter(); import emulator.app; print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    return float(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    env = {**os.environ, "XDG_CACHE_HOME": tempfile.mkdtemp(prefix="startup-bench-")}
    emulator, floor, imports = [], [], []
    for _ in range(args.runs):
        port = free_port()
        emulator.append(until_healthy([sys.executable, "-m", "emulator", "serve", "--port", str(port)], port, env))
        port = free_port()
        floor.append(
            until_healthy([sys.executable, "-m", "bench.baselines.minimal_starlette", str(port)], port, env)
        )
        imports.append(import_time(env))
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "runs": args.runs,
        "emulator_healthy_s": round(statistics.median(emulator), 3),
        "starlette_floor_healthy_s": round(statistics.median(floor), 3),
        "ratio": round(statistics.median(emulator) / statistics.median(floor), 2),
        "import_emulator_app_s": round(statistics.median(imports), 3),
    }
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
