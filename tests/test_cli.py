"""The command line: options, environment variables, start-up and shutdown."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request

import pytest

from emulator.cli import build_parser, main, settings_from
from emulator.config import DEFAULT_ACCOUNT
from emulator.domain.credentials import Credentials
from tests.helpers import StartServer


def settings(argv: list[str], env: dict[str, str] | None = None):
    return settings_from(build_parser().parse_args(["serve", *argv]), env or {})


def test_defaults() -> None:
    s = settings([])
    assert (s.host, s.port, s.server, s.seed, s.public_url) == ("127.0.0.1", 8080, "uvicorn", None, None)
    assert s.effective_accounts == (DEFAULT_ACCOUNT,)
    assert (s.clock, s.speed, s.clock_start, s.journal_size) == ("real", 1.0, None, 10_000)
    assert (s.scenario_paths, s.callback_hosts, s.media_auth) == ((), (), False)
    assert settings(["--media-auth"]).media_auth is True
    assert settings([], {"PLIVO_EMULATOR_MEDIA_AUTH": "yes"}).media_auth is True
    assert settings([], {"PLIVO_EMULATOR_MEDIA_AUTH": "0"}).media_auth is False


def test_time_scenario_and_delivery_options() -> None:
    env = {
        "PLIVO_EMULATOR_CLOCK": "manual",
        "PLIVO_EMULATOR_CLOCK_START": "2026-01-01T09:00:00Z",
        "PLIVO_EMULATOR_SCENARIOS": "/etc/a, /etc/b",
        "PLIVO_EMULATOR_JOURNAL_SIZE": "500",
        "PLIVO_EMULATOR_CALLBACK_HOSTS": "*.corp.example.com",
    }
    s = settings(["--scenarios", "mine", "--callback-host", "hooks.example.org"], env)
    assert (
        s.clock == "manual"
        and s.clock_start is not None
        and s.clock_start.isoformat() == "2026-01-01T09:00:00+00:00"
    )
    assert [str(p) for p in s.scenario_paths] == ["/etc/a", "/etc/b", "mine"]
    assert s.journal_size == 500
    assert s.callback_hosts == ("*.corp.example.com", "hooks.example.org")
    fast = settings(["--clock", "real", "--speed", "60", "--clock-start", "2026-05-01T10:00:00"], env)
    assert (fast.clock, fast.speed) == ("real", 60.0)
    assert fast.clock_start is not None and fast.clock_start.tzinfo is not None, (
        "a naive time is taken as UTC"
    )


def test_environment_and_flags() -> None:
    env = {
        "PLIVO_EMULATOR_HOST": "0.0.0.0",
        "PLIVO_EMULATOR_PORT": "9000",
        "PLIVO_EMULATOR_SERVER": "hypercorn",
        "PLIVO_EMULATOR_SEED": "7",
        "PLIVO_EMULATOR_PUBLIC_URL": "http://emulator:9000",
        "PLIVO_EMULATOR_ACCOUNTS": "MAAAAAAAAAAAAAAAAAA1:t1, MAAAAAAAAAAAAAAAAAA2:t2",
        "PLIVO_AUTH_ID": "SABBBBBBBBBBBBBBBBB1",
        "PLIVO_AUTH_TOKEN": "sdk-token",
    }
    s = settings([], env)
    assert (s.host, s.port, s.server, s.seed, s.public_url) == (
        "0.0.0.0",
        9000,
        "hypercorn",
        7,
        "http://emulator:9000",
    )
    assert [c.auth_id for c in s.accounts] == [
        "MAAAAAAAAAAAAAAAAAA1",
        "MAAAAAAAAAAAAAAAAAA2",
        "SABBBBBBBBBBBBBBBBB1",
    ]
    flagged = settings(
        ["--port", "1234", "--server", "uvicorn", "--seed", "9", "--account", "MACCCCCCCCCCCCCCCCC1:x"], env
    )
    assert (flagged.port, flagged.server, flagged.seed) == (1234, "uvicorn", 9), (
        "flags win over the environment"
    )
    assert Credentials("MACCCCCCCCCCCCCCCCC1", "x") in flagged.accounts


@pytest.mark.parametrize(
    ("argv", "env", "message"),
    [
        (["--account", "nocolon"], {}, "AUTH_ID:AUTH_TOKEN"),
        (["--account", "XX:token"], {}, "'MA' or 'SA' followed by 18"),
        ([], {"PLIVO_EMULATOR_PORT": "eighty"}, "PLIVO_EMULATOR_PORT='eighty' is not an integer"),
        ([], {"PLIVO_EMULATOR_SERVER": "gunicorn"}, "choose uvicorn or hypercorn"),
        ([], {"PLIVO_EMULATOR_ACCOUNTS": "bad"}, "AUTH_ID:AUTH_TOKEN"),
        (["--port", "70000"], {}, "port 70000 must be from 0 to 65535"),
        (["--server", "daphne"], {}, "invalid choice"),
        (["--speed", "0"], {}, "must be above 0"),
        ([], {"PLIVO_EMULATOR_SPEED": "fast"}, "PLIVO_EMULATOR_SPEED='fast' is not a number"),
        ([], {"PLIVO_EMULATOR_CLOCK": "virtual"}, "choose real or manual"),
        (["--clock-start", "yesterday"], {}, "is not an ISO-8601 time"),
        (["--journal-size", "0"], {}, "journal size 0 must be at least 1"),
        ([], {"PLIVO_EMULATOR_MEDIA_AUTH": "maybe"}, "use 1/true/yes or 0/false/no"),
        (["--callback-ca", "/nonexistent/ca.pem"], {}, "callback CA '/nonexistent/ca.pem' is not a file"),
        (["--clock", "sundial"], {}, "invalid choice"),
        (["--clock", "manual", "--speed", "60"], {}, "--speed applies to a real clock"),
        ([], {"PLIVO_EMULATOR_CLOCK": "manual", "PLIVO_EMULATOR_SPEED": "60"}, "--speed applies to a real"),
    ],
)
def test_bad_configuration_exits_2(
    argv: list[str], env: dict, message: str, capsys: pytest.CaptureFixture
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["serve", *argv], env)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_help_documents_every_option(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--help"], {})
    out = capsys.readouterr().out
    for word in (
        "--host",
        "--port",
        "--server",
        "--account",
        "--seed",
        "--public-url",
        "PLIVO_EMULATOR_ACCOUNTS",
        "PLIVO_AUTH_ID",
        "--clock",
        "--speed",
        "--clock-start",
        "--scenarios",
        "--journal-size",
        "--callback-host",
        "PLIVO_EMULATOR_SCENARIOS",
        "PLIVO_EMULATOR_CALLBACK_HOSTS",
        "--media-auth",
        DEFAULT_ACCOUNT.auth_id,
        DEFAULT_ACCOUNT.auth_token,
    ):
        assert word in out


@pytest.mark.parametrize("server", ["uvicorn", "hypercorn"])
def test_serve_starts_answers_and_stops_on_sigterm(server: str) -> None:
    env = {**os.environ, "PLIVO_EMULATOR_SEED": "99"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "emulator", "serve", "--port", "0", "--server", server],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        match = re.search(r"on (http://127\.0\.0\.1:\d+) \((\w+), seed 99, real clock x1\)", first)
        assert match and match.group(2) == server, first
        url = match.group(1)
        lines = [first]
        while "account:" not in lines[-1] and len(lines) < 12:
            lines.append(proc.stdout.readline())
        banner = "".join(lines)
        assert DEFAULT_ACCOUNT.auth_id in banner and DEFAULT_ACCOUNT.auth_token in banner
        assert ("HTTPS proxy:" in banner) is (server == "uvicorn"), "hypercorn opens no tunnels"
        with urllib.request.urlopen(f"{url}/__emulator__/health", timeout=5) as response:
            assert json.load(response)["seed"] == 99
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stderr = proc.stderr.read() if proc.stderr else ""
    assert "Traceback" not in stderr
    assert stderr.count("Running on") <= 1, "each server line once (hypercorn's went out twice)"


def test_port_in_use_is_a_clear_error() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "emulator", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "Traceback" not in result.stderr


def test_health_command(capsys: pytest.CaptureFixture, tmp_path, start_server: StartServer) -> None:
    server = start_server()
    url = server.url
    assert main(["health", "--url", url], {}) == 0
    assert '"status": "ok"' in capsys.readouterr().out
    assert main(["health"], {"PLIVO_EMULATOR_PORT": str(server.port)}) == 0
    server.stop()
    assert main(["health", "--url", url], {}) == 1, "stopped: not ready"
    assert "not ready at" in capsys.readouterr().err
    server = start_server(tls=True, tls_dir=tmp_path)
    env = {
        "PLIVO_EMULATOR_TLS": "1",
        "PLIVO_EMULATOR_PORT": str(server.port),
        "PLIVO_EMULATOR_TLS_DIR": str(tmp_path),
    }
    assert main(["health"], env) == 0, "TLS mode, checked against the kept CA"
    (tmp_path / "ca.pem").unlink()
    assert main(["health"], env) == 0, "TLS mode without the CA at hand: readiness only"


def test_one_table_drives_flags_variables_help_and_settings(capsys: pytest.CaptureFixture) -> None:
    from emulator.options import OPTIONS

    with pytest.raises(SystemExit):
        main(["serve", "--help"], {})
    out = capsys.readouterr().out
    numbers = {"int": "1024", "float": "2.5"}
    for option in OPTIONS:
        assert option.flag in out and option.env in out, option.field
        if option.kind not in numbers:
            continue
        owner = settings([], {option.env: numbers[option.kind]})
        for part in option.field.split("."):
            owner = getattr(owner, part)
        assert owner == float(numbers[option.kind]), f"{option.env} fills {option.field}"


def test_the_readme_lists_every_option() -> None:
    from pathlib import Path

    from emulator.options import OPTIONS

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for option in OPTIONS:
        assert f"`{option.flag}" in readme and option.env in readme, option.field


def test_the_sdk_variables_add_an_account_beside_the_dev_one() -> None:
    """A Plivo developer has PLIVO_AUTH_ID/PLIVO_AUTH_TOKEN exported: the quick start's dev account stays."""
    from emulator.app import create_app
    from emulator.cli import banner

    env = {"PLIVO_AUTH_ID": "MAREALACCOUNT0000001", "PLIVO_AUTH_TOKEN": "real-token"}
    s = settings([], env)
    assert [c.auth_id for c in s.effective_accounts] == [DEFAULT_ACCOUNT.auth_id, "MAREALACCOUNT0000001"]
    shown = banner(s, "http://127.0.0.1:8080", create_app(s), env)
    assert "MAREALACCOUNT0000001 (from PLIVO_AUTH_ID and PLIVO_AUTH_TOKEN)" in shown
    assert f"{DEFAULT_ACCOUNT.auth_id} (auth_token: {DEFAULT_ACCOUNT.auth_token}" in shown
    chosen = settings(["--account", "MACCCCCCCCCCCCCCCCC1:x"], env)
    assert [c.auth_id for c in chosen.accounts] == ["MACCCCCCCCCCCCCCCCC1", "MAREALACCOUNT0000001"], (
        "accounts chosen for the emulator replace the dev account; the SDK variables' still joins"
    )


def test_help_names_the_networks_callbacks_may_reach(capsys: pytest.CaptureFixture) -> None:
    from emulator.delivery.networks import LOCAL_NETWORKS

    with pytest.raises(SystemExit):
        main(["serve", "--help"], {})
    out = " ".join(capsys.readouterr().out.split())
    assert all(network in out for network in LOCAL_NETWORKS)


def test_health_takes_a_port(start_server: StartServer, capsys: pytest.CaptureFixture) -> None:
    server = start_server()
    assert main(["health", "--port", str(server.port)], {}) == 0
    assert '"status": "ok"' in capsys.readouterr().out


def test_make_run_serves_the_current_sources() -> None:
    """`make run` installs the package editable: a change to the sources needs no reinstall."""
    from pathlib import Path

    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text(encoding="utf-8")
    recipe = makefile[makefile.index("$(RUN_VENV)/.installed:") :].split("\n\n", 1)[0]
    assert "pip install --quiet -e ." in recipe, recipe


def test_the_docs_the_readme_names_exist_and_the_licence_ships() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    for path in re.findall(r"\]\(((?:docs|emulator|examples)/[^)#]+)\)", readme):
        assert (root / path).exists(), path
    one_minute = readme[readme.index("## Callbacks in one minute") :].split("```", 1)[0]
    assert "stop the one from the quick start first" in one_minute, "two servers cannot share port 8080"
    assert "Apache License" in (root / "LICENSE").read_text(encoding="utf-8")
    assert 'license-files = ["LICENSE"]' in (root / "pyproject.toml").read_text(encoding="utf-8")


def test_fidelity_notes_cite_plivos_own_sources() -> None:
    """docs/fidelity.md cites SDK files with their versions and Plivo's doc pages, not a document users
    do not have."""
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "fidelity.md").read_text(encoding="utf-8")
    assert "§" not in text and "shared/reference" not in text
    for source in ("plivo-python 4.63.0", "plivo-go v7.60.2", "https://www.plivo.com/docs/voice/api/"):
        assert source in text
