"""Scores heard as audio: notes played by sampled instruments (``ml5_audio.soundfont``) and
recorded (``ml5_audio.recording``), and by ml5's additive instrument (``ml5_audio.render``), then
read as the features of ``ml5_audio.features``, so that EmotionRecognizer learns from symbolic
data sets what real instruments in real rooms sound like.

``RENDERING`` is what a symbolic data set hands to ml5-midi's per-file work (``symbolic_format(...,
rendering=RENDERING)``; ml5-corpus does): it has the shape of ``ml5_midi.rendering.Rendering``
without importing ml5-midi, which depends on no audio library. Light to import (numpy and the
instruments load when a piece is rendered): data set plugins import it when plugins are listed.

Each piece is heard ``renderings`` times (a data set option), each time with General MIDI
programs drawn for its parts from the instrument families (``soundfont.draw_programs``; never the
held-out ``EVALUATION_PROGRAMS``), one of the ``soundfonts`` (default: pretty-midi's General MIDI
set) and a recording chain (``recording.Recording.draw``), all drawn from a seed made of the
piece's notes and the rendering's number: the same piece, the same sound, on every machine. One
rendering in ADDITIVE_SHARE plays ml5's additive instrument instead of the SoundFont: one timbre
among many, through a recording chain like the others.

One sampled rendering per piece is the default: rendering is most of the time of reading a
collection (midirenderer synthesises about 150 seconds of music a second on one core), and one
fits the default run's budget. ``renderings = 3`` hears every piece three ways.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any

#: the data set options a rendering reads, with their defaults (ml5-corpus offers them)
OPTIONS: dict[str, Any] = {"renderings": 1, "soundfonts": []}
#: the share of renderings that play ml5's additive instrument instead of a SoundFont
ADDITIVE_SHARE = 0.1


class ScoreRendering:
    """A piece (``ml5_midi.piece.Piece``, or anything with its arrays) to audio features."""

    options = OPTIONS

    def settings(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """The feature settings, the instruments, the recording chain's ranges and ml5-audio's
        version: part of every cache key."""
        from importlib import metadata

        from ml5_audio import recording, render, soundfont
        from ml5_audio.features import SETTINGS

        return {**SETTINGS, "renderings": self._renderings(options), "additive_share": ADDITIVE_SHARE,
                "additive_instrument": [render.PARTIALS, render.ROLLOFF, render.ATTACK, render.RELEASE, render.GAIN],
                "families": soundfont.FAMILIES, "held_out_programs": list(soundfont.EVALUATION_PROGRAMS),
                "recording": {name: getattr(recording, name) for name in recording.RANGES},
                "soundfont_files": [_file_digest(path) for path in self._soundfonts(options)],
                "ml5-audio": metadata.version("ml5-audio")}

    def _renderings(self, options: Mapping[str, Any]) -> int:
        renderings = options.get("renderings", OPTIONS["renderings"])
        if isinstance(renderings, bool) or not isinstance(renderings, int) or renderings < 1:
            raise ValueError(f"option renderings = {renderings!r}: give a whole number of renderings per piece, 1 or more")
        return renderings

    def _soundfonts(self, options: Mapping[str, Any]) -> list[str]:
        from pathlib import Path

        from ml5_audio.soundfont import check_soundfont, default_soundfont

        given = options.get("soundfonts", OPTIONS["soundfonts"])
        if isinstance(given, str) or not isinstance(given, (list, tuple)):
            raise ValueError(f"option soundfonts = {given!r}: give a list of .sf2 files, e.g. [\"piano.sf2\"]")
        paths = [str(Path(p).expanduser().resolve()) for p in given] or [str(default_soundfont())]
        for path in paths:
            check_soundfont(path)
        return paths

    def hear(self, piece: Any, options: Mapping[str, Any]) -> list[Any]:
        """The piece's analyses (``ml5_audio.features.analyse``), one per rendering."""
        import numpy as np

        from ml5_audio import render as additive
        from ml5_audio import soundfont
        from ml5_audio.features import SAMPLE_RATE, analyse
        from ml5_audio.recording import Recording

        fonts = self._soundfonts(options)
        seed = piece_seed(piece)
        tracks = len(np.unique(np.asarray(piece.track)))
        heard = []
        for k in range(self._renderings(options)):
            draw = seed + 7919 * k
            chain = Recording.draw(draw)
            if np.random.default_rng(draw).random() < ADDITIVE_SHARE:
                samples, rate = additive.render(piece, seed=draw), SAMPLE_RATE
            else:  # at the synthesiser's own rate: the chain resamples once, to its source rate
                programs = soundfont.draw_programs(tracks, draw)
                samples = soundfont.render(piece, programs, fonts[draw % len(fonts)], rate=soundfont.RENDER_RATE)
                rate = soundfont.RENDER_RATE
            heard.append(analyse(chain.apply(samples, rate, out_rate=SAMPLE_RATE)))
        return heard

    def window_features(self, analysis: Any, centres: Any, seconds: float) -> Any:
        from ml5_audio.features import window_features

        return window_features(analysis, centres, seconds)

    def fit_standardisation(self, x: Any) -> dict[str, Any]:
        from ml5_audio.features import fit_standardisation

        return fit_standardisation(x)

    def standardise(self, x: Any, card: Mapping[str, Any]) -> Any:
        from ml5_audio.features import standardise

        return standardise(x, dict(card))


def piece_seed(piece: Any) -> int:
    """A seed made of the piece's notes (pitches, onsets, tracks): the same piece gives the same
    seed on every machine and in every process."""
    import numpy as np

    digest = zlib.crc32(np.asarray(piece.pitch, np.int64).tobytes())
    digest = zlib.crc32(np.round(np.asarray(piece.start, np.float64), 6).tobytes(), digest)
    return zlib.crc32(np.asarray(piece.track, np.int64).tobytes(), digest)


def _file_digest(path: str) -> str:
    """A SoundFont named by its content (the cache follows a changed file, not a renamed one)."""
    import hashlib
    from pathlib import Path

    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


#: the one rendering of scores to audio features ml5 uses
RENDERING = ScoreRendering()
