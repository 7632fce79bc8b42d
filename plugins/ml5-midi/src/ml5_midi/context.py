"""The musical context of a window of notes: dims 24-63 of the emotion embedding
(``ml5.music``: its names and layout), computed from a ``Piece`` — a score or a performance —
by the rules below, identically for every data set and for ``ml5 infer`` on MIDI.

Scalars (dims 24-31), each clipped to -1..1:

- tempo: ``(qpm - 100) / 60`` with qpm the tempo map's mean over the window;
- density: ``(onsets per second - 4) / 4``, notes struck together counted once;
- loudness: ``(mean velocity - 64) / 40`` (-1 when the window has no onset);
- mode: ``tanh(4·(r_major - r_minor))``, r the best correlation of the window's pitch-class
  profile with the 12 rotations of each Krumhansl-Kessler profile (0 with fewer than
  ``MIN_PITCHED`` sounding notes: the mode is unknown);
- register: ``(mean sounding pitch, weighted by how long each note sounds in the window - 60) / 24``;
- lowest, highest: ``(lowest sounding pitch - 48) / 24`` and ``(highest - 72) / 24`` (0 with no
  sounding note);
- syncopation: ``2·(share of onsets more than a 32nd away from the eighth-note grid) - 1``.

Profiles, each as ``ml5.music.profile_values`` (the strongest bin 1, an absent one -1):

- pitch classes (dims 32-43): beats each pitch class sounds in the window, summed over voices;
- bass (dims 44-55): at every 16th step of the window, the pitch class of the lowest sounding
  note, counted;
- octaves (dims 56-63): beats the notes of each octave 1..8 (MIDI 24-35, …, 108-119) sound;
  lower notes count in octave 1, higher ones in 8.
"""

from __future__ import annotations

import numpy as np
from ml5.music import CONTEXT_SIZE, mode_score, profile_values

from ml5_midi.piece import Piece
from ml5_midi.targets import _in_window, _overlap

MIN_PITCHED = 3
EIGHTH = 0.5  # beats
TOLERANCE = 0.125  # a 32nd: onsets closer than this to the eighth grid are on it


def _clip(x: float) -> float:
    return float(np.clip(x, -1.0, 1.0))


def scalars(piece: Piece, begin: float, end: float) -> dict[str, float]:
    """The eight scalars of the window [begin, end), by name (``ml5.music.CONTEXT_SCALARS``)."""
    inside = _in_window(piece, begin, end)
    seconds = float(piece.seconds(end) - piece.seconds(begin))
    onsets = np.unique(np.round(piece.start[inside], 6))
    weight = _overlap(piece, begin, end)
    sounding = weight > 0
    pitch = piece.pitch.astype(np.float64)
    classes = np.bincount(piece.pitch % 12, weights=weight, minlength=12)[:12]
    grid = onsets / EIGHTH
    off_grid = np.abs(grid - np.rint(grid)) * EIGHTH > TOLERANCE
    return {
        "tempo": _clip((piece.mean_qpm(begin, end) - 100) / 60),
        "density": _clip((len(onsets) / seconds - 4) / 4) if seconds > 0 else 0.0,
        "loudness": _clip((piece.velocity[inside].mean() - 64) / 40) if inside.any() else -1.0,
        "mode": mode_score(classes) if int((inside & piece.sounding).sum()) >= MIN_PITCHED else 0.0,
        "register": _clip((np.average(pitch[sounding], weights=weight[sounding]) - 60) / 24) if sounding.any() else 0.0,
        "lowest": _clip((pitch[sounding].min() - 48) / 24) if sounding.any() else 0.0,
        "highest": _clip((pitch[sounding].max() - 72) / 24) if sounding.any() else 0.0,
        "syncopation": 2.0 * float(off_grid.mean()) - 1.0 if len(onsets) else -1.0,
    }


def bass_profile(piece: Piece, begin: float, end: float, step: float = 0.25) -> np.ndarray:
    """Per pitch class, how many 16th steps of [begin, end) have it as the lowest sounding note."""
    times = np.arange(begin, end - 1e-9, step)
    notes = np.flatnonzero(piece.sounding & (piece.end > begin) & (piece.start < end))
    counts = np.zeros(12)
    if not len(notes) or not len(times):
        return counts
    on = (piece.start[notes][None, :] <= times[:, None] + 1e-9) & (piece.end[notes][None, :] > times[:, None] + 1e-9)
    pitch = np.where(on, piece.pitch[notes][None, :], 999)
    lowest = pitch.min(axis=1)
    np.add.at(counts, lowest[lowest < 999] % 12, 1.0)
    return counts


def octave_profile(piece: Piece, begin: float, end: float) -> np.ndarray:
    weight = _overlap(piece, begin, end)
    octave = np.clip(piece.pitch // 12 - 2, 0, 7)
    return np.bincount(octave, weights=weight, minlength=8)[:8]


def musical_context(piece: Piece, begin: float, end: float) -> np.ndarray:
    """The 40 context values of the window [begin, end) (dims 24-63 of the embedding)."""
    weight = _overlap(piece, begin, end)
    classes = np.bincount(piece.pitch % 12, weights=weight, minlength=12)[:12]
    values = np.concatenate([
        list(scalars(piece, begin, end).values()),
        profile_values(classes),
        profile_values(bass_profile(piece, begin, end)),
        profile_values(octave_profile(piece, begin, end)),
    ])
    assert len(values) == CONTEXT_SIZE
    return values.astype(np.float32)
