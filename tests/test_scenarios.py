"""Scenario files: the schema, the broken-file corpus, loading rules and matching."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulator.cli import main
from emulator.delivery.scenarios import (
    Match,
    ScenarioError,
    ScenarioErrors,
    builtin_scenarios,
    load_paths,
    load_scenarios,
    parse_scenario,
)
from emulator.domain.events import RecordingEventKind
from emulator.domain.recording import Recording, RecordingOptions, RecordingRequest
from emulator.domain.values import Role, TrackType
from tests.helpers import MAIN, FakeClock

CORPUS = Path(__file__).parent / "scenario_corpus"
BAD = sorted((CORPUS / "bad").glob("*.yaml"))
ROOT = Path(__file__).parent.parent


def test_the_corpus_is_big_enough() -> None:
    assert len(BAD) >= 15


@pytest.mark.parametrize("path", BAD, ids=[p.name for p in BAD])
def test_each_broken_file_gives_its_one_line_error(
    path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    expected = path.read_text().splitlines()[0].removeprefix("# expect: ")
    monkeypatch.chdir(path.parent)
    assert main(["validate", path.name]) == 2
    out, err = capsys.readouterr()
    assert err.splitlines() == [f"{path.name}:{expected}"]
    assert out == "" and "Traceback" not in err


def test_serve_refuses_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("name: broken\ntimeline:\n  initiated: soon\n")
    result = subprocess.run(
        [sys.executable, "-m", "emulator", "serve", "--port", "0", "--scenarios", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "plivo-mpc-emulator: broken.yaml:3: timeline.initiated: 'soon' is not of type 'number'"
    )
    assert result.stdout == ""


def test_validate_reports_every_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "a.yaml").write_text("name: a\n")
    (tmp_path / "b.yml").write_text("name: a\n")
    (tmp_path / "c.yaml").write_text("name: c\ndefault: true\n")
    (tmp_path / "d.yaml").write_text("name: d\ndefault: true\n")
    (tmp_path / "notes.txt").write_text("ignored")
    assert main(["validate", str(tmp_path), str(tmp_path / "missing.yaml")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3
    assert re.fullmatch(r".*b\.yml:1: name: scenario 'a' is already defined in .*a\.yaml", err[0])
    assert re.fullmatch(r".*d\.yaml:1: default: 'c' \(.*c\.yaml\) is already the default", err[1])
    assert re.fullmatch(r".*missing\.yaml:0: no such file or directory", err[2])


def test_validate_good_files(capsys: pytest.CaptureFixture) -> None:
    assert main(["validate", str(CORPUS / "good"), str(ROOT / "scenarios")]) == 0
    out = capsys.readouterr().out
    assert "scenario 'everything'" in out and "scenario 'pause-resume'" in out


def test_every_key_is_read() -> None:
    scenario = parse_scenario((CORPUS / "good" / "everything.yaml").read_text(), "everything.yaml")
    assert scenario.priority == 5 and scenario.jitter == 1.5
    assert scenario.match == Match(mpc_name="support-*", member_id="1*", level="participant", track="all")
    assert scenario.delays == {
        RecordingEventKind.INITIATED: 0.5,
        RecordingEventKind.PAUSED: 0.2,
        RecordingEventKind.RESUMED: 0.2,
        RecordingEventKind.COMPLETED: 10.0,
        RecordingEventKind.FAILED: 2.0,
    }
    assert [(a.after, a.do, a.reason) for a in scenario.actions] == [
        (5, "pause", None),
        (8, "resume", None),
        (30, "fail", "disk full"),
    ]
    assert scenario.mpc_max_duration == 600
    assert {k.value for k in scenario.duplicate} == {"Completed", "Failed"}
    assert {k.value for k in scenario.out_of_order} == {"Paused"}
    assert (scenario.delivery.timeout, scenario.delivery.retry_backoff) == (1.5, (0.5, 1.0, 2.0))
    (seed,) = scenario.seeds
    assert (seed.account, seed.friendly_name) == ("MADEVEMULATOR0000001", "support-seeded")
    agent, customer = seed.participants
    assert (agent.member_id, agent.role, agent.from_number, agent.to_numbers) == (
        "10",
        Role.AGENT,
        "14155550100",
        ("14155550101",),
    )
    assert (customer.member_id, customer.call_uuid, customer.mute, customer.coach_mode) == (
        "11",
        "seed-call-11",
        True,
        False,
    )
    assert {(p.stay_alone, p.max_duration) for p in seed.participants} == {(True, 3600)}


def test_the_documented_example_is_valid() -> None:
    docs = (ROOT / "docs" / "scenarios.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", docs, re.S)
    assert blocks, "docs/scenarios.md shows YAML examples"
    for block in blocks:
        parse_scenario(block, "docs/scenarios.md")


def test_shipped_scenarios_load() -> None:
    names = [s.name for s in builtin_scenarios()]
    assert sorted(names) == [
        "default",
        "fails-midway",
        "flaky-delivery",
        "long-call",
        "pause-resume",
        "slow-processing",
        "transcription-fails",
    ]
    assert load_scenarios().default.name == "default"


def test_user_scenarios_replace_shipped_ones(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text("name: pause-resume\nmatch: {mpc_name: 'mine*'}\n")
    (tmp_path / "quick.yaml").write_text("name: quick\ndefault: true\ntimeline: {completed: 0}\n")
    loaded = load_scenarios([tmp_path])
    assert loaded.get("pause-resume").match == Match(mpc_name="mine*")  # type: ignore[union-attr]
    assert loaded.default.name == "quick"
    assert not loaded.get("default").default  # type: ignore[union-attr]


def recording(mpc_name: str, member_id: str | None = None, track: TrackType | None = None) -> Recording:
    return Recording(
        recording_id="r",
        auth_id="MA",
        mpc_uuid="m",
        mpc_name=mpc_name,
        member_id=member_id,
        track_type=track,
        request=RecordingRequest(RecordingOptions()),
        start_time=FakeClock().now(),
    )


def test_matching_rules(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("name: broad\nmatch: {mpc_name: 'sales-*'}\n")
    (tmp_path / "b.yaml").write_text(
        "name: narrow\npriority: 10\nmatch: {mpc_name: 'sales-*', level: participant}\n"
    )
    (tmp_path / "c.yaml").write_text(
        "name: member\npriority: 20\nmatch: {member_id: '2?', track: participant}\n"
    )
    loaded = load_scenarios([tmp_path])
    pick = lambda r: loaded.for_recording(r).name  # noqa: E731
    assert pick(recording("sales-eu")) == "broad"
    assert pick(recording("sales-eu", "10", TrackType.ALL)) == "narrow", "higher priority wins"
    assert pick(recording("sales-eu", "21", TrackType.PARTICIPANT)) == "member"
    assert pick(recording("sales-eu", "21", TrackType.ALL)) == "narrow"
    assert pick(recording("support")) == "default"
    assert loaded.for_recording(recording("support"), "broad").name == "broad", (
        "a named scenario beats matching"
    )
    assert loaded.mpc_max_duration("long-call-1") == 3600 and loaded.mpc_max_duration("support") is None


def test_load_paths_reports_all_problems(tmp_path: Path) -> None:
    (tmp_path / "one.yaml").write_text("name: [\n")
    (tmp_path / "two.yaml").write_text("nom: x\n")
    with pytest.raises(ScenarioErrors) as caught:
        load_paths([tmp_path])
    assert len(caught.value.errors) == 2


yaml_like = st.text(
    alphabet=st.sampled_from(list("name: x\n-[]{},'\"#&*!|>%@`\t0123456789abcdefg.timelinrecodup")),
    max_size=120,
)


# Whole lines that name real keys with escaped values YAML decodes to lone surrogates or control characters.
yaml_escapes = st.lists(
    st.sampled_from(
        [
            "name: ok\n",
            'name: "a\\ud800"\n',
            'description: "\\udfff x"\n',
            "seed:\n",
            '  - friendly_name: "\\ud83d"\n',
            '  - friendly_name: "\\x00\\x7f"\n',
            '    participants: [{member_id: "\\ud800"}]\n',
            'match: {mpc_name: "\\udc00*"}\n',
        ]
    ),
    max_size=6,
).map("".join)


@given(text=yaml_like | yaml_escapes | st.text(max_size=80))
def test_fuzzed_scenario_text_is_a_scenario_or_a_located_error(text: str) -> None:
    try:
        scenario = parse_scenario(text, "fuzz.yaml")
    except ScenarioError as exc:
        assert str(exc).startswith("fuzz.yaml:") and "\n" not in str(exc)
    else:  # what was accepted can be shown and stored
        json.dumps(scenario.summary(), ensure_ascii=False).encode("utf-8")
        for seed in scenario.seeds:
            seed.friendly_name.encode("utf-8")


# ------------------------------------------------- choosing and reloading at run time


def test_an_account_can_choose_a_scenario(receiver) -> None:  # type: ignore[no-untyped-def]
    from tests.callback_helpers import harness_for

    with harness_for(receiver) as h:
        h.api.seed_mpc("standup", stay_alone=True)
        url = f"/__emulator__/accounts/{MAIN.auth_id}/scenario"
        assert h.api.client.put(url, json={"scenario": "fails-midway"}).json() == {
            "auth_id": MAIN.auth_id,
            "scenario": "fails-midway",
        }
        h.start()
        h.start(path="Participant/10/Record/")
        h.advance(30)
        assert {e["scenario"] for e in h.journal()} == {"fails-midway"}
        named = h.api.post(
            "MultiPartyCall/name_standup/Participant/11/Record/",
            {},
            headers={"X-Emulator-Scenario": "slow-processing"},
        )
        assert named.status_code == 200, "a request's header still wins"
        h.api.client.put(url, json={"scenario": None})
        h.api.seed_mpc("plain", stay_alone=True)
        h.start("plain")
        h.advance(2)
        assert h.journal(event="MPCRecordingInitiated")[-1]["scenario"] == "default"
        h.api.client.put(url, json={"scenario": "long-call"})
        h.api.control.reset(MAIN.auth_id)
        h.api.seed_mpc("again", stay_alone=True)
        h.start("again")
        h.advance(2)
        assert h.journal()[-1]["scenario"] == "default", "a reset forgets the choice"
        bad = h.api.client.put(url, json={"scenario": "nope"})
        assert bad.status_code == 400 and "unknown scenario 'nope'" in bad.json()["error"]
        assert (
            h.api.client.put(
                "/__emulator__/accounts/MANOBODY000000000000/scenario", json={"scenario": None}
            ).status_code
            == 404
        )


def test_scenarios_reload_all_or_nothing(receiver, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.callback_helpers import harness_for

    with harness_for(
        receiver, tmp_path, "name: mine\nmatch: {mpc_name: 'mine*'}\ntimeline: {initiated: 1}\n"
    ) as h:
        mine = tmp_path / "test.yaml"
        h.api.seed_mpc("mine-1", stay_alone=True)
        h.start("mine-1")
        mine.write_text("name: mine\nmatch: {mpc_name: 'mine*'}\ntimeline: {initiated: 7}\n")
        reloaded = h.api.client.post("/__emulator__/scenarios/reload", json={})
        assert reloaded.status_code == 200 and "mine" in reloaded.json()["scenarios"]
        h.api.seed_mpc("mine-2", stay_alone=True)
        h.start("mine-2")
        h.advance(10)
        due = {e["mpc_uuid"]: e["due"][11:19] for e in h.journal()}
        assert sorted(due.values()) == ["09:00:01", "09:00:07"], (
            "the recording started before keeps its scenario"
        )
        mine.write_text("name: mine\ntimeline: {initiated: soon}\n")
        broken = h.api.client.post("/__emulator__/scenarios/reload", json={})
        assert broken.status_code == 400
        assert "test.yaml:2: timeline.initiated: 'soon' is not of type 'number'" in broken.json()["error"]
        assert any(
            s["name"] == "mine" and s["timeline"]["initiated"] == 7
            for s in h.api.control.scenarios()["scenarios"]
        ), "nothing changed"


def test_validate_reports_every_problem_of_a_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "two.yaml").write_text(
        "name: two-problems\ntimeline:\n  initiated: -1\n"
        "recording:\n  actions:\n    - {after: 5, do: explode}\n"
    )
    assert main(["validate", str(tmp_path / "two.yaml")]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(": ", 2)[0].rsplit(":", 1)[1] for line in lines] == ["3", "6"], lines
    assert "timeline.initiated" in lines[0] and "recording.actions[0].do" in lines[1]


def test_the_documented_timings_are_the_shipped_ones() -> None:
    """Each shipped scenario with jitter: its Completed window, as its description and the docs say it."""
    docs = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    for scenario in load_scenarios([]):
        if not scenario.jitter:
            continue
        low = scenario.delays[RecordingEventKind.COMPLETED]
        window = f"{low:g}-{low + scenario.jitter:g}"
        assert window in scenario.description, (scenario.name, scenario.description)
        row = next(line for line in docs.splitlines() if line.startswith(f"| `{scenario.name}`"))
        assert window.replace("-", "\N{EN DASH}") in row, (scenario.name, row)
