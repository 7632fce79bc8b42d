"""What the per-file work needs to give EmotionRecognizer rows from notes: the notes rendered to
audio and that audio's features, by an audio library that a data set hands in (``symbolic_format``'s
``rendering``; ml5-audio's is ``ml5_audio.scores.RENDERING``). ml5-midi renders nothing and
imports no audio library: the dependency goes from ml5-audio (``ml5 infer`` reads MIDI) to
ml5-midi, one way.

A ``Rendering`` is pickled into the worker processes of the per-file work: a module-level
object of a module-level class.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ml5_midi.piece import Piece


class Rendering(Protocol):
    """Notes to audio features, for EmotionRecognizer's rows."""

    #: the data set options it reads, with their defaults (how many renderings, which
    #: instruments …); a data set that renders offers them beside its own
    options: Mapping[str, Any]

    def settings(self, options: Mapping[str, Any]) -> Mapping[str, Any]:
        """Everything that shapes the features of a rendered piece under ``options`` (instruments,
        feature settings, versions): part of the per-file work's cache key. Raises ValueError
        naming the option when one is wrong."""
        ...

    def hear(self, piece: Piece, options: Mapping[str, Any]) -> list[tuple[Piece, Any]]:
        """The piece rendered to audio, once per rendering ``options`` ask for: for each, the
        piece as it was played (the same notes, or a variation of them — transposed, at another
        tempo, with other dynamics — on the same beats and bars, from which EmotionRecognizer's
        targets are then computed) and the analysis of its audio, which ``window_features``
        reads."""
        ...

    def window_features(self, analysis: Any, centres: Any, seconds: float) -> Any:
        """(len(centres), 128) raw features of the windows of ``seconds`` centred at ``centres``
        (seconds) of one rendering's ``analysis``."""
        ...

    def harmony_context(self, analysis: Any, begin: float, end: float) -> Any:
        """Harmony's context (``ml5.music.harmony_context``, 64 values) measured on one
        rendering's audio between ``begin`` and ``end`` seconds."""
        ...

    def fit_standardisation(self, x: Any) -> dict[str, Any]:
        """The model card's ``input_standardisation`` fitted on the training rows ``x``."""
        ...

    def standardise(self, x: Any, card: Mapping[str, Any]) -> Any:
        """``x`` standardised as ``card`` (an ``input_standardisation``) says."""
        ...
