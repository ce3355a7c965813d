"""The emulator's sense of time.

Every timestamp the emulator produces (creation_time, join_time, recording
start and end, callback EventTimestamp) comes from one Clock, so that a test
can later swap in a clock it drives itself.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current emulated time, timezone-aware, in UTC."""
        ...


class SystemClock:
    """Wall-clock time."""

    def now(self) -> datetime:
        return datetime.now(UTC)
