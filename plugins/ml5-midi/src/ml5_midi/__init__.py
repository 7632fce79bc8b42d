"""ml5-midi: the symbolic-music library every MIDI and score data set of ml5 uses. Torch-free.

- ``piece``: a piece as arrays (notes, bars, tempo map, pedal), read from MIDI with symusic
- ``score``: the same from scores with music21 (MusicXML, kern, ABC …)
- ``targets``: each downstream model's target from a window of a piece (melody occupancy, the
  bar's chord in the 64-chord vocabulary, the 16 dynamics and 32 groove parameters)
- ``emotion``: the documented (valence, arousal) proxy for music without emotion labels
- ``bands``: harmony's low-mel-band context from the previous bar's notes
- ``format``: what a data set declares (its index, options, ``symbolic_format``), import-light
- ``settings``: what ``format`` and ``dataset`` share (the cache ``VERSION``, ``SETTINGS``, ``evenly_spaced``)
- ``rendering``: what EmotionRecognizer's rows need of an audio library, which a data set hands in
- ``examples``: the per-file work (cached); ``dataset``: from files to a model's ``ml5.Data``
"""

from typing import Any

__all__ = ["Piece", "read_midi"]


def __getattr__(name: str) -> Any:
    # numpy and symusic load when a piece is read, not when a data set plugin is listed
    if name in __all__:
        from ml5_midi import piece

        return getattr(piece, name)
    raise AttributeError(f"module 'ml5_midi' has no attribute {name!r}")
