"""The emulator's sense of time: real (optionally sped up) or manual.

Every timestamp the emulator produces (creation_time, join_time, recording
start and end, callback EventTimestamp) and every scheduled callback reads this
one clock, so a test can make an hour pass in a millisecond.

- ``real``: emulated time runs from the wall-clock time at start-up, ``speed``
  times faster than real time.
- ``manual``: emulated time stands still until :meth:`EmulatedClock.move_to` is
  called (by the scheduler, when ``/__emulator__/clock/advance`` asks it to).
"""

from __future__ import annotations

import time
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
