"""The live dashboard: its JSON (version, timeline) and the page itself, driven in headless Chromium."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.callback_helpers import Harness
from tests.helpers import MAIN, StartServer
from tests.node_tools import node_package
from tests.receiver import Receiver

PLAYWRIGHT = "playwright-core@1.65.1"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def h(harness: Harness) -> Harness:
    return harness


def test_the_page_is_served(h: Harness) -> None:
    for path in ("/__emulator__/", "/__emulator__/dashboard"):
        page = h.api.client.get(path)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "<title>plivo-mpc-emulator</title>" in page.text
        assert ".innerHTML" not in page.text, "API values are only ever set as text"


def test_version_moves_with_every_change(h: Harness) -> None:
    def version() -> int:
        return h.api.client.get("/__emulator__/version").json()["version"]

    first = version()
    assert version() == first, "nothing happened"
    h.api.seed_mpc("standup", stay_alone=True)
    second = version()
    assert second > first
    h.start()
    third = version()
    assert third > second
    h.advance(5)  # the Initiated callback is delivered
    assert version() > third
    clock = h.api.client.get("/__emulator__/version").json()["clock"]
    assert clock["mode"] == "manual" and clock["now"] == "2026-03-01T09:00:05+00:00"


def test_the_timeline_of_a_call(h: Harness) -> None:
    mpc = h.api.seed_mpc("standup", ("10", "11"))
    h.start()
    h.advance(3)
    h.call("DELETE", "MultiPartyCall/name_standup/Participant/11/")  # stay_alone false: the call ends
    h.advance(10)
    timeline = h.api.client.get(
        "/__emulator__/timeline", params={"auth_id": MAIN.auth_id, "mpc_uuid": mpc["mpc_uuid"]}
    ).json()["timeline"]
    kinds = [(t["source"], t["kind"]) for t in timeline]
    assert kinds == [
        ("state", "MPCInitialized"),
        ("state", "MPCStart"),
        ("state", "ParticipantJoin"),
        ("state", "ParticipantJoin"),
        ("state", "MPCRecordingInitiated"),
        ("callback", "MPCRecordingInitiated"),
        ("state", "ParticipantExit"),
        ("state", "CallHangup"),
        ("state", "MPCRecordingCompleted"),
        ("state", "ParticipantExit"),
        ("state", "CallHangup"),
        ("state", "MPCEnd"),
        ("callback", "MPCRecordingCompleted"),
    ]
    assert [t["at"] for t in timeline] == sorted(t["at"] for t in timeline)
    families = {t["kind"]: t["family"] for t in timeline}
    assert (families["MPCStart"], families["CallHangup"], families["MPCRecordingInitiated"]) == (
        "status",
        "call",
        "recording",
    )
    end = next(t for t in timeline if t["kind"] == "MPCEnd")
    assert end["detail"]["termination_cause"] == "Stay Alone Not Permitted"
    exits = [t["detail"]["exit_cause"] for t in timeline if t["kind"] == "ParticipantExit"]
    assert exits == ["Kicked Out of Multiparty Call", "Multiparty Call Ended"]
    hangups = [t["detail"]["hangup_cause"] for t in timeline if t["kind"] == "CallHangup"]
    assert hangups == ["Kicked Out Of Multiparty Call", "Multiparty Call Ended"], "Plivo's 4030, 4020"
    delivered = [t for t in timeline if t["source"] == "callback"]
    assert all(t["detail"]["status"] == 200 for t in delivered)
    h.api.control.reset(MAIN.auth_id)
    assert (
        h.api.client.get("/__emulator__/timeline", params={"auth_id": MAIN.auth_id}).json()["timeline"] == []
    )


# --------------------------------------------------------------- in a browser

BROWSER_SCRIPT = r"""
const { chromium } = require('playwright-core');
const env = process.env;
const auth = 'Basic ' + Buffer.from(`${env.AUTH_ID}:${env.AUTH_TOKEN}`).toString('base64');
const api = (path, init = {}) => fetch(`${env.URL}${path}`, init).then((r) => r.text());
(async () => {
  const browser = await chromium.launch({ executablePath: env.CHROMIUM, headless: true, args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (d) => { errors.push('dialog: ' + d.message()); d.dismiss(); });
  await page.goto(`${env.URL}/__emulator__/`);
  await page.waitForFunction(() => document.querySelector('#account').options.length > 0);
  const out = {};
  // Made by the API while the page is open: it must show up without a reload.
  const evil = '<img src=x onerror=alert(1)>';
  await api(`/__emulator__/accounts/${env.AUTH_ID}/mpcs`, { method: 'POST', body: JSON.stringify(
    { friendly_name: evil, stay_alone: true, participants: [{ member_id: '10' }, { member_id: '11' }] }) });
  const mpcPath = `/v1/Account/${env.AUTH_ID}/MultiPartyCall/name_${encodeURIComponent(evil)}`;
  await api(`${mpcPath}/Record/`, { method: 'POST',
    headers: { Authorization: auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ recording_callback_url: env.RECEIVER }) });
  const row = page.locator('#mpcs tbody tr', { hasText: evil });
  await row.waitFor({ timeout: 5000 });
  out.mpcRow = await row.innerText();
  out.injectedImages = await page.locator('#mpcs img').count();
  await page.locator('#recordings tbody tr', { hasText: 'recording' }).waitFor({ timeout: 5000 });
  await row.click();
  await page.locator('#timeline li', { hasText: 'MPCRecordingInitiated' }).first().waitFor({ timeout: 5000 });
  // Time passes when the button says so: the callback goes out and is shown delivered.
  await page.locator('#advance button', { hasText: '+10 s' }).click();
  await page.locator('#callbacks tbody tr', { hasText: 'delivered' }).waitFor({ timeout: 5000 });
  out.callbackRow = await page.locator('#callbacks tbody tr').first().innerText();
  out.timeline = await page.locator('#timeline').innerText();
  out.clock = await page.locator('#clock').innerText();
  await page.screenshot({ path: env.SCREENSHOT, fullPage: true });
  // The address is a link to this call's timeline: opened afresh, it shows the same call.
  out.link = page.url();
  const again = await browser.newPage();
  await again.goto(out.link);
  const linked = again.locator('#timeline li', { hasText: 'MPCRecordingInitiated' });
  await linked.first().waitFor({ timeout: 5000 });
  out.linkedTitle = await again.locator('#timeline-title').innerText();
  out.errors = errors;
  console.log(JSON.stringify(out));
  await browser.close();
})().catch((e) => { console.error(e); process.exit(1); });
"""


def test_the_dashboard_is_live_in_a_browser(
    receiver: Receiver, tmp_path: Path, start_server: StartServer
) -> None:
    node_dir = node_package(PLAYWRIGHT, "PLIVO_EMULATOR_REQUIRE_BROWSER")
    if not Path(CHROMIUM).exists():
        if os.environ.get("PLIVO_EMULATOR_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is missing, and PLIVO_EMULATOR_REQUIRE_BROWSER=1")
        pytest.skip("needs chromium (Debian: apt-get install chromium)")
    server = start_server(clock="manual")
    script = node_dir / "dashboard.js"
    script.write_text(BROWSER_SCRIPT)
    screenshot = tmp_path / "dashboard.png"
    env = {
        **os.environ,
        "URL": server.url,
        "AUTH_ID": MAIN.auth_id,
        "AUTH_TOKEN": MAIN.auth_token,
        "RECEIVER": receiver.url(),
        "CHROMIUM": CHROMIUM,
        "SCREENSHOT": str(screenshot),
    }
    result = subprocess.run(
        ["node", str(script)], cwd=node_dir, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout)
    assert out["errors"] == [], "no script error, no alert from the injected name"
    assert out["injectedImages"] == 0, "a friendly name is shown as text, never as HTML"
    assert "<img src=x onerror=alert(1)>" in out["mpcRow"] and "Active" in out["mpcRow"]
    assert "MPCRecordingInitiated" in out["callbackRow"] and "200" in out["callbackRow"]
    assert "MPCStart" in out["timeline"] and "MPCRecordingInitiated" in out["timeline"]
    assert "recording MPCRecordingInitiated" in out["timeline"], "each line tagged with its family"
    assert out["clock"].startswith(f"{MAIN.auth_id}: manual"), out["clock"]
    assert "10 s ahead of the emulator" in out["clock"], "the buttons move the selected account's time"
    control = server.control()
    assert control.clock(MAIN.auth_id)["ahead"] == 10 and control.clock()["pending"] >= 0
    assert "mpc_uuid=" in out["link"] and "<img src=x onerror=alert(1)>" in out["linkedTitle"]
    assert screenshot.stat().st_size > 10_000
    assert [r.params["EventName"] for r in receiver.received] == ["MPCRecordingInitiated"]


def test_the_timeline_shows_every_family(h: Harness) -> None:
    url = h.receiver.url("/hooks")
    body = {"role": "agent", "from": "14155550100", "to": "14155550101", "stay_alone": True}
    hooks = {"status_callback_url": url, "call_status_callback_url": url}
    assert h.api.post("MultiPartyCall/name_standup/Participant/", {**body, **hooks}).status_code == 201
    mpc_uuid = h.control.state(MAIN.auth_id)["mpcs"][0]["mpc_uuid"]
    assert (
        h.api.post("MultiPartyCall/name_standup/Member/all/Speak/", {"text": "recorded"}).status_code == 202
    )
    h.start(transcription_url=url)
    h.advance(20)
    h.call("DELETE", "MultiPartyCall/name_standup/")
    h.advance(10)
    timeline = h.control.timeline(MAIN.auth_id, mpc_uuid)
    seen = {(t["source"], t["family"]) for t in timeline}
    assert {
        ("state", "status"),
        ("callback", "status"),
        ("state", "audio"),
        ("state", "transcription"),
        ("callback", "transcription"),
        ("state", "call"),
        ("callback", "call"),
        ("callback", "recording"),
    } <= seen


def test_a_calls_own_timeline(h: Harness) -> None:
    rx = h.receiver
    rx.bodies["/answer"] = b"<Response><Speak>Hello there</Speak><Wait length='2'/></Response>"
    calls = [
        h.control.dial_in(f"1415555019{n}", "14155550100", rx.url("/answer"), MAIN.auth_id)["call_uuid"]
        for n in range(2)
    ]
    h.advance(5)
    query = {"auth_id": MAIN.auth_id, "call_uuid": calls[0]}
    timeline = h.api.client.get("/__emulator__/timeline", params=query).json()["timeline"]
    kinds = [(t["source"], t["kind"]) for t in timeline]
    assert kinds == [  # at one instant, state changes are listed before callbacks
        ("state", "CallRinging"),
        ("state", "XmlVerb"),
        ("callback", "CallAnswerURL"),
        ("state", "XmlVerb"),
        ("state", "CallHangup"),
    ], kinds
    assert {t["family"] for t in timeline} == {"call", "xml"}
    assert all(calls[1] not in str(t) for t in timeline), "the other call's lines stay out"
    paged = h.control.state(MAIN.auth_id, limit=10)
    assert sorted(c["call_uuid"] for c in paged["calls"]) == sorted(calls), "calls outside any MPC listed"
    page = h.api.client.get("/__emulator__/").text
    assert '<table id="calls">' in page
