"""The emotion proxy: (valence, arousal) of a stretch of music without emotion labels, from the
notes alone — deterministic, documented, never random.

- mode: the window's duration-weighted pitch-class profile is correlated with the 24
  Krumhansl–Kessler key profiles (Krumhansl 1990); ``mode = tanh(4·(r_major − r_minor))`` where
  r is the best correlation over the 12 keys of each mode (+1 clearly major, −1 clearly minor).
- tempo: ``clip((qpm − 100) / 60, −1, 1)`` from the tempo map over the window.
- density: ``clip((onsets per second − 4) / 4, −1, 1)``, notes struck together counted once.
- loudness: ``clip((mean velocity − 64) / 40, −1, 1)``.

valence = 0.7·mode + 0.3·tempo (fast and major sound happier); with fewer than
``MIN_PITCHED`` sounding pitched notes (drums) the mode is unknown and valence = tempo.
arousal = (tempo + density + loudness) / 3.

The four downstream models read ``ml5.music.emotion_embedding(valence, arousal)`` of these.
"""

from __future__ import annotations

import numpy as np

from ml5_midi.piece import Piece
from ml5_midi.targets import _in_window, pitch_class_profile

#: Krumhansl–Kessler probe-tone ratings, C major and C minor
MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
MIN_PITCHED = 3


def _best_correlation(profile: np.ndarray, key_profile: np.ndarray) -> float:
    rotations = np.stack([np.roll(key_profile, k) for k in range(12)])
    p = profile - profile.mean()
    r = rotations - rotations.mean(axis=1, keepdims=True)
    denominator = np.linalg.norm(r, axis=1) * np.linalg.norm(p)
    return float(np.max(r @ p / denominator)) if np.linalg.norm(p) > 0 else 0.0


def mode_score(profile: np.ndarray) -> float:
    """+1 major … −1 minor, from a 12-bin pitch-class profile."""
    return float(np.tanh(4 * (_best_correlation(profile, MAJOR_PROFILE) - _best_correlation(profile, MINOR_PROFILE))))


def proxy_emotion(piece: Piece, begin: float, end: float) -> tuple[float, float]:
    """(valence, arousal) in −1..1 of the window [begin, end) by the rules above."""
    inside = _in_window(piece, begin, end)
    seconds = float(piece.seconds(end) - piece.seconds(begin))
    tempo = float(np.clip((piece.mean_qpm(begin, end) - 100) / 60, -1, 1))
    onsets = np.unique(np.round(piece.start[inside], 6))
    density = float(np.clip((len(onsets) / seconds - 4) / 4, -1, 1)) if seconds > 0 else 0.0
    loudness = float(np.clip((piece.velocity[inside].mean() - 64) / 40, -1, 1)) if inside.any() else -1.0
    pitched = int((inside & piece.sounding).sum())
    if pitched >= MIN_PITCHED:
        valence = 0.7 * mode_score(pitch_class_profile(piece, begin, end, bass_weight=1.0)) + 0.3 * tempo
    else:
        valence = tempo
    return valence, (tempo + density + loudness) / 3
