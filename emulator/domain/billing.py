"""What an ended call is billed, derived from its times (never stored).

Plivo bills MPC participants per started minute; the rate here is an
illustrative figure, chosen once and documented in docs/fidelity.md.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from emulator.domain.mpc import MPC
from emulator.domain.participant import Participant
from emulator.domain.recording import Recording

RATE_PER_MINUTE = 0.003


@dataclass(frozen=True)
class Bill:
    duration: int
    billed_duration: int
    billed_amount: str


def _seconds(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return max(0, int((end - start).total_seconds()))


def participant_bill(participant: Participant) -> Bill | None:
    duration = _seconds(participant.join_time, participant.exit_time)
    if duration is None:
        return None
    minutes = max(1, math.ceil(duration / 60))
    return Bill(duration, minutes * 60, f"{minutes * RATE_PER_MINUTE:.5f}")


def mpc_bill(mpc: MPC) -> Bill | None:
    duration = _seconds(mpc.start_time, mpc.end_time)
    if duration is None:
        return None
    bills = [b for p in mpc.participants.values() if (b := participant_bill(p)) is not None]
    amount = sum(float(b.billed_amount) for b in bills)
    return Bill(duration, sum(b.billed_duration for b in bills), f"{amount:.5f}")


# Plivo's fixture and docs: 0.0004 per rounded minute and month of storage.
RECORDING_STORAGE_RATE = 0.0004
# Storage is free for the first 90 days (Plivo support, "How can I track recording storage charges?").
FREE_STORAGE_DAYS = 90


def rounded_minutes(recording: Recording, now: datetime) -> int:
    """Whole minutes of recording, at least one (rounded_recording_duration / 60)."""
    return max(1, math.ceil(recording.duration(now).total_seconds() / 60))


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def monthly_storage_amount(recording: Recording, now: datetime) -> float:
    """monthly_recording_storage_amount: zero until the first month-end at which the file has been
    stored more than 90 days (Plivo bills storage on the last day of each month, past the free 90
    days); then the rate per rounded minute."""
    if recording.available_at is None:
        return 0.0
    first_billed = _month_end(recording.available_at.date() + timedelta(days=FREE_STORAGE_DAYS))
    if now.date() < first_billed:
        return 0.0
    return round(rounded_minutes(recording, now) * RECORDING_STORAGE_RATE, 5)
