"""Audio played or spoken to MPC members (member Play and Speak).

Plays and speaks are keyed by kind and by the member form the request used (``10``, ``10,11`` or
``all``): Plivo's docs say a play started for a member id is not stopped by a stop for ``all``. There
is no sound here; a play lasts a set time (a speak, by its text's length) and then ends by itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

# What "playing" lasts when nothing says: there is no file to measure.
PLAY_SECONDS = 10.0
# Speech at about fifteen characters a second.
SPEAK_CHARACTERS_PER_SECOND = 15


class AudioKind(StrEnum):
    PLAY = "play"
    SPEAK = "speak"


@dataclass(frozen=True)
class AudioSpec:
    """What a Play (``urls``) or Speak (``text``, ``voice``, ``language``) request asks for."""

    kind: AudioKind
    urls: tuple[str, ...] = ()
    text: str = ""
    voice: str = "WOMAN"
    language: str = "en-US"
    mix: bool = True

    @property
    def seconds(self) -> float:
        if self.kind is AudioKind.PLAY:
            return PLAY_SECONDS
        return float(max(1, math.ceil(len(self.text) / SPEAK_CHARACTERS_PER_SECOND)))


@dataclass(frozen=True)
class MemberAudio:
    """One play or speak, heard by ``member_ids`` from ``started`` for ``spec.seconds``."""

    audio_id: int
    key: str  # the member form the request used: "10", "10,11" or "all"
    member_ids: tuple[str, ...]
    spec: AudioSpec
    started: datetime
