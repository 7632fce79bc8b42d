"""Scores heard as audio: notes rendered by ``ml5_audio.render`` and read as the features of
``ml5_audio.features``, so that EmotionRecognizer can learn from symbolic data sets.

``RENDERING`` is what a symbolic data set hands to ml5-midi's per-file work (``symbolic_format(...,
rendering=RENDERING)``; ml5-corpus does): it has the shape of ``ml5_midi.rendering.Rendering``
without importing ml5-midi, which depends on no audio library. Light to import (numpy and the
instrument load when a piece is rendered): data set plugins import it when plugins are listed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ScoreRendering:
    """A piece (``ml5_midi.piece.Piece``, or anything with its arrays) to audio features."""

    @property
    def settings(self) -> dict[str, Any]:
        """The feature settings, the instrument's and ml5-audio's version: part of every cache key."""
        from importlib import metadata

        from ml5_audio.features import SETTINGS
        from ml5_audio.render import ATTACK, GAIN, PARTIALS, RELEASE, ROLLOFF

        return {**SETTINGS, "partials": PARTIALS, "rolloff": ROLLOFF, "attack": ATTACK, "release": RELEASE,
                "gain": GAIN, "ml5-audio": metadata.version("ml5-audio")}

    def mel(self, piece: Any) -> Any:
        """The dB mel spectrogram of the piece rendered by the additive instrument."""
        from ml5_audio.features import mel_db
        from ml5_audio.render import render

        return mel_db(render(piece))

    def window_features(self, mel: Any, centres: Any, seconds: float) -> Any:
        from ml5_audio.features import window_features

        return window_features(mel, centres, seconds)

    def fit_standardisation(self, x: Any) -> dict[str, Any]:
        from ml5_audio.features import fit_standardisation

        return fit_standardisation(x)

    def standardise(self, x: Any, card: Mapping[str, Any]) -> Any:
        from ml5_audio.features import standardise

        return standardise(x, dict(card))


#: the one rendering of scores to audio features ml5 uses
RENDERING = ScoreRendering()
