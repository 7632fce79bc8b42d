"""The emotion proxy: (valence, arousal) of a stretch of music without emotion labels, from the
notes alone — deterministic, documented, never random — built on the musical context's scalars
(``ml5_midi.context``: tempo, density, loudness, mode):

valence = 0.7·mode + 0.3·tempo (fast and major sound happier); with fewer than
``MIN_PITCHED`` sounding pitched notes (drums) the mode is unknown and valence = tempo.
arousal = (tempo + density + loudness) / 3.

The four downstream models read ``ml5.music.emotion_embedding(valence, arousal, context)`` of
these and the window's musical context.
"""

from __future__ import annotations

import numpy as np

from ml5_midi.context import MIN_PITCHED, mode_score, musical_context, scalars
from ml5_midi.piece import Piece
from ml5_midi.targets import _in_window

__all__ = ["MIN_PITCHED", "mode_score", "proxy_emotion", "window_embedding_parts"]


def _proxy(values: dict[str, float], pitched: int) -> tuple[float, float]:
    valence = 0.7 * values["mode"] + 0.3 * values["tempo"] if pitched >= MIN_PITCHED else values["tempo"]
    return valence, (values["tempo"] + values["density"] + values["loudness"]) / 3


def proxy_emotion(piece: Piece, begin: float, end: float) -> tuple[float, float]:
    """(valence, arousal) in −1..1 of the window [begin, end) by the rules above."""
    pitched = int((_in_window(piece, begin, end) & piece.sounding).sum())
    return _proxy(scalars(piece, begin, end), pitched)


def window_embedding_parts(piece: Piece, begin: float, end: float) -> tuple[np.ndarray, np.ndarray]:
    """((valence, arousal), the 40 context values) of the window: the embedding's two parts."""
    context = musical_context(piece, begin, end)
    pitched = int((_in_window(piece, begin, end) & piece.sounding).sum())
    values = dict(zip(("tempo", "density", "loudness", "mode"), context[:4].astype(float)))
    return np.asarray(_proxy(values, pitched), np.float32), context
