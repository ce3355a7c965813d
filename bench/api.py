"""Benchmark: the emulated Plivo API under load, on uvicorn and on hypercorn.

`plivo-mpc-emulator serve` runs pinned to one CPU core; wrk (Debian's `wrk`) runs on the other with 16
keep-alive connections for 10 s per case. Cases: a read (GET an MPC), a write (POST an update of a
participant: JSON body, Basic auth, a domain change, a 202 answer), and the unauthenticated health route
as the floor. Reports requests/s and latency p50/p99, and the server's memory after the runs.

Run: python bench/api.py [--quick] [--json results.json]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from typing import Any

AUTH_ID, AUTH_TOKEN = "MADEVEMULATOR0000001", "dev-auth-token"
BASIC = "Basic " + base64.b64encode(f"{AUTH_ID}:{AUTH_TOKEN}".encode()).decode()
SERVER_CPU, LOAD_CPU = "0", "1"

WRITE_LUA = "\n".join(
    [
        'wrk.method = "POST"',
        """wrk.body = '{"mute": true, "hold": false}'""",
        'wrk.headers["Content-Type"] = "application/json"',
        f'wrk.headers["Authorization"] = "{BASIC}"',
    ]
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str) -> None:
    for _ in range(200):
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} never answered")


def _parse(output: str) -> dict[str, Any]:
    def ms(text: str) -> float:
        value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", output, re.M))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests_per_s": round(rps),
        "p50_ms": round(ms(latency["50"]), 2),
        "p99_ms": round(ms(latency["99"]), 2),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def run_server(server: str, seconds: int) -> dict[str, Any]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    taskset = ["taskset", "-c", SERVER_CPU] if shutil.which("taskset") else []
    process = subprocess.Popen(
        [
            *taskset,
            sys.executable,
            "-m",
            "emulator",
            "serve",
            "--port",
            str(port),
            "--server",
            server,
            "--log-level",
            "warning",
            "--seed",
            "1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(f"{base}/__emulator__/health")
        body = json.dumps(
            {
                "friendly_name": "bench",
                "stay_alone": True,
                "participants": [{"member_id": "10"}, {"member_id": "11"}],
            }
        ).encode()
        urllib.request.urlopen(
            urllib.request.Request(
                f"{base}/__emulator__/accounts/{AUTH_ID}/mpcs", body, {"Content-Type": "application/json"}
            )
        )
        api = f"{base}/v1/Account/{AUTH_ID}/MultiPartyCall/name_bench/"
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRITE_LUA)
        cases = {
            "GET MPC (read)": ["-H", f"Authorization: {BASIC}", api],
            "POST update participant (write)": ["-s", script.name, api + "Participant/10/"],
            "GET health (floor)": [f"{base}/__emulator__/health"],
        }
        load = ["taskset", "-c", LOAD_CPU] if shutil.which("taskset") else []
        results = []
        for name, args in cases.items():
            output = subprocess.run(
                [*load, "wrk", "-t1", "-c16", f"-d{seconds}s", "--latency", *args],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            results.append({"server": server, "case": name, **_parse(output)})
        os.unlink(script.name)
        return {"server": server, "cases": results, "rss_mb_after": _rss_mb(process.pid)}
    finally:
        process.terminate()
        process.wait(10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="2 s per case instead of 10")
    parser.add_argument("--json", metavar="FILE", help="also write the results here")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("bench/api.py needs wrk (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    seconds = 2 if args.quick else 10
    runs = [run_server(server, seconds) for server in ("uvicorn", "hypercorn")]
    report = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "load": f"wrk -t1 -c16 -d{seconds}s; server on CPU {SERVER_CPU}, wrk on CPU {LOAD_CPU}",
        "runs": runs,
    }
    print(report["load"])
    print(f"{'server':10} {'case':34} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'non-2xx':>7}")
    for run in runs:
        for case in run["cases"]:
            print(
                f"{case['server']:10} {case['case']:34} {case['requests_per_s']:>7} {case['p50_ms']:>7} "
                f"{case['p99_ms']:>7} {case['non_2xx']:>7}"
            )
        print(f"{run['server']:10} memory after the runs: {run['rss_mb_after']} MB RSS")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(report, out, indent=2)
    return 0 if all(c["non_2xx"] == 0 for r in runs for c in r["cases"]) else 1


if __name__ == "__main__":
    sys.exit(main())
