"""Proxy mode: the emulator's listener answers CONNECT for Plivo's hosts itself, so an SDK given
the emulator as its HTTPS proxy and its CA to trust reaches it with no root, no hosts file and no
port 443; every other target is refused and never dialled."""

from __future__ import annotations

import json
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path

import plivo
import pytest
import requests

from emulator import ThreadedServer
from tests.helpers import MAIN, real_server


@pytest.fixture(scope="module")
def tls_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tls")


@pytest.fixture(scope="module")
def proxy(tls_dir: Path) -> Iterator[ThreadedServer]:
    """The emulator on its plain HTTP listener: the proxy mode needs no option."""
    server = real_server(clock="manual", tls_dir=tls_dir)
    yield server
    server.stop()


def connect(server: ThreadedServer, request: bytes) -> tuple[socket.socket, bytes]:
    """Send ``request`` to the proxy; the socket and what it answered (its head, or all of a refusal)."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.sendall(request)
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = sock.recv(4096)
        if not chunk:
            break
        answer += chunk
    return sock, answer


def refusal(answer: bytes) -> tuple[int, str]:
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body)["error"]


def test_the_ca_is_made_on_first_use_and_served_in_every_mode(proxy: ThreadedServer, tls_dir: Path) -> None:
    pem = proxy.control().ca_certificate()
    assert pem.startswith(b"-----BEGIN CERTIFICATE-----")
    assert (tls_dir / "ca.pem").read_bytes() == pem, "kept in the TLS directory, to be trusted once"
    assert proxy.control().ca_certificate() == pem, "the same CA on every request"


def test_plivo_python_through_the_proxy(proxy: ThreadedServer, tls_dir: Path) -> None:
    """plivo-python's own options: ``proxies=`` in its constructor, the CA on its session (it
    ignores HTTPS_PROXY and REQUESTS_CA_BUNDLE). The SDK still calls https://api.plivo.com."""
    control = proxy.control()
    ca = tls_dir / "ca.pem"
    ca.write_bytes(control.ca_certificate())
    control.reset(MAIN.auth_id)
    control.create_mpc(MAIN.auth_id, "standup", members=("10", "11"), stay_alone=True)
    client = plivo.RestClient(MAIN.auth_id, MAIN.auth_token, proxies={"https": proxy.url})
    client.session.verify = str(ca)
    mpc = client.multi_party_calls
    started = mpc.start_recording(friendly_name="standup", file_format="wav")
    assert started.recording_url.startswith("https://api.plivo.com/v1/Account/"), "links as Plivo's"
    mpc.pause_recording(friendly_name="standup")
    assert mpc.get(friendly_name="standup").recording == "paused"
    mpc.resume_recording(friendly_name="standup")
    mpc.start_participant_recording(participant_id="10", friendly_name="standup")
    members = mpc.list_participants(friendly_name="standup").objects
    assert sorted(m.member_id for m in members) == ["10", "11"]
    with pytest.raises(plivo.exceptions.ResourceNotFoundError):
        mpc.get(friendly_name="nobody")
    mpc.stop_recording(friendly_name="standup")
    with pytest.raises(plivo.exceptions.ValidationError):
        mpc.pause_recording(friendly_name="standup")
    control.advance(60)  # processed: the Recording resource and its audio exist
    # The recording's URL, on api.plivo.com, is fetched through the same proxy.
    media = requests.get(
        started.recording_url,
        proxies={"https": proxy.url},
        verify=str(ca),
        auth=(MAIN.auth_id, MAIN.auth_token),
        timeout=10,
    )
    assert (media.status_code, media.content[:4]) == (200, b"RIFF"), media.text


def test_other_targets_are_refused_and_never_dialled(proxy: ThreadedServer) -> None:
    with socket.create_server(("127.0.0.1", 0)) as bystander:
        bystander.settimeout(0.5)
        port = bystander.getsockname()[1]
        for target in (f"127.0.0.1:{port}", f"localhost:{port}", "api.plivo.com:80", "example.com:443"):
            sock, answer = connect(proxy, f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
            sock.close()
            status, error = refusal(answer)
            assert status == 403, target
            assert "never dials" in error and "api.plivo.com:443" in error
        with pytest.raises(TimeoutError):
            bystander.accept()  # nobody came


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"CONNECT api.plivo.com HTTP/1.1\r\n\r\n",  # no port
        b"CONNECT api.plivo.com:443\r\n\r\n",  # no version
        b"CONNECT api.plivo.com:443 HTTP/1.1\r\n\r\n\x16\x03\x01",  # did not wait for the 200
    ],
    ids=["no-port", "no-version", "early-data"],
)
def test_malformed_connects_get_a_clear_400(proxy: ThreadedServer, request_bytes: bytes) -> None:
    sock, answer = connect(proxy, request_bytes)
    sock.close()
    status, error = refusal(answer)
    assert status == 400 and "CONNECT host:port" in error


def test_a_bare_http10_connect_as_plivo_python_sends_it(proxy: ThreadedServer, tls_dir: Path) -> None:
    """No Host header, HTTP/1.0: then TLS for api.plivo.com inside the tunnel, and plain HTTP in it."""
    (tls_dir / "ca.pem").write_bytes(proxy.control().ca_certificate())
    sock, answer = connect(proxy, b"CONNECT api.plivo.com:443 HTTP/1.0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200 ")
    context = ssl.create_default_context(cafile=str(tls_dir / "ca.pem"))
    with context.wrap_socket(sock, server_hostname="api.plivo.com") as tunnel:
        tunnel.sendall(
            b"GET /__emulator__/health HTTP/1.1\r\nHost: api.plivo.com\r\nConnection: close\r\n\r\n"
        )
        reply = b""
        while chunk := tunnel.recv(4096):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert json.loads(body)["status"] == "ok"


def test_a_client_that_does_not_trust_the_ca_fails_cleanly(proxy: ThreadedServer) -> None:
    sock, answer = connect(proxy, b"CONNECT api.plivo.com:443 HTTP/1.1\r\nHost: api.plivo.com:443\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200 ")
    with pytest.raises(ssl.SSLCertVerificationError):
        ssl.create_default_context().wrap_socket(sock, server_hostname="api.plivo.com")
    sock.close()
    assert proxy.control().health()["status"] == "ok", "the emulator goes on"


def test_the_tls_listener_is_a_proxy_too(tmp_path: Path) -> None:
    """TLS to the proxy, then TLS inside the tunnel (requests speaks to an https:// proxy)."""
    server = real_server(clock="manual", tls=True, tls_dir=tmp_path)
    try:
        ca = str(server.ca_file)
        response = requests.get(
            f"https://api.plivo.com/v1/Account/{MAIN.auth_id}/MultiPartyCall/",
            proxies={"https": server.url},
            verify=ca,
            auth=(MAIN.auth_id, MAIN.auth_token),
            timeout=10,
        )
        assert response.status_code == 200
        assert response.json()["meta"]["count"] == 0
    finally:
        server.stop()


def test_hypercorn_says_it_cannot_tunnel(tmp_path: Path) -> None:
    """Only the default server opens tunnels; under hypercorn a CONNECT says why it failed."""
    server = real_server(clock="manual", tls_dir=tmp_path, server="hypercorn")
    try:
        sock, answer = connect(
            server, b"CONNECT api.plivo.com:443 HTTP/1.1\r\nHost: api.plivo.com:443\r\n\r\n"
        )
        sock.settimeout(5)
        head, _, body = answer.partition(b"\r\n\r\n")
        length = int(
            next(h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")).split(b":")[1]
        )
        while len(body) < length:
            body += sock.recv(4096)
        sock.close()
        assert head.startswith(b"HTTP/1.1 501")
        assert "not --server hypercorn" in json.loads(body)["error"]
    finally:
        server.stop()
