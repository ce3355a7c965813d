"""The XML engine: a call's answer document run verb by verb on the emulated clock, and documents
Plivo would refuse refused with their URL, line, element and attribute."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from emulator.testing import EmulatorError
from tests.callback_helpers import Harness, harness_for
from tests.helpers import MAIN
from tests.node_tools import NODE_SDK, node_package
from tests.receiver import Receiver


def dial_in(h: Harness, document: str, path: str = "/answer") -> str:
    h.receiver.bodies[path] = document.encode()
    arrived = h.control.dial_in(
        "14155550199", "14155550100", h.receiver.url(path), MAIN.auth_id, hangup_url=h.receiver.url("/hangup")
    )
    return str(arrived["call_uuid"])


def hangups(h: Harness) -> list[dict[str, str]]:
    return [r.params for r in h.receiver.received if r.url_path == "/hangup"]


def timeline(h: Harness, kind: str) -> list[dict[str, Any]]:
    return [t["detail"] for t in h.control.timeline(MAIN.auth_id) if t["kind"] == kind]


def live(h: Harness) -> list[str]:
    return [c["call_uuid"] for c in h.control.state(MAIN.auth_id)["calls"] if c["status"] != "completed"]


def test_speak_play_and_wait_take_their_time_then_the_document_ends(harness: Harness) -> None:
    h = harness
    call = dial_in(
        h,
        "<Response><Speak loop='2'>one two three four five</Speak>"  # 2 s a time, twice
        "<Play>https://example.com/prompt.mp3</Play>"  # ten seconds: the emulator does not fetch it
        "<Wait length='3'/></Response>",
    )
    h.advance(0)
    for seconds in (3.9, 10, 2.9):
        h.advance(seconds)
        assert live(h) == [call], seconds
    h.advance(0.2)
    assert live(h) == []
    (end,) = hangups(h)
    assert (end["HangupCause"], end["HangupCauseCode"], end["HangupSource"]) == (
        "End Of XML Instructions",
        "4010",
        "Plivo",
    )
    assert end["EndTime"] == "2026-03-01 09:00:17+00:00"


def test_hangup_now_and_scheduled(harness: Harness) -> None:
    h = harness
    dial_in(h, "<Response><Hangup reason='busy'/><Wait length='5'/></Response>")
    h.advance(0)
    (end,) = hangups(h)
    assert (end["HangupCause"], end["HangupSource"]) == ("Normal Hangup", "Answer XML")
    assert [v["verb"] for v in timeline(h, "XmlVerb")] == ["Hangup"], "nothing after it runs"
    dial_in(h, "<Response><Hangup schedule='4'/><Wait length='60'/></Response>", "/scheduled")
    h.advance(3.9)
    assert len(hangups(h)) == 1, "a scheduled hangup lets the document go on meanwhile"
    h.advance(0.1)
    assert hangups(h)[-1]["HangupSource"] == "Answer XML" and hangups(h)[-1]["Duration"] == "0"


def test_redirect_chains_replace_the_document(harness: Harness) -> None:
    h = harness
    rx = h.receiver
    rx.bodies["/second"] = (
        f"<Response><Redirect method='GET'>{rx.url('/third')}</Redirect></Response>".encode()
    )
    rx.bodies["/third"] = b"<Response><Wait length='2'/></Response>"
    dial_in(h, f"<Response><Redirect>{rx.url('/second')}</Redirect><Hangup/></Response>")
    h.advance(0)
    fetched = [(r.url_path, r.method, r.params["CallStatus"]) for r in rx.received if r.url_path != "/hangup"]
    assert fetched == [
        ("/answer", "POST", "ringing"),
        ("/second", "POST", "ringing"),
        ("/third", "GET", "ringing"),
    ]
    assert hangups(h) == [], "the Hangup after the first Redirect never runs"
    h.advance(2)
    assert hangups(h)[0]["HangupCause"] == "End Of XML Instructions"
    assert [e["event"] for e in h.journal() if e["event"] == "CallRedirectURL"] == ["CallRedirectURL"] * 2


def test_an_exit_action_document_takes_over_when_kicked(harness: Harness) -> None:
    h = harness
    rx = h.receiver
    rx.bodies["/after"] = b"<Response><Speak>Goodbye</Speak></Response>"
    call = dial_in(
        h,
        f"<Response><MultiPartyCall role='customer' stayAlone='true' onExitActionUrl='{rx.url('/after')}'>"
        "support</MultiPartyCall><Hangup/></Response>",
    )
    h.advance(0)
    (member,) = h.api.get("MultiPartyCall/name_support/Participant/").json()["objects"]
    h.call("DELETE", f"MultiPartyCall/name_support/Participant/{member['member_id']}/")
    h.advance(0)
    (after,) = [r.params for r in rx.received if r.url_path == "/after"]
    assert (after["CallUUID"], after["CallStatus"]) == (call, "in-progress"), "answered when it joined"
    assert live(h) == [call], "speaking its goodbye"
    h.advance(1)
    (end,) = hangups(h)
    assert end["HangupCause"] == "End Of XML Instructions", (
        "the exit document ran, not the Hangup after the MPC"
    )


def test_pre_answer_and_dtmf_take_their_time_and_verbs_not_run_yet_are_passed_over(harness: Harness) -> None:
    h = harness
    call = dial_in(
        h, "<Response><PreAnswer><Speak>hi</Speak></PreAnswer><Dial/><DTMF>12w3</DTMF><Wait/></Response>"
    )
    h.advance(2.4)  # PreAnswer's Speak 1 s, the DTMF's w half a second, the Wait 1 s
    assert live(h) == [call]
    h.advance(0.1)
    verbs = [(v["verb"], v["skipped"]) for v in timeline(h, "XmlVerb")]
    assert verbs == [("PreAnswer", False), ("Dial", True), ("DTMF", False), ("Wait", False)]
    (end,) = hangups(h)
    assert end["AnswerTime"] == "", "early media answers nothing"


def menu(h: Harness, **attrs: str) -> str:
    rx = h.receiver
    options = " ".join(f"{k}='{v}'" for k, v in attrs.items())
    return dial_in(
        h,
        f"<Response><GetDigits action='{rx.url('/menu')}' {options}><Speak>Press one for sales</Speak>"
        "</GetDigits><Speak>We did not get that</Speak></Response>",
    )


def test_get_digits_tells_its_action_what_was_pressed(harness: Harness) -> None:
    h = harness
    rx = h.receiver
    rx.bodies["/menu"] = b"<Response><Wait length='2'/></Response>"
    call = menu(h, numDigits="3")
    h.advance(0)
    h.control.press_call_digits(call, "1", MAIN.auth_id)
    h.control.press_call_digits(call, "2*", MAIN.auth_id)  # the third key completes numDigits
    h.advance(0)
    (action,) = [r.params for r in rx.received if r.url_path == "/menu"]
    assert (action["Digits"], action["CallUUID"], action["CallStatus"]) == ("12*", call, "ringing")
    h.advance(2)
    assert hangups(h)[0]["HangupCause"] == "End Of XML Instructions", (
        "the action's document replaced the rest"
    )
    assert [d["digits"] for d in timeline(h, "XmlInput")] == ["12*"]


def test_get_digits_finish_key_digit_timeout_and_invalid_keys(harness: Harness) -> None:
    h = harness
    call = menu(h, validDigits="123", redirect="false")
    h.advance(0)
    h.control.press_call_digits(call, "19#", MAIN.auth_id)  # 9 is not valid: ignored; # finishes
    h.advance(0)
    assert [r.params["Digits"] for r in h.receiver.received if r.url_path == "/menu"] == ["1"]
    assert live(h) == [call], "redirect=false: the action is told and the document goes on (Speak)"
    h.advance(2)
    assert live(h) == []
    second = menu(h)
    h.advance(0)
    h.control.press_call_digits(second, "4", MAIN.auth_id)
    h.advance(1.9)
    assert [r.params["Digits"] for r in h.receiver.received if r.url_path == "/menu"] == ["1"]
    h.advance(0.1)  # digitTimeout (2 s) after the last key: what was pressed is the input
    assert [r.params["Digits"] for r in h.receiver.received if r.url_path == "/menu"] == ["1", "4"]


def test_get_digits_without_input_retries_then_goes_on_without_a_request(harness: Harness) -> None:
    h = harness
    call = menu(h, retries="2", timeout="3")
    h.advance(0)
    h.advance(2 * (1.6 + 3) - 0.1)  # the prompt (four words: 1.6 s) and the timeout (3 s), twice
    assert live(h) == [call] and [v["verb"] for v in timeline(h, "XmlVerb")] == ["GetDigits"]
    h.advance(0.1)
    assert [v["verb"] for v in timeline(h, "XmlVerb")] == ["GetDigits", "Speak"]
    assert [r for r in h.receiver.received if r.url_path == "/menu"] == [], "no input, no request"
    with pytest.raises(EmulatorError) as refused:
        h.control.press_call_digits(call, "1", MAIN.auth_id)
    assert refused.value.status == 400 and "not waiting for digits" in str(refused.value)
    with pytest.raises(EmulatorError) as bad:
        h.control.press_call_digits(call, "abc", MAIN.auth_id)
    assert bad.value.status == 400


def test_get_input_hears_speech_or_keys_and_tells_its_action(harness: Harness) -> None:
    h = harness
    rx = h.receiver
    rx.bodies["/input"] = b"<Response><Wait/></Response>"
    document = (
        f"<Response><GetInput action='{rx.url('/input')}' inputType='dtmf speech' executionTimeout='10'>"
        "<Speak>Say or press your account number</Speak></GetInput><Hangup/></Response>"
    )
    said = dial_in(h, document)
    h.advance(0)
    h.control.say_on_call(said, "four two", 0.83, MAIN.auth_id)
    h.advance(0)
    (heard,) = [r.params for r in rx.received if r.url_path == "/input"]
    assert (heard["InputType"], heard["Speech"], heard["SpeechConfidenceScore"], heard["Digits"]) == (
        "speech",
        "four two",
        "0.83",
        "",
    )
    pressed = dial_in(h, document, "/second")
    h.advance(0)
    h.control.press_call_digits(pressed, "42#", MAIN.auth_id)
    h.advance(0)
    keys = [r.params for r in rx.received if r.url_path == "/input"][-1]
    assert (keys["InputType"], keys["Digits"], keys["Speech"]) == ("dtmf", "42", "")
    silent = dial_in(h, document, "/third")
    h.advance(2.4 + 10 - 0.1)  # the prompt (six words: 2.4 s), then executionTimeout
    assert silent in live(h)
    h.advance(0.1)  # nothing said or pressed: on to the next verb (<Hangup/>), no request
    (end,) = [e for e in hangups(h) if e["CallUUID"] == silent]
    assert end["HangupSource"] == "Answer XML"
    assert len([r for r in h.receiver.received if r.url_path == "/input"]) == 2


def test_get_input_listens_only_for_its_input_type(harness: Harness) -> None:
    h = harness
    call = dial_in(
        h, "<Response><GetInput action='https://x.test/a' inputType='speech'><Wait/></GetInput></Response>"
    )
    h.advance(0)
    with pytest.raises(EmulatorError) as keys:
        h.control.press_call_digits(call, "1", MAIN.auth_id)
    assert keys.value.status == 400 and "does not listen for dtmf" in str(keys.value)


def test_record_until_max_length_then_the_action_and_the_callback(harness: Harness) -> None:
    h = harness
    rx = h.receiver
    rx.bodies["/recorded"] = b"<Response><Speak>Thanks</Speak></Response>"
    call = dial_in(
        h,
        f"<Response><Record action='{rx.url('/recorded')}' maxLength='30' fileFormat='wav' "
        f"callbackUrl='{rx.url('/file')}'/><Hangup/></Response>",
    )
    h.advance(29.9)
    assert [r for r in rx.received if r.url_path == "/recorded"] == []
    h.advance(0.1)
    (action,) = [r.params for r in rx.received if r.url_path == "/recorded"]
    assert (action["RecordingDuration"], action["RecordingDurationMs"], action["Digits"]) == (
        "30",
        "30000",
        "",
    )
    assert action["RecordUrl"].endswith(f"/Recording/{action['RecordingID']}.wav")
    assert int(action["RecordingEndMs"]) - int(action["RecordingStartMs"]) == 30000
    h.advance(3.5)  # the file is processed (the default scenario's 3-3.5 s): callbackUrl is told
    (told,) = [r.params for r in rx.received if r.url_path == "/file"]
    keys = ("RecordUrl", "RecordingID", "RecordingDuration", "RecordingDurationMs", "RecordingStartMs")
    assert {k: told[k] for k in keys} == {k: action[k] for k in keys}, "the same file, told again"
    assert told["CallUUID"] == call and "Digits" not in told
    found = h.api.get(f"Recording/{action['RecordingID']}/").json()
    assert (found["recording_type"], found["call_uuid"], found["recording_duration_ms"]) == (
        "normal",
        call,
        "30000.00000",
    )
    assert h.api.get("Recording/", params={"call_uuid": call}).json()["meta"]["total_count"] == 1
    audio = h.api.client.get(action["RecordUrl"])
    assert (
        audio.status_code == 200 and audio.content[:4] == b"RIFF" and len(audio.content) == 44 + 30 * 8000 * 2
    )
    assert live(h) == [], "the action's document (Speak) ran instead of the Hangup after Record"
    assert hangups(h)[0]["HangupCause"] == "End Of XML Instructions"


def test_record_ends_on_its_finish_key_and_records_in_the_background(harness: Harness) -> None:
    h = harness
    rx = h.receiver
    rx.bodies["/recorded"] = b"<Response><Wait/></Response>"
    call = dial_in(h, f"<Response><Record action='{rx.url('/recorded')}' finishOnKey='*'/></Response>")
    h.advance(10)
    h.control.press_call_digits(call, "5*", MAIN.auth_id)
    h.advance(0)
    (action,) = [r.params for r in rx.received if r.url_path == "/recorded"]
    assert (action["RecordingDuration"], action["Digits"]) == ("10", "*")
    session = dial_in(
        h,
        f"<Response><Record recordSession='true' action='{rx.url('/session')}'/>"
        "<Wait length='20'/></Response>",
        "/second",
    )
    h.advance(0)
    (early,) = [r.params for r in rx.received if r.url_path == "/session"]
    assert (early["RecordingDuration"], early["RecordingEndMs"]) == ("-1", "-1"), "still recording"
    h.advance(20)
    state = {r["recording_id"]: r for r in h.control.state(MAIN.auth_id)["recordings"]}
    assert state[early["RecordingID"]]["state"] == "completed", "the call's end ends its recording"
    assert state[early["RecordingID"]]["duration_seconds"] == 20.0
    assert session not in live(h)


@pytest.mark.parametrize(
    "builder",
    [
        # plivo-node writes role as given and relayDTMFInputs; go writes relayDtmfInputs and
        # StartRecordingAudio with a capital S; all run alike.
        '<MultiPartyCall role="Agent" relayDTMFInputs="false" maxDuration="600">support</MultiPartyCall>',
        '<MultiPartyCall role="agent" relayDtmfInputs="false" StartRecordingAudio="{url}" maxDuration="600">'
        "support</MultiPartyCall>",
        '<MultiPartyCall role="AGENT" waitForAgent="true" maxduration="600">\n  support\n</MultiPartyCall>',
    ],
    ids=["node", "go", "any-case-and-unknown"],
)
def test_each_sdks_spelling_runs_alike(harness: Harness, builder: str) -> None:
    h = harness
    dial_in(h, "<Response>" + builder.format(url=h.receiver.url("/prompt")) + "</Response>")
    h.advance(0)
    (member,) = h.api.get("MultiPartyCall/name_support/Participant/").json()["objects"]
    assert member["role"] == "agent"
    h.advance(599)
    assert h.api.get("MultiPartyCall/name_support/").json()["status"] == "Active"
    h.advance(1)
    mpc = h.api.get("MultiPartyCall/").json()["objects"][0]
    assert (mpc["status"], mpc["termination_cause_code"]) == ("Ended", 2000), (
        "maxDuration read in any spelling"
    )
    assert hangups(h)[0]["HangupCause"] == "End Of XML Instructions", "ended out, the document went on"


BROKEN = [
    ("", "the answer is empty"),
    ("ok", "not XML: syntax error"),
    ("<Response><Speak>hi</Response>", "not XML: mismatched tag"),
    ("<Respons/>", "the root element is <Respons>, not <Response>"),
    ("<Response><Dance/></Response>", "<Dance> cannot be in <Response>"),
    ("<Response><MultiPartyCall>support</MultiPartyCall></Response>", "role is required"),
    ("<Response><MultiPartyCall role='boss'>support</MultiPartyCall></Response>", "invalid role 'boss'"),
    ("<Response><MultiPartyCall role='agent' maxDuration='5'>s</MultiPartyCall></Response>", "maxDuration 5"),
    (
        "<Response><MultiPartyCall role='agent' maxParticipants='20'>s</MultiPartyCall></Response>",
        "maxParticipants",
    ),
    ("<Response><MultiPartyCall role='agent' record='yes'>s</MultiPartyCall></Response>", "record"),
    (
        "<Response><MultiPartyCall role='agent'>  </MultiPartyCall></Response>",
        "name (the element's text) is empty",
    ),
    ("<Response><Wait length='soon'/></Response>", "length='soon' is not a whole number"),
    ("<Response><Play>not a url</Play></Response>", "invalid audio URL"),
    ("<Response><Redirect method='PUT'>https://x.test/a</Redirect></Response>", "method='PUT'"),
    ("<Response><Hangup reason='tired'/></Response>", "reason='tired'"),
    ("<Response><GetDigits action='ftp://x'/></Response>", "invalid action"),
    ("<Response><GetDigits finishOnKey='x'/></Response>", "finishOnKey='x'"),
    ("<Response><GetDigits><Dial>1415</Dial></GetDigits></Response>", "<Dial> cannot be in <GetDigits>"),
    ("<Response><PreAnswer><Hangup/></PreAnswer></Response>", "<Hangup> cannot be in <PreAnswer>"),
    ("<Response><GetInput inputType='dtmf'/></Response>", "action is required"),
    ("<Response><GetInput action='https://x.test/a' inputType='smoke'/></Response>", "inputType='smoke'"),
    (
        "<Response><GetInput action='https://x.test/a' inputType='dtmf' executionTimeout='99'/></Response>",
        "executionTimeout=99",
    ),
    ("<Response><DTMF>12x</DTMF></Response>", "invalid digits '12x'"),
    ("<Response><Record fileFormat='ogg'/></Response>", "fileFormat='ogg'"),
    ("<Response><Record maxLength='0'/></Response>", "maxLength=0"),
    ("<?xml version='1.0'?><!DOCTYPE r [<!ENTITY a 'b'>]><Response>&a;</Response>", "entities and DTDs"),
]


@pytest.mark.parametrize(("document", "fragment"), BROKEN)
def test_a_broken_document_is_refused_with_where_and_why(
    harness: Harness, document: str, fragment: str
) -> None:
    h = harness
    dial_in(h, "\n" + document if document.startswith("<Response") else document)
    h.advance(0)
    (refused,) = timeline(h, "XmlRejected")
    assert fragment in refused["message"], refused
    assert refused["message"].startswith(h.receiver.url("/answer") + ":")
    if document.startswith("<Response"):
        assert refused["line"] == 2, "the document starts on its second line here"
    (end,) = hangups(h)
    assert (end["HangupCause"], end["HangupSource"]) == ("Invalid Answer XML", "Error")
    assert timeline(h, "XmlVerb") == [], "nothing of a refused document runs"


@pytest.mark.parametrize(
    ("content_type", "runs"),
    [
        ("text/xml; charset=utf-8", True),
        ("application/xml", True),
        ("application/json", False),
        ("text/html", False),
    ],
)
def test_the_answers_content_type(harness: Harness, content_type: str, runs: bool) -> None:
    h = harness
    h.receiver.content_types["/answer"] = content_type
    dial_in(h, "<Response><Wait length='2'/></Response>")
    h.advance(0)
    refused = timeline(h, "XmlRejected")
    if runs:
        assert refused == [] and [v["verb"] for v in timeline(h, "XmlVerb")] == ["Wait"]
    else:
        (problem,) = refused
        assert f"the answer is {content_type}; Plivo reads text/xml or application/xml" in problem["message"]


def test_a_document_over_100_kb_is_refused(harness: Harness) -> None:
    h = harness
    dial_in(h, "<Response>" + "<Wait/>" * 15_000 + "</Response>")
    h.advance(0)
    (refused,) = timeline(h, "XmlRejected")
    assert "Plivo reads at most 102400" in refused["message"]


NODE_BUILDER = """
const plivo = require('plivo');
const response = new plivo.Response();
response.addSpeak('Connecting you');
response.addMultiPartyCall('support', {role: 'Agent', maxDuration: 600, record: true,
                                       recordFileFormat: 'wav', stayAlone: true});
process.stdout.write(response.toXML());
"""


def test_what_the_node_builder_writes_runs_as_python_builder_output_does(harness: Harness) -> None:
    """plivo-node writes role="Agent" and recordingCallbackMethod="GET"; the same MPC comes of it."""
    sdk = node_package(NODE_SDK, "PLIVO_EMULATOR_REQUIRE_NODE")
    script = sdk / "mpc_xml.js"
    script.write_text(NODE_BUILDER)
    built = subprocess.run(["node", str(script)], cwd=sdk, capture_output=True, text=True, timeout=60)
    assert built.returncode == 0, built.stderr
    assert 'role="Agent"' in built.stdout and "<MultiPartyCall" in built.stdout
    h = harness
    dial_in(h, built.stdout)
    h.advance(1.5)  # "Connecting you": a second; then the member joins and the recording starts
    (member,) = h.api.get("MultiPartyCall/name_support/Participant/").json()["objects"]
    assert member["role"] == "agent"
    (recording,) = h.control.state(MAIN.auth_id)["recordings"]
    assert (recording["file_format"], recording["state"]) == ("wav", "recording")
    h.advance(600)
    mpc = h.api.get("MultiPartyCall/").json()["objects"][0]
    assert (mpc["status"], mpc["termination_cause_code"]) == ("Ended", 2000)


def test_a_scenario_can_match_a_calls_own_recordings(receiver: Receiver, tmp_path: Path) -> None:
    scenario = "name: slow-calls\nmatch: {level: call}\ntimeline: {completed: 30}\n"
    with harness_for(receiver, tmp_path, scenario) as h:
        dial_in(h, f"<Response><Record maxLength='5' callbackUrl='{receiver.url('/file')}'/></Response>")
        h.advance(5 + 29)
        assert [r for r in receiver.received if r.url_path == "/file"] == []
        h.advance(1)
        (told,) = [r.params for r in receiver.received if r.url_path == "/file"]
        assert told["RecordingDuration"] == "5"
        (entry,) = h.journal(event="CallRecordCallback")
        assert entry["scenario"] == "slow-calls"
