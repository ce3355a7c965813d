"""What an ended call is billed, derived from its times (never stored).

Plivo bills MPC participants per started minute; the rate here is an
illustrative figure, chosen once and documented in docs/fidelity.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from emulator.domain.mpc import MPC
from emulator.domain.participant import Participant

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
