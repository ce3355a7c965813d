"""TLS mode: the emulator as https://api.plivo.com, reached by the official SDKs unchanged."""

from __future__ import annotations

import json
import os
import socket
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import plivo
import plivo.rest.client
import pytest
from cryptography import x509

from emulator import ThreadedServer
from emulator.cli import build_parser, settings_from
from emulator.testing import EmulatorControl
from emulator.tls import DEFAULT_TLS_HOSTS, prepare_tls
from tests.helpers import MAIN, StartServer, real_server
from tests.node_tools import NODE_SDK, node_package


def sans(path: Path) -> list[str]:
    cert = x509.load_pem_x509_certificates(path.read_bytes())[0]
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return [str(n.value) for n in names]


def test_the_ca_is_kept_and_the_certificate_covers_plivo(tmp_path: Path) -> None:
    first = prepare_tls(tmp_path, (*DEFAULT_TLS_HOSTS, "emulator"))
    ca = first.ca_cert.read_bytes()
    assert sans(first.cert) == [
        "api.plivo.com",
        "media.plivo.com",
        "localhost",
        "127.0.0.1",
        "::1",
        "emulator",
    ]
    again = prepare_tls(tmp_path)
    assert again.ca_cert.read_bytes() == ca, "the CA is made once, so it is trusted once"
    assert oct((tmp_path / "ca-key.pem").stat().st_mode)[-3:] == "600"
    leaf, issuer = x509.load_pem_x509_certificates(first.cert.read_bytes())
    ca_cert = x509.load_pem_x509_certificate(ca)
    assert issuer == ca_cert, "server.pem is a full chain"
    leaf.verify_directly_issued_by(ca_cert)
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(first.cert, first.key)  # the key matches the certificate


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadedServer]:
    server = real_server(clock="manual", tls=True, tls_dir=tmp_path_factory.mktemp("tls"))
    yield server
    server.stop()


def test_the_ca_is_published(tls_server: ThreadedServer) -> None:
    context = ssl.create_default_context(cafile=str(tls_server.ca_file))
    import urllib.request

    with urllib.request.urlopen(f"{tls_server.url}/__emulator__/ca.pem", context=context) as response:
        assert response.read() == tls_server.ca_file.read_bytes()  # type: ignore[union-attr]
    assert tls_server.url.startswith("https://")


def test_plivo_python_reaches_the_emulator_unchanged(
    tls_server: ThreadedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No base-URI patching: the SDK calls https://api.plivo.com; name resolution and trust do the rest.
    assert plivo.rest.client.API_VOICE_BASE_URI == "https://api.plivo.com/v1/Account"
    real = socket.getaddrinfo

    def resolve(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host == "api.plivo.com":
            return real("127.0.0.1", tls_server.port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    control = EmulatorControl(tls_server.url, ca_file=tls_server.ca_file)
    control.reset()
    control.create_mpc(MAIN.auth_id, "standup", stay_alone=True)
    client = plivo.RestClient(MAIN.auth_id, MAIN.auth_token)
    client.session.verify = str(tls_server.ca_file)
    started = client.multi_party_calls.start_recording(friendly_name="standup", file_format="wav")
    assert started.recording_url.startswith("https://api.plivo.com/v1/Account/")
    client.multi_party_calls.pause_recording(friendly_name="standup")
    assert client.multi_party_calls.get(friendly_name="standup").recording == "paused"
    client.multi_party_calls.stop_recording(friendly_name="standup")
    (recording,) = control.state(MAIN.auth_id)["recordings"]
    assert recording["state"] == "completed"


def test_cli_tls_options() -> None:
    args = build_parser().parse_args(["serve", "--tls", "--tls-host", "emulator", "--tls-dir", "/tmp/x"])
    s = settings_from(args, {})
    assert (s.tls, s.port, s.tls_hosts, str(s.tls_dir)) == (True, 8443, ("emulator",), "/tmp/x")
    env = settings_from(
        build_parser().parse_args(["serve"]), {"PLIVO_EMULATOR_TLS": "1", "PLIVO_EMULATOR_TLS_HOSTS": "a,b"}
    )
    assert (env.tls, env.port, env.tls_hosts) == (True, 8443, ("a", "b"))
    assert settings_from(build_parser().parse_args(["serve"]), {}).tls is False


# ------------------------------------------------------------- the Node.js SDK

# What /etc/hosts and a 443 -> emulator port mapping would do (the name-mapping route).
NODE_NAME_MAPPING = r"""
// What /etc/hosts and a 443 -> emulator port mapping would do, done inside this process: the SDK
// itself is untouched and still calls https://api.plivo.com.
const dns = require('dns');
const tls = require('tls');
const lookup = dns.lookup;
dns.lookup = (host, options, callback) => {
  if (typeof options === 'function') { callback = options; options = {}; }
  if (host !== 'api.plivo.com') return lookup.call(dns, host, options, callback);
  if (options && options.all) return process.nextTick(callback, null, [{address: '127.0.0.1', family: 4}]);
  return process.nextTick(callback, null, '127.0.0.1', 4);
};
const connect = tls.connect;
tls.connect = (...args) => {
  const options = args.find((a) => a && typeof a === 'object');
  if (options && (options.servername === 'api.plivo.com' || options.host === 'api.plivo.com')) {
    options.port = Number(process.env.EMULATOR_PORT);
  }
  return connect.apply(tls, args);
};
"""

# The SDK's own calls; through the proxy route, the client is given the emulator as its proxy.
NODE_CALLS = r"""
const plivo = require('plivo');
(async () => {
  const options = process.env.HTTPS_PROXY_URL ? {proxy: process.env.HTTPS_PROXY_URL} : {};
  const client = new plivo.Client(process.env.AUTH_ID, process.env.AUTH_TOKEN, options);
  const mpc = client.multiPartyCalls;
  const out = {};
  out.start = await mpc.startRecording({friendlyName: 'standup', fileFormat: 'wav'});
  await mpc.pauseRecording({friendlyName: 'standup'});
  out.paused = (await mpc.get({friendlyName: 'standup'})).recording;
  await mpc.resumeRecording({friendlyName: 'standup'});
  await mpc.stopRecording({friendlyName: 'standup'});
  const both = () => ({friendlyName: 'standup', recordTrackType: 'both'});  // the SDK edits what it is given
  out.participant = await mpc.startParticipantRecording(10, both());
  await mpc.stopParticipantRecording(10, both());
  // node's URL check refuses IP addresses; the emulator never fetches what a member is played
  const prompt = 'https://example.com/this-call-is-recorded.mp3';
  out.play = await mpc.startPlayAudio(10, prompt, {friendlyName: 'standup'});
  out.stopPlay = await mpc.stopPlayAudio(10, {friendlyName: 'standup'});
  try { await mpc.pauseRecording({friendlyName: 'nobody'}); } catch (e) { out.error = e.message; }
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
"""


@pytest.mark.parametrize("route", ["name-mapping", "proxy"])
def test_the_node_sdk_reaches_the_emulator_unchanged(
    tmp_path: Path, start_server: StartServer, route: str
) -> None:
    """By name mapping (TLS mode, api.plivo.com resolved to the emulator), or through the emulator
    as the client's HTTPS proxy (plain HTTP listener, the SDK's own ``proxy`` option)."""
    sdk = node_package(NODE_SDK, "PLIVO_EMULATOR_REQUIRE_NODE")
    server = start_server(clock="manual", tls=route == "name-mapping", tls_dir=tmp_path)
    control = server.control()
    control.create_mpc(MAIN.auth_id, "standup", members=("10", "11"), stay_alone=True)
    script = sdk / f"run-{route}.js"
    script.write_text((NODE_NAME_MAPPING if route == "name-mapping" else "") + NODE_CALLS)
    env = {
        **os.environ,
        "NODE_EXTRA_CA_CERTS": str(tmp_path / "ca.pem"),
        "AUTH_ID": MAIN.auth_id,
        "AUTH_TOKEN": MAIN.auth_token,
        "EMULATOR_PORT": str(server.port),
    }
    if route == "proxy":
        control.ca_certificate()  # made on first use; the client must trust it before it connects
        env["HTTPS_PROXY_URL"] = server.url
    result = subprocess.run(
        ["node", str(script)], cwd=sdk, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["start"]["message"] == "MPC: standup record started"
    assert out["start"]["recordingUrl"].startswith("https://api.plivo.com/v1/Account/")
    assert out["paused"] == "paused"
    assert out["participant"]["recordingId"]
    assert out["play"]["message"] == "play queued into MPC" and out["play"]["mpcMemberId"] == ["10"]
    audio = [
        (a["kind"], a["detail"]["member_ids"])
        for a in control.timeline(MAIN.auth_id)
        if a["kind"].startswith("MemberAudio")
    ]
    assert audio == [("MemberAudioStart", ["10"]), ("MemberAudioStop", ["10"])], "stopped by the SDK's call"
    assert "no ongoing MPC named 'nobody'" in out["error"]
    recordings = control.state(MAIN.auth_id)["recordings"]
    assert [r["state"] for r in recordings] == ["completed"] * 3
    assert {r["record_track_type"] for r in recordings} == {None, "all", "participant"}
