"""A test of yours, as run against the container by run-tests-against-container.sh."""

from typing import Any

from emulator import Credentials, EmulatorControl


def test_a_minute_of_recording(
    plivo_emulator: EmulatorControl, plivo_account: Credentials, plivo_client: Any
) -> None:
    plivo_emulator.create_mpc(plivo_account.auth_id, "standup", stay_alone=True)
    calls = plivo_client.multi_party_calls
    calls.start_recording(friendly_name="standup", recording_callback_url="http://127.0.0.1:9/recording")
    plivo_emulator.advance(60)  # this test's account alone
    calls.stop_recording(friendly_name="standup")
    plivo_emulator.advance(5)
    (completed,) = plivo_emulator.callbacks(event="MPCRecordingCompleted", auth_id=plivo_account.auth_id)
    assert completed["params"]["RecordingDuration"] == "60"
