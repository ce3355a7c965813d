"""The Docker image, proven by running it: built with podman (Docker's CLI where an engine exists).

Skipped where no container tool or base image is available, unless PLIVO_EMULATOR_REQUIRE_CONTAINER=1
(set by .ci/run once .ci/podman-setup has succeeded), so CI cannot skip it quietly.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import plivo
import pytest

from emulator.sdk import plivo_sdk_pointed_at
from emulator.testing import EmulatorControl
from tests.helpers import MAIN
from tests.receiver import Receiver

ROOT = Path(__file__).parent.parent
IMAGE = "localhost/plivo-mpc-emulator:test"
BASE = os.environ.get("PLIVO_EMULATOR_BASE_IMAGE", "localhost/debian-python:bookworm")


def _tool() -> str | None:
    tool = shutil.which("podman")
    if tool is None:
        return None
    found = subprocess.run([tool, "image", "exists", BASE], capture_output=True)
    return tool if found.returncode == 0 else None


@pytest.fixture(scope="module")
def podman() -> str:
    tool = _tool()
    if tool is None:
        if os.environ.get("PLIVO_EMULATOR_REQUIRE_CONTAINER") == "1":
            pytest.fail(f"podman or the base image {BASE} is missing (run .ci/podman-setup)")
        pytest.skip(f"needs podman and the base image {BASE} (.ci/podman-setup makes them)")
    return tool


@pytest.fixture(scope="module")
def image(podman: str) -> str:
    build = [
        podman,
        "build",
        "--format",
        "docker",
        "--network",
        "host",
        "-v",
        "/etc/ssl/certs:/etc/ssl/certs:ro",
        "--build-arg",
        f"BASE_IMAGE={BASE}",
        "-t",
        IMAGE,
        str(ROOT),
    ]
    result = subprocess.run(build, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    return IMAGE


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Container:
    def __init__(self, podman: str, image: str, env: dict[str, str]) -> None:
        self.podman = podman
        self.port = free_port()
        args = [podman, "run", "-d", "--network", "host", "-e", f"PLIVO_EMULATOR_PORT={self.port}"]
        for key, value in env.items():
            args += ["-e", f"{key}={value}"]
        result = subprocess.run([*args, image], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        self.id = result.stdout.strip()

    def healthy(self, timeout: float = 30) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (
                subprocess.run([self.podman, "healthcheck", "run", self.id], capture_output=True).returncode
                == 0
            ):
                return True
            time.sleep(0.2)
        return False

    def logs(self) -> str:
        return subprocess.run([self.podman, "logs", self.id], capture_output=True, text=True).stdout

    def stop(self) -> tuple[float, int]:
        started = time.monotonic()
        subprocess.run([self.podman, "stop", "-t", "10", self.id], capture_output=True, timeout=60)
        took = time.monotonic() - started
        code = subprocess.run(
            [self.podman, "inspect", "-f", "{{.State.ExitCode}}", self.id], capture_output=True, text=True
        ).stdout.strip()
        subprocess.run([self.podman, "rm", "-f", self.id], capture_output=True)
        return took, int(code or -1)


@pytest.fixture
def container(podman: str, image: str) -> Iterator[Container]:
    box = Container(podman, image, {"PLIVO_EMULATOR_CLOCK": "manual", "PLIVO_EMULATOR_SEED": "7"})
    try:
        yield box
    finally:
        box.stop()


def test_the_image_serves_the_whole_flow(container: Container) -> None:
    assert container.healthy(), container.logs()
    url = f"http://127.0.0.1:{container.port}"
    control = EmulatorControl(url)
    health = control.health()
    assert (health["seed"], health["clock"], health["scenarios"]) == (7, "manual", 7)
    control.create_mpc(MAIN.auth_id, "standup", stay_alone=True)
    with Receiver() as receiver, plivo_sdk_pointed_at(url):
        client = plivo.RestClient(MAIN.auth_id, MAIN.auth_token)
        started = client.multi_party_calls.start_recording(
            friendly_name="standup", file_format="wav", recording_callback_url=receiver.url()
        )
        control.advance(30)
        client.multi_party_calls.stop_recording(friendly_name="standup")
        control.advance(5)
        (completed,) = control.wait_for_callbacks(event="MPCRecordingCompleted")
        assert completed["params"]["RecordingDuration"] == "30"
        assert [r.params["EventName"] for r in receiver.received] == [
            "MPCRecordingInitiated",
            "MPCRecordingCompleted",
        ]
        with urllib.request.urlopen(started.recording_url) as audio:
            assert audio.headers["Content-Type"] == "audio/wav"
            assert len(audio.read()) == 44 + 30 * 8000 * 2


def test_the_image_stops_cleanly_and_runs_tls(podman: str, image: str) -> None:
    box = Container(podman, image, {})
    assert box.healthy(), box.logs()
    took, code = box.stop()
    assert code == 0 and took < 8, (
        f"docker stop should end it at once with status 0 (took {took:.1f} s, {code})"
    )
    tls = Container(podman, image, {"PLIVO_EMULATOR_TLS": "1"})
    try:
        assert tls.healthy(), tls.logs()
        ca = subprocess.run(
            [podman, "exec", tls.id, "cat", "/var/lib/plivo-mpc-emulator/tls/ca.pem"],
            capture_output=True,
            text=True,
        ).stdout
        assert ca.startswith("-----BEGIN CERTIFICATE-----")
        banner = tls.logs()
        assert f"on https://0.0.0.0:{tls.port}" in banner and "as https://api.plivo.com" in banner
    finally:
        tls.stop()


def test_a_bad_scenario_stops_the_container_with_status_2(podman: str, image: str, tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("name: bad\ntimeline:\n  initiated: soon\n")
    tmp_path.chmod(0o755)
    (tmp_path / "bad.yaml").chmod(0o644)
    result = subprocess.run(
        [
            podman,
            "run",
            "--rm",
            "-v",
            f"{tmp_path}:/scenarios:ro",
            "-e",
            "PLIVO_EMULATOR_SCENARIOS=/scenarios",
            image,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "/scenarios/bad.yaml:3: timeline.initiated: 'soon' is not of type 'number'" in result.stderr
    assert "Traceback" not in result.stderr


# ------------------------------------------------------------------- the examples, run


def test_the_ci_example_runs_a_suite_against_the_container(podman: str, image: str, tmp_path: Path) -> None:
    suite = tmp_path / "tests"
    suite.mkdir()
    (suite / "test_example.py").write_text((ROOT / "examples/ci/test_example.py").read_text())
    env = {
        **os.environ,
        "CONTAINER_ENGINE": podman,
        "EMULATOR_IMAGE": image,
        "EMULATOR_PORT": str(free_port()),
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",  # this environment's pytest
    }
    script = ROOT / "examples/ci/run-tests-against-container.sh"
    run = subprocess.run(
        ["bash", str(script), "-q", "-p", "no:cacheprovider", str(suite)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0 and "1 passed" in run.stdout, run.stdout[-2000:] + run.stderr[-2000:]
    left = subprocess.run(
        [podman, "ps", "-q", "--filter", "name=plivo-mpc-emulator-ci"], capture_output=True, text=True
    )
    assert left.stdout.strip() == "", "the script stops its container"


def test_the_compose_example_delivers_signed_callbacks_to_its_receiver(podman: str, image: str) -> None:
    compose = shutil.which("podman-compose")
    if compose is None:
        if os.environ.get("PLIVO_EMULATOR_REQUIRE_CONTAINER") == "1":
            pytest.fail("podman-compose is missing (run .ci/podman-setup)")
        pytest.skip("needs podman-compose (.ci/podman-setup installs it)")
    emulator_port, receiver_port = free_port(), free_port()
    env = {
        **os.environ,
        "EMULATOR_IMAGE": image,
        "BASE_IMAGE": BASE,
        "EMULATOR_PORT": str(emulator_port),
        "RECEIVER_PORT": str(receiver_port),
    }
    command = [compose, "-p", f"plivoemu{os.getpid()}", "-f", str(ROOT / "examples/compose/compose.yaml")]
    up = subprocess.run(
        [*command, "up", "-d", "--no-build"], env=env, capture_output=True, text=True, timeout=180
    )
    try:
        assert up.returncode == 0, up.stdout[-2000:] + up.stderr[-2000:]
        url = f"http://127.0.0.1:{emulator_port}"
        control = EmulatorControl(url, timeout=5)
        deadline = time.monotonic() + 30
        while True:
            try:
                control.health()
                break
            except OSError:
                assert time.monotonic() < deadline, "the emulator did not come up"
                time.sleep(0.3)
        control.create_mpc(MAIN.auth_id, "standup", stay_alone=True)
        with plivo_sdk_pointed_at(url):
            client = plivo.RestClient(MAIN.auth_id, MAIN.auth_token)
            client.multi_party_calls.start_recording(
                friendly_name="standup", recording_callback_url="http://receiver:8000/recording"
            )
        control.advance(5)
        (initiated,) = control.wait_for_callbacks(event="MPCRecordingInitiated", timeout=20)
        assert initiated["attempts"][-1]["status"] == 200, initiated["attempts"]
        with urllib.request.urlopen(f"http://127.0.0.1:{receiver_port}/received", timeout=5) as response:
            received = json.load(response)
        assert [(r["params"]["EventName"], r["signature_ok"]) for r in received] == [
            ("MPCRecordingInitiated", True)
        ], "the receiver, reached by its service name, checked the signature with the dev token"
    finally:
        subprocess.run([*command, "down"], env=env, capture_output=True, timeout=120)
