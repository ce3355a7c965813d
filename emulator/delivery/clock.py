"""The emulator's sense of time: real (optionally sped up) or manual, and each account's own.

Every timestamp an account sees (creation_time, join_time, recording start and
end, callback EventTimestamp, billing) and every job scheduled for it reads that
account's clock: the emulator's clock plus the account's own offset. Advancing
one account moves only its time, so tests that share one emulator (pytest-xdist
workers, one account each) never move each other's clocks; advancing the
emulator's clock moves every account.

- ``real``: emulated time runs from the wall-clock time at start-up, ``speed``
  times faster than real time.
- ``manual``: emulated time stands still until :meth:`EmulatedClock.move_to` is
  called (by the scheduler, when ``/__emulator__/clock/advance`` asks it to).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Literal

ClockMode = Literal["real", "manual"]


class EmulatedClock:
    def __init__(
        self, mode: ClockMode = "real", *, speed: float = 1.0, start: datetime | None = None
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.mode: ClockMode = mode
        self.speed = speed
        self._origin = (start or datetime.now(UTC)).astimezone(UTC)
        self._mono_origin = time.monotonic()
        self._manual_now = self._origin

    @property
    def manual(self) -> bool:
        return self.mode == "manual"

    def now(self) -> datetime:
        if self.manual:
            return self._manual_now
        return self._origin + timedelta(seconds=(time.monotonic() - self._mono_origin) * self.speed)

    def move_to(self, moment: datetime) -> None:
        """Manual mode only: set the time (never backwards)."""
        if not self.manual:
            raise RuntimeError("only a manual clock can be moved")
        if moment > self._manual_now:
            self._manual_now = moment

    def real_seconds_until(self, moment: datetime) -> float:
        """How long to sleep, in real seconds, until the clock shows ``moment`` (real mode)."""
        return max(0.0, (moment - self.now()).total_seconds() / self.speed)


_ZERO = timedelta(0)


class AccountClocks:
    """Each account's time: the emulator's clock plus the account's offset (none until it is moved).

    ``None`` stands for the emulator itself (jobs that belong to no account).
    """

    def __init__(self, base: EmulatedClock) -> None:
        self.base = base
        self._offsets: dict[str, timedelta] = {}

    def now(self, auth_id: str | None = None) -> datetime:
        if auth_id is None:
            return self.base.now()
        return self.base.now() + self._offsets.get(auth_id, _ZERO)

    def offset(self, auth_id: str | None) -> timedelta:
        return _ZERO if auth_id is None else self._offsets.get(auth_id, _ZERO)

    def set_ahead(self, auth_id: str, offset: timedelta) -> None:
        """The account's time runs ``offset`` ahead of the emulator's from now on (never less than
        before: an account's time never goes backwards); the emulator's does not move."""
        if offset > self.offset(auth_id):
            self._offsets[auth_id] = offset

    def forget(self, auth_id: str) -> None:
        """The account's time is the emulator's again (its reset)."""
        self._offsets.pop(auth_id, None)

    def for_account(self, auth_id: str) -> Callable[[], datetime]:
        """The account's clock, as the domain reads it."""
        return functools.partial(self.now, auth_id)
