"""Plivo's documented limits on an MPC, in one place: the API, the control plane and the scenario
schema all read them from here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Limit:
    name: str
    minimum: int
    maximum: int
    default: int

    def schema(self) -> dict[str, Any]:
        """As a JSON Schema (what the scenario files are validated against)."""
        return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}


# Seconds an MPC may last (add-participant's max_duration).
MAX_DURATION = Limit("max_duration", 300, 28800, 14400)
# Members an MPC may have at once.
MAX_PARTICIPANTS = Limit("max_participants", 2, 10, 10)
# Members present before record=true starts the MPC's recording.
RECORD_MIN_MEMBER_COUNT = Limit("record_min_member_count", 1, 2, 1)
