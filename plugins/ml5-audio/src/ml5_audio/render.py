"""A plain additive instrument: notes (a ``ml5_midi`` Piece, or anything with the same arrays) to
audio at the feature definition's sample rate — the one way ml5 turns a score into sound, so that
a model that reads audio features can learn from scores (the corpus's EmotionRecognizer rows) and
tests can check that audio and notes give the same inputs.

Each sounding pitched note is a sum of ``PARTIALS`` partials k·f0 (f0 = 440·2^((p − 69)/12),
partials above 11,025 Hz left out) of amplitude ``GAIN``·(velocity/127)/k^``ROLLOFF`` and a
phase drawn from ``seed`` (deterministic), under a linear ``ATTACK`` rise and a ``RELEASE`` fade
after the note's end; drums are skipped. No normalisation: louder notes give louder audio, as
velocity is part of what the features measure. Times come from the piece's tempo map.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ml5_audio.features import SAMPLE_RATE

PARTIALS, ROLLOFF = 6, 1.3
ATTACK, RELEASE = 0.010, 0.050  # seconds
GAIN = 0.25  # four voices at full velocity stay within -1..1


def render(piece: Any, seed: int = 0) -> np.ndarray:
    """Mono float32 samples at SAMPLE_RATE of the piece's sounding notes (see the module)."""
    rng = np.random.default_rng(seed)
    notes = np.flatnonzero(piece.sounding)
    if not len(notes):
        return np.zeros(1, np.float32)
    onsets, offsets = piece.seconds(piece.start[notes]), piece.seconds(piece.end[notes])
    out = np.zeros(int((offsets.max() + RELEASE) * SAMPLE_RATE) + 2)
    attack, release = int(ATTACK * SAMPLE_RATE), int(RELEASE * SAMPLE_RATE)
    fade = np.linspace(1.0, 0.0, release, endpoint=False)
    for i, on, off in zip(notes, onsets, offsets):
        first, held = int(round(on * SAMPLE_RATE)), max(int(round((off - on) * SAMPLE_RATE)), 1)
        t = np.arange(held + release) / SAMPLE_RATE
        envelope = np.ones(held + release)
        rise = min(attack, held)
        envelope[:rise] = np.arange(rise) / rise
        envelope[held:] = fade
        f0 = 440.0 * 2.0 ** ((float(piece.pitch[i]) - 69) / 12)
        partials = [k for k in range(1, PARTIALS + 1) if k * f0 < SAMPLE_RATE / 2]
        phases = rng.uniform(0, 2 * np.pi, len(partials))
        # each partial's phase in cycles, wrapped to 0..1 in float64, so the sine can be taken
        # in float32 (the output's precision) at twice the speed
        cycles = np.outer(np.asarray(partials) * f0, t)
        cycles += (phases / (2 * np.pi))[:, None]
        cycles -= np.floor(cycles)
        tone = np.asarray(partials, np.float32) ** -ROLLOFF @ np.sin((2 * np.pi) * cycles.astype(np.float32))
        out[first:first + len(t)] += GAIN * piece.velocity[i] / 127.0 * envelope * tone
    return out.astype(np.float32)
