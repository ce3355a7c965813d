"""The conformance matrix: every client Plivo documents (curl and seven official SDKs), each as a
program written as its users write it, runs the MPC recording calls against the emulator through
its HTTPS proxy and by name mapping; its output, step by step, is checked here."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from emulator import ThreadedServer
from tests.conformance import CLIENTS, Client, Route, unavailable
from tests.helpers import MAIN, suite_settings
from tests.receiver import Receiver

STEPS = [
    "start_recording",
    "pause_recording",
    "get_mpc",
    "resume_recording",
    "stop_recording",
    "start_participant_recording",
    "pause_participant_recording",
    "resume_participant_recording",
    "stop_participant_recording",
    "list_participants",
    "unknown_mpc",
    "invalid_transition",
    "signature",
]


def start(**overrides: Any) -> ThreadedServer:
    return ThreadedServer(suite_settings(clock="manual", **overrides)).start()


@pytest.fixture(scope="module")
def proxy_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadedServer]:
    """The emulator as most users start it (plain HTTP, a high port): the proxy route needs nothing more."""
    server = start(port=0, tls_dir=tmp_path_factory.mktemp("proxy-tls"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def mapped_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadedServer]:
    """TLS mode on 127.0.0.1:443, where a client that resolves api.plivo.com to loopback arrives."""
    if os.geteuid() != 0:
        unavailable("the name-mapping route needs root (a mount namespace and port 443)")
    try:
        server = start(host="127.0.0.1", port=443, tls=True, tls_dir=tmp_path_factory.mktemp("mapped-tls"))
    except OSError as exc:
        unavailable(f"port 443 is not free here: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def signed_callback(
    proxy_emulator: ThreadedServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """A real callback the emulator signed, to a receiver on a local port, as a JSON file each
    program validates with its SDK's own validator."""
    control = proxy_emulator.control()
    with Receiver() as receiver:
        control.reset(MAIN.auth_id)
        mpc = control.create_mpc(MAIN.auth_id, "signed", members=("10",), stay_alone=True)
        url = receiver.url("/recording?source=conformance")
        body = {"recording_callback_url": url, "recording_callback_method": "POST"}
        request = _api(proxy_emulator, "POST", f"MultiPartyCall/uuid_{mpc['mpc_uuid']}/Record/", body)
        assert request["message"].endswith("record started")
        control.advance(2)
        first = receiver.received[0]
        callback = {
            "url": url,
            "method": first.method,
            "nonce": first.headers["X-Plivo-Signature-V3-Nonce"],
            "signature": first.headers["X-Plivo-Signature-V3"],
            "params": first.form,
        }
    path = tmp_path_factory.mktemp("callback") / "callback.json"
    path.write_text(json.dumps(callback))
    yield path


def _api(server: ThreadedServer, method: str, path: str, body: dict[str, str]) -> dict[str, Any]:
    url = f"{server.url}/v1/Account/{MAIN.auth_id}/{path}"
    response = requests.request(method, url, json=body, auth=(MAIN.auth_id, MAIN.auth_token), timeout=10)
    response.raise_for_status()
    return dict(response.json())


def run_client(client: Client, route: Route, server: ThreadedServer, callback: Path) -> list[dict[str, Any]]:
    control = server.control()
    control.reset(MAIN.auth_id)
    control.create_mpc(MAIN.auth_id, "standup", members=("10", "11"), stay_alone=True)
    invocation = client.prepare(route)
    argv = invocation.argv
    if route.proxy is None:  # api.plivo.com is loopback in this process's own /etc/hosts
        hosts = route.scratch / "hosts"
        hosts.write_text("127.0.0.1 localhost\n127.0.0.1 api.plivo.com media.plivo.com\n")
        argv = ["unshare", "-m", "sh", "-c", 'mount --bind "$0" /etc/hosts && exec "$@"', str(hosts), *argv]
    env = {
        **os.environ,
        "PLIVO_AUTH_ID": MAIN.auth_id,
        "PLIVO_AUTH_TOKEN": MAIN.auth_token,
        "CALLBACK_FILE": str(callback),
        **invocation.env,
    }
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        if name not in invocation.env:
            env.pop(name, None)  # only the route chosen here
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300, cwd=invocation.cwd)
    assert result.returncode == 0, f"{client.name} failed:\n{result.stdout}\n{result.stderr}"
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    recordings = control.state(MAIN.auth_id)["recordings"]
    assert sorted(r["state"] for r in recordings) == ["completed", "completed"], recordings
    return lines


def check(client: Client, lines: list[dict[str, Any]], server: ThreadedServer) -> None:
    steps = {line["step"]: line for line in lines}
    assert [line["step"] for line in lines] == STEPS
    started = steps["start_recording"]
    assert started["recording_url"] == (
        f"https://api.plivo.com/v1/Account/{MAIN.auth_id}/Recording/{started['recording_id']}.wav"
    ), "links on the host the client called"
    assert steps["get_mpc"]["recording"] == "paused"
    assert steps["start_participant_recording"]["recording_id"] not in ("", None, started["recording_id"])
    assert steps["list_participants"]["member_ids"] == ["10", "11"]
    unknown, invalid = steps["unknown_mpc"]["error"], steps["invalid_transition"]["error"]
    assert unknown.startswith(client.not_found) and "no ongoing MPC named 'nobody'" in unknown
    assert invalid.startswith(client.invalid) and "no recording in progress" in invalid
    signature = steps["signature"]
    if client.validates_signatures:
        assert (signature["valid"], signature["tampered"]) == (True, False), "the SDK's own validator"
    else:
        assert (signature["valid"], signature["tampered"]) == (None, None)


@pytest.mark.parametrize("client", CLIENTS, ids=[c.name for c in CLIENTS])
def test_through_the_proxy(
    client: Client, proxy_emulator: ThreadedServer, signed_callback: Path, tmp_path: Path
) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_bytes(proxy_emulator.control().ca_certificate())
    route = Route(proxy=proxy_emulator.url, ca=ca, scratch=tmp_path)
    check(client, run_client(client, route, proxy_emulator, signed_callback), proxy_emulator)


@pytest.mark.parametrize("client", CLIENTS, ids=[c.name for c in CLIENTS])
def test_by_name_mapping(
    client: Client, mapped_emulator: ThreadedServer, signed_callback: Path, tmp_path: Path
) -> None:
    assert mapped_emulator.ca_file is not None
    route = Route(proxy=None, ca=mapped_emulator.ca_file, scratch=tmp_path)
    check(client, run_client(client, route, mapped_emulator, signed_callback), mapped_emulator)
