"""Regression tests for the hardening issue: one (or more) per problem found, each of which the
emulator before it failed."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from emulator import Settings, ThreadedServer, create_app
from emulator.cli import banner
from emulator.config import ServerLimits
from emulator.delivery.callbacks import Callback
from emulator.delivery.destinations import DestinationRefused, HostPolicy, PolicyResolver
from emulator.delivery.journal import Attempt, DeliveryState, Journal, JournalQuery
from emulator.delivery.scenarios import ScenarioError, parse_scenario
from emulator.domain.values import CallbackMethod
from emulator.http.state import state_of
from emulator.testing import EmulatorControl, EmulatorError
from tests.callback_helpers import Harness, harness_for
from tests.helpers import MAIN, SEED, PlivoHTTP, StartServer, assert_plivo_error, in_process, real_server
from tests.receiver import Receiver

AGENT = {"role": "agent", "from": "14155550100", "to": "14155550101"}


def raw_post(api: PlivoHTTP, path: str, body: bytes):
    return api.request("POST", path, content=body, headers={"Content-Type": "application/json"})


def still_readable(api: PlivoHTTP) -> None:
    """Every read that a stored bad value used to break."""
    for response in (
        api.client.get("/__emulator__/state"),
        api.client.get("/__emulator__/state", params={"auth_id": MAIN.auth_id}),
        api.client.get("/__emulator__/timeline", params={"auth_id": MAIN.auth_id}),
        api.client.get("/__emulator__/callbacks"),
        api.get("MultiPartyCall/"),
    ):
        assert response.status_code == 200, response.text
        json.loads(response.content)


# ------------------------------------------------ 1. lone surrogates in JSON bodies


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (b'{"role":"agent","from":"\\ud800","to":"14155550101"}', "invalid from"),
        (b'{"role":"agent","from":"1415","to":"1416","ignored_key":["x","\\udfff"]}', "ignored_key[1]"),
        (b'{"role":"agent","from":"1415","to":"1416","\\ud800":1}', "\\ud800"),
        # Raw CESU-8 bytes of a surrogate: Python's JSON reader lets them through as one.
        (b'{"role":"agent","from":"\xed\xa0\x80","to":"1416"}', "invalid from"),
    ],
)
def test_a_lone_surrogate_anywhere_refuses_the_whole_body(api: PlivoHTTP, body: bytes, named: str) -> None:
    response = raw_post(api, "MultiPartyCall/name_standup/Participant/", body)
    assert_plivo_error(response, 400, named, "lone UTF-16 surrogate")
    assert api.get("MultiPartyCall/name_standup/").status_code == 404, "nothing was created"
    still_readable(api)


def test_a_surrogate_in_a_callback_url_is_refused_before_recording(api: PlivoHTTP) -> None:
    api.seed_mpc("standup")
    body = b'{"recording_callback_url": "http://127.0.0.1:9/\\ud800"}'
    assert_plivo_error(
        raw_post(api, "MultiPartyCall/name_standup/Record/", body), 400, "recording_callback_url"
    )
    assert api.control.state(MAIN.auth_id)["recordings"] == []
    assert api.client.post("/__emulator__/clock/advance", json={"seconds": 30}).status_code == 200
    still_readable(api)


def test_a_surrogate_in_a_control_plane_body_is_refused(api: PlivoHTTP) -> None:
    response = api.client.post(
        f"/__emulator__/accounts/{MAIN.auth_id}/mpcs",
        content=b'{"friendly_name": "x\\ud800", "participants": [{}]}',
    )
    assert_plivo_error(response, 400, "friendly_name")
    assert api.control.state(MAIN.auth_id)["mpcs"] == []
    still_readable(api)


def test_a_surrogate_in_a_scenario_file_is_located() -> None:
    text = 'name: odd\nseed:\n  - friendly_name: "x\\ud800"\n'
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, "odd.yaml")
    assert str(caught.value).startswith("odd.yaml:3: seed[0].friendly_name: holds a lone UTF-16 surrogate")


# ------------------------------------------ 2. destinations judged by resolved address


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("0x08080808", "0x08080808 resolves to 8.8.8.8, a public address"),
        ("0x8.0x8.0x8.0x8", "resolves to 8.8.8.8, a public address"),
        ("169.254.169.254", "169.254.169.254 is a link-local address (cloud metadata"),
        ("0xa9fea9fe", "resolves to 169.254.169.254, a link-local address"),
        ("[::ffff:8.8.8.8]", "(that is 8.8.8.8), a public address"),
        ("[fe80::1]", "a link-local address"),
        ("100.64.0.1", "a shared (carrier-grade NAT) address"),
    ],
)
def test_numeric_and_hidden_public_hosts_are_refused_and_journaled(
    harness: Harness, host: str, reason: str
) -> None:
    h = harness
    h.api.seed_mpc("standup")
    h.start(url=f"http://{host}/plivo")
    h.advance(30)
    (entry,) = h.journal()
    assert entry["state"] == "failed"
    (attempt,) = entry["attempts"]  # never retried
    assert attempt["error"].startswith("refused: ") and reason in attempt["error"], attempt["error"]
    assert "--callback-host" in attempt["error"]


def test_a_numeric_loopback_host_is_allowed(receiver: Receiver) -> None:
    with harness_for(receiver) as h:
        h.api.seed_mpc("standup")
        port = receiver.url().rsplit(":", 1)[1].split("/")[0]
        h.start(url=f"http://0x7f000001:{port}/cb")
        h.advance(5)
        (entry,) = h.journal()
        assert entry["state"] == "delivered", entry
        assert receiver.received[0].params["EventName"] == "MPCRecordingInitiated"


def _resolver_answering(policy: HostPolicy, address: str) -> PolicyResolver:
    """The policy's resolver, with DNS replaced by a fixed answer (no lookup leaves the machine)."""
    resolver = PolicyResolver.__new__(PolicyResolver)
    resolver.policy = policy

    class Fixed:
        async def resolve(self, host: str, port: int = 0, family: int = 0) -> list[dict]:
            return [
                {"hostname": host, "host": address, "port": port, "family": family, "proto": 0, "flags": 0}
            ]

        async def close(self) -> None:
            pass

    resolver._inner = Fixed()  # type: ignore[assignment]
    return resolver


@pytest.mark.parametrize("address", ["10.1.2.3", "172.17.0.2", "192.168.1.9", "fd00::1"])
def test_loopback_callbacks_keep_even_private_networks_out(address: str) -> None:
    """--loopback-callbacks: a fuzzed or mistyped URL cannot reach the network, not even the LAN."""
    loopback = HostPolicy(loopback_only=True)
    assert loopback.refusal(ipaddress.ip_address(address)) == f"{address}, a private address " + (
        "(the emulator was started with --loopback-callbacks)"
    )
    assert HostPolicy().refusal(ipaddress.ip_address(address)) is None, "allowed by default"
    for local in ("127.0.0.1", "127.9.9.9", "::1"):
        assert loopback.refusal(ipaddress.ip_address(local)) is None
    assert HostPolicy(["10.0.0.0/8"], loopback_only=True).refusal(ipaddress.ip_address("10.1.2.3")) is None


def test_loopback_callbacks_look_no_name_up() -> None:
    """A name other than localhost is refused before any DNS query (the fuzzer's 0.com, say)."""

    async def check() -> None:
        resolver = _resolver_answering(HostPolicy(loopback_only=True), "127.0.0.1")
        with pytest.raises(DestinationRefused, match=r"0\.com is not looked up"):
            await resolver.resolve("0.com", 443)
        assert [r["host"] for r in await resolver.resolve("localhost", 80)] == ["127.0.0.1"]
        assert [r["host"] for r in await resolver.resolve("127.0.0.1", 80)] == ["127.0.0.1"]
        trusted = _resolver_answering(HostPolicy(["receiver"], loopback_only=True), "127.0.0.1")
        assert [r["host"] for r in await trusted.resolve("receiver", 80)] == ["127.0.0.1"]

    asyncio.run(check())


@pytest.mark.parametrize("name", ["hooks.internal", "receiver", "api.local", "host.docker.internal"])
def test_names_that_look_local_are_judged_by_their_address(name: str) -> None:
    async def check() -> None:
        public = _resolver_answering(HostPolicy(), "203.0.113.9")
        with pytest.raises(DestinationRefused, match=f"refused: {name} resolves to 203.0.113.9"):
            await public.resolve(name, 80)
        private = _resolver_answering(HostPolicy(), "172.17.0.2")
        assert [r["host"] for r in await private.resolve(name, 80)] == ["172.17.0.2"]
        allowed = _resolver_answering(HostPolicy([name]), "203.0.113.9")
        assert [r["host"] for r in await allowed.resolve(name, 80)] == ["203.0.113.9"]
        by_network = _resolver_answering(HostPolicy(["203.0.113.0/24"]), "203.0.113.9")
        assert [r["host"] for r in await by_network.resolve(name, 80)] == ["203.0.113.9"]

    asyncio.run(check())


# ------------------------------------------------------ 3. bounded callback answers


@contextlib.contextmanager
def raw_receiver(answer: str) -> Iterator[str]:
    """A receiver answering 200 with a 2 GiB body ("huge"), or headers and then nothing ("stall")."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        with contextlib.suppress(OSError):
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2147483648\r\n\r\n"
                )
                sent = 0
                while answer == "huge" and not stop.is_set() and sent < 256 * 1024 * 1024:
                    conn.sendall(b"ok " * 21845)
                    sent += 65535
                stop.wait(10)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/cb"
    finally:
        stop.set()
        listener.close()
        thread.join(15)


def test_a_huge_answer_is_read_only_as_far_as_its_prefix(receiver: Receiver) -> None:
    with raw_receiver("huge") as url, harness_for(receiver) as h:
        h.api.seed_mpc("standup")
        h.start(url=url)
        started = time.monotonic()
        h.advance(5)
        elapsed = time.monotonic() - started
        (entry,) = h.journal()
    (attempt,) = entry["attempts"]
    assert entry["state"] == "delivered" and attempt["status"] == 200
    assert attempt["response_body"] == ("ok " * 342)[:1024] and attempt["response_truncated"] is True
    assert elapsed < 3, f"reading a 2 GiB answer took {elapsed:.1f} s"


def test_the_attempt_timeout_covers_the_answer_body(tmp_path: Path, receiver: Receiver) -> None:
    scenario = "name: quick\ndefault: true\ndelivery:\n  timeout: 0.3\n  retry_backoff: []\n"
    with raw_receiver("stall") as url, harness_for(receiver, tmp_path, scenario) as h:
        h.api.seed_mpc("standup")
        h.start(url=url)
        h.advance(5)
        (entry,) = h.journal()
    (attempt,) = entry["attempts"]
    assert entry["state"] == "failed" and attempt["error"] == "timeout after 0.3 s"
    assert attempt["latency_ms"] < 2000


# --------------------------------------------------------------------- 4. long-polls


def _callback(n: int, auth_id: str = MAIN.auth_id) -> Callback:
    from datetime import UTC, datetime

    return Callback(
        callback_id=f"cb-{auth_id}-{n}",
        auth_id=auth_id,
        recording_id=f"rec-{n}",
        mpc_uuid="mpc",
        member_id=None,
        event_name="MPCRecordingInitiated",
        sequence=1,
        url="http://127.0.0.1:9/",
        method=CallbackMethod.POST,
        params={},
        due=datetime(2026, 1, 1, tzinfo=UTC),
        scenario="default",
    )


def _delivered() -> Attempt:
    return Attempt(1, datetime.now(UTC), 200, 1.0, None, 0.0)


def test_long_polls_match_incrementally_and_wake_only_when_satisfied(monkeypatch: pytest.MonkeyPatch) -> None:
    async def scenario() -> None:
        journal = Journal()
        waiting = [
            asyncio.ensure_future(journal.wait(JournalQuery(auth_id=MAIN.auth_id, state="delivered"), 3, 30))
            for _ in range(20)
        ]
        await asyncio.sleep(0)
        assert journal.waiting == 20
        scans = 0
        full_scan = Journal.query

        def counting(self: Journal, query: JournalQuery) -> list:
            nonlocal scans
            scans += 1
            return full_scan(self, query)

        monkeypatch.setattr(Journal, "query", counting)
        for n in range(500):  # another account's traffic: no waiter looks at it
            journal.add(_callback(n, auth_id="MAOTHERACCOUNT000001"))
        entries = [journal.add(_callback(n)) for n in range(3)]
        for entry in entries[:2]:
            journal.record_attempt(entry, _delivered(), settled=DeliveryState.DELIVERED)
        await asyncio.sleep(0)
        assert not any(w.done() for w in waiting) and scans == 0, "no rescans while unsatisfied"
        journal.record_attempt(entries[2], _delivered(), settled=DeliveryState.DELIVERED)
        results = await asyncio.gather(*waiting)
        assert all(satisfied and len(found) == 3 for found, satisfied in results)
        assert scans == 20, "one final read per waiter"
        assert journal.waiting == 0

    asyncio.run(scenario())


def test_a_long_poll_ends_when_its_client_leaves(start_server: StartServer) -> None:
    server = start_server(clock="manual")
    engine = state_of(server.app).engine
    client = socket.create_connection(("127.0.0.1", server.port))
    client.sendall(b"GET /__emulator__/callbacks?wait=60&min_count=999999 HTTP/1.1\r\nHost: x\r\n\r\n")
    deadline = time.monotonic() + 5
    while engine.long_polls == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert engine.long_polls == 1
    client.close()
    while engine.long_polls and time.monotonic() < deadline:
        time.sleep(0.01)
    assert engine.long_polls == 0, "the waiter ended with its client, long before its 60 s"


# ---------------------------------------------------------- 5. URLs that crash delivery


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/a\x00b",
        "http://127.0.0.1:9/\x01",
        "http://127.0.0.1:9/\x7f",
        "http://127.0.0.1:9/\x85",
        "http://hooks.example.invalid\\@127.0.0.1:9/",
        "http://127.0.0.1:9\\@hooks.example.invalid/",
        "http://[::1/",
        "http://2130706433:9/",
        "http://127.1:9/",
        "http://0177.0.0.1:9/",
        "http://127.0.0.1:99999/",
    ],
)
def test_callback_urls_the_sender_cannot_use_are_refused_at_the_api(api: PlivoHTTP, url: str) -> None:
    api.seed_mpc("standup")
    response = api.post("MultiPartyCall/name_standup/Record/", {"recording_callback_url": url})
    assert_plivo_error(response, 400, "invalid recording_callback_url")
    response = api.post(
        "MultiPartyCall/name_standup/Participant/", {**AGENT, "record": True, "recording_callback_url": url}
    )
    assert_plivo_error(response, 400, "recording_callback_url")
    assert api.control.state(MAIN.auth_id)["recordings"] == []


def test_a_sender_crash_is_journaled_with_its_reason(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    with harness_for(receiver) as h:
        engine = state_of(h.api.client.app).engine  # type: ignore[arg-type]

        async def broken(*args: object, **kwargs: object) -> None:
            raise UnicodeEncodeError("ascii", "é", 0, 1, "a bug in the sender")

        monkeypatch.setattr(engine.sender, "send", broken)
        h.api.seed_mpc("standup")
        h.start()
        h.advance(5)
        (entry,) = h.journal()
    assert entry["state"] == "failed"
    (attempt,) = entry["attempts"]
    assert attempt["error"].startswith("emulator error while sending: UnicodeEncodeError")


# ------------------------------------------------------------------- 6. control token


def test_the_control_plane_token() -> None:
    token = "s3cret-token"
    with in_process(control_token=token) as api:
        client = api.client
        for path in ("/__emulator__/state", "/__emulator__/callbacks", "/__emulator__/accounts"):
            for header in ({}, {"Authorization": "Bearer nope"}, {"Authorization": f"Basic {token}"}):
                response = client.get(path, headers=header)
                assert_plivo_error(response, 401, "--control-token")
                assert response.headers["www-authenticate"].startswith("Bearer")
        for method, path in (("POST", "/__emulator__/reset"), ("POST", "/__emulator__/faults")):
            assert client.request(method, path, json={}).status_code == 401
        assert (
            client.get("/__emulator__/state", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        )
        # Open: health, the dashboard page; and the Plivo API keeps its own auth.
        assert client.get("/__emulator__/health").status_code == 200
        assert client.get("/__emulator__/").status_code == 200
        assert client.get("/__emulator__/dashboard").status_code == 200
        assert api.get("MultiPartyCall/").status_code == 200


def test_clients_pass_the_token(monkeypatch: pytest.MonkeyPatch, start_server: StartServer) -> None:
    server = start_server(control_token="tkn")
    server.reset()  # ThreadedServer uses its own token
    with pytest.raises(EmulatorError) as refused:
        EmulatorControl(server.url).state()
    assert refused.value.status == 401
    assert EmulatorControl(server.url, token="tkn").state()["accounts"]
    monkeypatch.setenv("PLIVO_EMULATOR_CONTROL_TOKEN", "tkn")
    assert EmulatorControl(server.url).state()["accounts"]
    from emulator.cli import main

    assert main(["health", "--url", server.url]) == 0


def test_an_account_with_another_token_is_still_a_conflict(api: PlivoHTTP) -> None:
    response = api.client.post("/__emulator__/accounts", json={"auth_id": MAIN.auth_id, "auth_token": "x"})
    assert_plivo_error(response, 409, "another auth_token")
    response = api.client.post(
        "/__emulator__/accounts", json={"auth_id": MAIN.auth_id, "auth_token": MAIN.auth_token}
    )
    assert response.status_code == 201


def test_the_banner_warns_when_exposed_without_a_token() -> None:
    app = create_app(Settings(seed=SEED))
    exposed = banner(Settings(host="0.0.0.0"), "http://0.0.0.0:8080", app)
    assert "WARNING" in exposed and "--control-token" in exposed
    assert "WARNING" not in banner(Settings(host="0.0.0.0", control_token="t"), "http://0.0.0.0:8080", app)
    assert "WARNING" not in banner(Settings(), "http://127.0.0.1:8080", app)


# -------------------------------------------------------------------- 7. server limits


def _read_all(sock: socket.socket, timeout: float) -> bytes:
    sock.settimeout(timeout)
    data = b""
    with contextlib.suppress(OSError):
        while chunk := sock.recv(65536):
            data += chunk
    return data


@pytest.fixture(params=["uvicorn", "hypercorn"])
def limited_server(request: pytest.FixtureRequest) -> Iterator[ThreadedServer]:
    limits = ServerLimits(max_header_bytes=4096, header_timeout=0.5, keep_alive_timeout=5, max_connections=8)
    server = real_server(log_level="critical", limits=limits, server=request.param)
    yield server
    server.stop()


def test_oversized_headers_are_refused(limited_server: ThreadedServer) -> None:
    with socket.create_connection(("127.0.0.1", limited_server.port)) as sock:
        with contextlib.suppress(OSError):  # the server may close while we still send
            sock.sendall(
                b"GET /__emulator__/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 1024 * 1024 + b"\r\n\r\n"
            )
        answer = _read_all(sock, 5)
    assert answer.startswith(b"HTTP/1.1 431"), answer[:200]
    assert requests.get(f"{limited_server.url}/__emulator__/health", timeout=5).status_code == 200


def test_a_slow_client_is_cut_off_without_delaying_others(limited_server: ThreadedServer) -> None:
    slow = [socket.create_connection(("127.0.0.1", limited_server.port)) for _ in range(3)]
    for sock in slow:
        sock.sendall(b"GET /__emulator__/health HTTP/1.1\r\nHost: x\r\nX-Slow: a")
    started = time.monotonic()
    assert requests.get(f"{limited_server.url}/__emulator__/health", timeout=5).status_code == 200
    assert time.monotonic() - started < 0.4, "the slow clients delay nobody"
    for sock in slow:
        with sock:
            answer = _read_all(sock, 5)
        # uvicorn answers 408; hypercorn closes the connection.
        assert answer == b"" or answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert time.monotonic() - started < 3, "closed after the header timeout (0.5 s)"


def test_connections_beyond_the_cap_get_503(start_server: StartServer) -> None:
    limits = ServerLimits(max_connections=4, header_timeout=10)
    server = start_server(log_level="critical", limits=limits)
    held = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(4)]
    time.sleep(0.2)
    with socket.create_connection(("127.0.0.1", server.port)) as extra:
        answer = _read_all(extra, 5)
    assert answer.startswith(b"HTTP/1.1 503"), answer[:200]
    assert b"too many connections" in answer
    for sock in held:
        sock.close()
    time.sleep(0.2)
    assert requests.get(f"{server.url}/__emulator__/health", timeout=5).status_code == 200


# ------------------------------------------------------------------ 8. paged state


def test_state_pages_and_filters(api: PlivoHTTP) -> None:
    uuids = [api.seed_mpc(f"call-{n}")["mpc_uuid"] for n in range(5)]
    api.post("MultiPartyCall/name_call-4/Record/", {})
    page = api.client.get(
        "/__emulator__/state", params={"auth_id": MAIN.auth_id, "limit": 2, "order": "newest"}
    ).json()
    assert [m["mpc_uuid"] for m in page["mpcs"]] == [uuids[4], uuids[3]]
    assert page["total_mpcs"] == 5 and page["next_offset"] == 2
    assert [r["mpc_uuid"] for r in page["recordings"]] == [uuids[4]], "only the page's recordings"
    last = api.client.get(
        "/__emulator__/state", params={"auth_id": MAIN.auth_id, "limit": 2, "offset": 4}
    ).json()
    assert [m["mpc_uuid"] for m in last["mpcs"]] == [uuids[4]] and last["next_offset"] is None
    one = api.client.get("/__emulator__/state", params={"auth_id": MAIN.auth_id, "mpc_uuid": uuids[1]}).json()
    assert [m["friendly_name"] for m in one["mpcs"]] == ["call-1"]
    assert_plivo_error(api.client.get("/__emulator__/state", params={"limit": 2}), 400, "auth_id is required")
    assert_plivo_error(
        api.client.get("/__emulator__/state", params={"auth_id": MAIN.auth_id, "limit": 0}), 400, "limit"
    )


def test_the_whole_state_is_streamed_in_slices(api: PlivoHTTP, monkeypatch: pytest.MonkeyPatch) -> None:
    from emulator.http import control_state

    monkeypatch.setattr(control_state, "SLICE", 16)
    for n in range(60):
        api.seed_mpc(f"call-{n}", members=tuple(str(10 + i) for i in range(10)))
    response = api.client.get("/__emulator__/state")
    assert response.status_code == 200 and "content-length" not in response.headers
    everything = response.json()
    (main,) = [a for a in everything["accounts"] if a["auth_id"] == MAIN.auth_id]
    assert len(main["mpcs"]) == 60 and sum(len(m["participants"]) for m in main["mpcs"]) == 600

    async def slices() -> int:
        parts = state_of(api.client.app)  # type: ignore[arg-type]
        account = parts.backend.account(MAIN.auth_id)
        yields = 0
        original = asyncio.sleep

        async def counting(delay: float) -> None:
            nonlocal yields
            yields += 1
            await original(delay)

        control_state.asyncio.sleep = counting  # type: ignore[attr-defined]
        try:
            text = "".join([part async for part in control_state._account(account, parts.origins)])
        finally:
            control_state.asyncio.sleep = original  # type: ignore[attr-defined]
        assert json.loads(text) == main
        return yields

    # 60 MPCs and their 600 members' calls, 16 per slice: 4 + 38 slices.
    assert asyncio.run(slices()) == 4 + 38, "the event loop gets control back after every slice"


# ------------------------------------------------------------ 9. graceful shutdown


def test_sigterm_answers_long_polls_and_names_undelivered_callbacks(tmp_path: Path) -> None:
    failing = Receiver()
    failing.answer(lambda n, path: (500, 0.0))
    with failing:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "emulator",
                "serve",
                "--port",
                "0",
                "--clock",
                "manual",
                "--shutdown-grace",
                "1",
                "--log-level",
                "warning",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            assert process.stdout is not None
            url = process.stdout.readline().split(" on ", 1)[1].split(" ", 1)[0]
            control = EmulatorControl(url)
            control.create_mpc(MAIN.auth_id, "retrying")
            control.create_mpc(MAIN.auth_id, "waiting")
            session = requests.Session()
            session.auth = (MAIN.auth_id, MAIN.auth_token)
            base = f"{url}/v1/Account/{MAIN.auth_id}/MultiPartyCall/"
            session.post(base + "name_retrying/Record/", json={"recording_callback_url": failing.url()})
            control.advance(1.5)  # Initiated fails once: now retrying
            session.post(base + "name_waiting/Record/", json={"recording_callback_url": failing.url()})
            answers: list[requests.Response] = []
            poll = threading.Thread(
                target=lambda: answers.append(
                    requests.get(
                        f"{url}/__emulator__/callbacks", params={"wait": 60, "min_count": 99}, timeout=30
                    )
                )
            )
            poll.start()
            time.sleep(0.3)
            started = time.monotonic()
            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=15)
            took = time.monotonic() - started
            poll.join(10)
        finally:
            if process.poll() is None:
                process.kill()
        stderr = process.stderr.read() if process.stderr else ""
    assert code == 0 and took < 5, (code, took, stderr)
    (answer,) = answers
    assert answer.status_code == 200 and answer.json()["satisfied"] is False
    assert "Traceback" not in stderr and "CancelledError" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if "undelivered at shutdown:" in line]
    assert any(
        "MPCRecordingInitiated #1" in line and "retrying" in line and "HTTP 500" in line for line in lines
    )
    assert any("not yet due" in line for line in lines), stderr
    assert "2 callback(s) undelivered at shutdown: 1 retrying, 1 not yet due" in stderr


# ---------------------------------------------------------- 10. advance tells all


def test_an_advance_says_when_its_list_is_truncated(receiver: Receiver) -> None:
    with harness_for(receiver, journal_size=3) as h:
        for n in range(3):
            h.api.seed_mpc(f"call-{n}")
            h.start(name=f"call-{n}")
            h.call("DELETE", f"MultiPartyCall/name_call-{n}/Record/")
        advanced = h.advance(30)
    assert advanced["attempted"] == 6 and advanced["delivered"] == 6 and advanced["failed"] == 0
    assert len(advanced["callbacks"]) == 3 and advanced["truncated"] is True
    assert len(receiver.received) == 6
