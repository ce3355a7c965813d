"""The text of an emulated transcription: diarised lines of seeded Faker sentences.

There is no speech to recognise, so the text is invented, but it is shaped like Plivo's (one
``Speaker N:`` line per utterance, as in its fixtures), spans the recording's duration, and is the
same for the same recording in every run with the same seed.
"""

from __future__ import annotations

from faker import Faker

from emulator.domain.ids import derive_seed
from emulator.domain.transcription import Utterance

# About how long one utterance lasts; a very long recording is summarised by its first lines.
_SHORTEST_MS = 2_000
_LONGEST_MS = 9_000
_MOST_LINES = 1_000


def utterances(seed: int, recording_id: str, duration_ms: int, speakers: int) -> list[Utterance]:
    """Consecutive utterances covering ``duration_ms``, the speakers taking turns at random."""
    faker = Faker("en_US")
    faker.seed_instance(derive_seed(seed, f"transcript:{recording_id}"))
    rnd = faker.random
    lines: list[Utterance] = []
    start, speaker = 0, 0
    while start < duration_ms and len(lines) < _MOST_LINES:
        end = min(duration_ms, start + rnd.randrange(_SHORTEST_MS, _LONGEST_MS))
        words = max(2, (end - start) // 400)  # about two and a half words a second
        lines.append(Utterance(speaker, start, end, faker.sentence(nb_words=words, variable_nb_words=True)))
        if speakers > 1:
            speaker = (speaker + rnd.randrange(1, speakers)) % speakers
        start = end
    return lines
