"""Which scenario each recording follows, and who chose it.

In order: the scenario its request named (``X-Emulator-Scenario``), the one its account chose
(``PUT /__emulator__/accounts/{auth_id}/scenario``), the best match of the loaded scenarios, the
default. A recording keeps the scenario it started with until its last callback, even when the
files are reloaded meanwhile.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from emulator.delivery.scenarios import Scenario, ScenarioSet
from emulator.domain.errors import InvalidParameter
from emulator.domain.recording import Recording, RecordingRequest


class ScenarioChoice:
    def __init__(self, loaded: ScenarioSet) -> None:
        self.loaded = loaded
        # Found again from Recording.request when the recording starts (maybe requests later).
        self._named: WeakKeyDictionary[RecordingRequest, str] = WeakKeyDictionary()
        self._by_account: dict[str, str] = {}
        # Recordings with callbacks still to come, by "{auth_id}/{recording_id}".
        self._by_recording: dict[str, Scenario] = {}

    def named(self, name: str, where: str | None = None) -> Scenario:
        """A loaded scenario; an unknown name is a bad parameter (``where``: what named it)."""
        scenario = self.loaded.get(name)
        if scenario is None:
            known = ", ".join(s.name for s in self.loaded)
            place = f" in {where}" if where else ""
            raise InvalidParameter(where or "scenario", f"unknown scenario '{name}'{place}; loaded: {known}")
        return scenario

    def name_for_request(self, request: RecordingRequest, name: str, where: str | None = None) -> None:
        self._named[request] = self.named(name, where).name

    def choose_for_account(self, auth_id: str, name: str | None) -> None:
        if name is None:
            self._by_account.pop(auth_id, None)
        else:
            self._by_account[auth_id] = self.named(name).name

    def for_mpc(self, auth_id: str, mpc_name: str) -> Scenario:
        """The scenario an MPC's status callbacks follow (its delivery settings): the account's
        choice, else the best match on the MPC's name, else the default."""
        return self.loaded.for_mpc(mpc_name, self._by_account.get(auth_id))

    def for_account(self, auth_id: str) -> Scenario:
        """What calls outside any MPC follow (the Call API's, inbound ones): the account's choice,
        else the default."""
        return self.loaded.get(self._by_account.get(auth_id, "")) or self.loaded.default

    def of(self, key: str, recording: Recording) -> Scenario:
        """The recording's scenario, chosen at its first event and kept."""
        scenario = self._by_recording.get(key)
        if scenario is None:
            scenario = self._by_recording[key] = self.again(recording)
        return scenario

    def again(self, recording: Recording) -> Scenario:
        """The scenario the recording would be given now (what its transcription follows, after
        its last callback)."""
        named = self._named.get(recording.request)
        return self.loaded.for_recording(recording, named, self._by_account.get(recording.auth_id))

    def finished(self, key: str) -> None:
        """The recording's last event: nothing will look its scenario up again."""
        self._by_recording.pop(key, None)

    def forget_account(self, auth_id: str) -> None:
        self._by_account.pop(auth_id, None)
        prefix = f"{auth_id}/"
        for key in [k for k in self._by_recording if k.startswith(prefix)]:
            del self._by_recording[key]
