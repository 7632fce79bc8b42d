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

A player does not play a score as written every time, and a listener hears the difference: each
rendering but one in AS_WRITTEN_SHARE plays a variation (``vary``) — transposed by up to half an
octave, at another tempo, with dynamics that move between pp and ff every DYNAMICS_SPAN beats
around mf or f — and EmotionRecognizer's targets are the embedding of the notes as
played, so what the features hear (key, pace, loudness relative to the piece) and what the targets
say agree. (Scores of the corpus carry few tempo and dynamics marks: without this, tempo, loudness
and key would barely move in training.)

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
#: the share of renderings that play ml5's additive instrument instead of a SoundFont (a tenth of
#: the time of a SoundFont's). Half: beside 0.3, the held-out arousal r from sampled
#: instruments (benchmarks/real_audio.py) rose on each of three seeds, and reading the Bach
#: collection takes about a tenth less time (81 of its 410 pieces switch); 0.7 lost arousal again
ADDITIVE_SHARE = 0.5
#: the share of renderings that play the score as written; the others play a variation of it
AS_WRITTEN_SHARE = 0.2
#: a variation: transposed by a whole number of semitones in this range (kept within the
#: piano's MIDI 21-108), its tempo times a factor drawn log-uniformly in this range (narrow: a
#: 4-second window says little about the tempo, and a model made to guess it window by window
#: adds noise to valence and arousal within a piece), and its velocities moved to a level of
#: DYNAMICS_LEVELS per DYNAMICS_SPAN beats (a random walk of at most two levels a step), keeping
#: each note's accent relative to the score's mean velocity
TRANSPOSE = (-6, 5)
TEMPO_FACTOR = (0.8, 1.25)
DYNAMICS_LEVELS = (36, 52, 68, 84, 100, 116)
DYNAMICS_SPAN = 8.0
#: the walk is centred: shifted so that its mean level over the piece is one of these (mf or f),
#: drawn per variation (before the clip to pp..ff, which a long piece's walk reaches more often).
#: Audio tells a passage's level relative to the rest of the piece; a whole piece's level it can
#: only guess from an instrument's timbre. With the walk's start drawn from all six levels, most of
#: the targets' loudness differences lay between pieces, the model learnt to guess them from
#: timbre, and the guess moved window by window with the register and the instrument
#: (docs/training.md gives what centring changed, measured)
DYNAMICS_CENTRES = (68, 84)


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
                "variations": [AS_WRITTEN_SHARE, TRANSPOSE, TEMPO_FACTOR, DYNAMICS_LEVELS, DYNAMICS_SPAN,
                               DYNAMICS_CENTRES],
                "families": soundfont.FAMILIES, "held_out_programs": list(soundfont.EVALUATION_PROGRAMS),
                "recording": {name: getattr(recording, name) for name in recording.RANGES},
                "soundfont_files": [_checked_digest(path) for path in self._soundfonts(options)],
                "ml5-audio": metadata.version("ml5-audio")}

    def _renderings(self, options: Mapping[str, Any]) -> int:
        renderings = options.get("renderings", OPTIONS["renderings"])
        if isinstance(renderings, bool) or not isinstance(renderings, int) or renderings < 1:
            raise ValueError(f"option renderings = {renderings!r}: give a whole number of renderings per piece, 1 or more")
        return renderings

    def _soundfonts(self, options: Mapping[str, Any]) -> list[str]:
        """The SoundFont paths ``options`` name (default: ``soundfont.default_soundfont()``);
        ``settings`` checks each file once, ``hear`` only reads them."""
        from pathlib import Path

        from ml5_audio.soundfont import default_soundfont

        given = options.get("soundfonts", OPTIONS["soundfonts"])
        if isinstance(given, str) or not isinstance(given, (list, tuple)):
            raise ValueError(f"option soundfonts = {given!r}: give a list of .sf2 files, e.g. [\"piano.sf2\"]")
        return [str(Path(p).expanduser().resolve()) for p in given] or [str(default_soundfont())]

    def hear(self, piece: Any, options: Mapping[str, Any]) -> list[tuple[Any, Any]]:
        """One (the piece as played, the analysis of its audio) per rendering: ``vary``'s
        variation, played and recorded (``ml5_audio.features.analyse``)."""
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
            played = vary(piece, draw)
            chain = Recording.draw(draw)
            if np.random.default_rng(draw).random() < ADDITIVE_SHARE:
                samples, rate = additive.render(played, seed=draw), SAMPLE_RATE
            else:  # at the synthesiser's own rate: the chain resamples once, to its source rate
                programs = soundfont.draw_programs(tracks, draw)
                samples = soundfont.render(played, programs, fonts[draw % len(fonts)], rate=soundfont.RENDER_RATE)
                rate = soundfont.RENDER_RATE
            heard.append((played, analyse(chain.apply(samples, rate, out_rate=SAMPLE_RATE))))
        return heard

    def window_features(self, analysis: Any, centres: Any, seconds: float) -> Any:
        from ml5_audio.features import window_features

        return window_features(analysis, centres, seconds)

    def harmony_context(self, analysis: Any, begin: float, end: float) -> Any:
        from ml5_audio.features import harmony_context

        return harmony_context(analysis.context_power, begin, end)

    def fit_standardisation(self, x: Any) -> dict[str, Any]:
        from ml5_audio.features import fit_standardisation

        return fit_standardisation(x)

    def standardise(self, x: Any, card: Mapping[str, Any]) -> Any:
        from ml5_audio.features import standardise

        return standardise(x, dict(card))


def vary(piece: Any, seed: int) -> Any:
    """The piece as one rendering plays it (see the module): the score as written in
    AS_WRITTEN_SHARE of the seeds, else transposed, at another tempo and with dynamics that move
    around one of DYNAMICS_CENTRES.
    The same beats, bars and tracks: only pitches, velocities and the tempo map change. A piece
    is an attrs class (``ml5_midi.piece.Piece``): the variation is a copy of it."""
    import attrs
    import numpy as np

    rng = np.random.default_rng([seed, 1])
    if rng.random() < AS_WRITTEN_SHARE:
        return piece
    pitch = np.asarray(piece.pitch, np.int64)
    pitched = ~np.asarray(piece.drum, bool)
    shift = int(rng.integers(TRANSPOSE[0], TRANSPOSE[1] + 1))
    if pitched.any():  # within the piano's range
        shift = int(np.clip(shift, 21 - pitch[pitched].min(), 108 - pitch[pitched].max()))
    factor = float(np.exp(rng.uniform(np.log(TEMPO_FACTOR[0]), np.log(TEMPO_FACTOR[1]))))
    start = np.asarray(piece.start, np.float64)
    spans = int(start.max() // DYNAMICS_SPAN) + 1 if len(start) else 1
    steps = rng.integers(-2, 3, spans)
    walk = np.cumsum(steps) - steps[0]
    centre = DYNAMICS_LEVELS.index(DYNAMICS_CENTRES[int(rng.integers(len(DYNAMICS_CENTRES)))])
    level = np.clip(walk - int(np.round(walk.mean())) + centre, 0, len(DYNAMICS_LEVELS) - 1)
    velocity = np.asarray(piece.velocity, np.float64)
    accent = velocity - (velocity.mean() if len(velocity) else 0.0)
    played = np.asarray(DYNAMICS_LEVELS)[level[(start // DYNAMICS_SPAN).astype(np.int64)]] + accent
    return attrs.evolve(
        piece, pitch=np.where(pitched, pitch + shift, pitch).astype(np.asarray(piece.pitch).dtype),
        velocity=np.clip(np.rint(played), 1, 127).astype(np.asarray(piece.velocity).dtype),
        tempo_qpm=np.asarray(piece.tempo_qpm, np.float64) * factor)


def piece_seed(piece: Any) -> int:
    """A seed made of the piece's notes (pitches, onsets, tracks): the same piece gives the same
    seed on every machine and in every process."""
    import numpy as np

    digest = zlib.crc32(np.asarray(piece.pitch, np.int64).tobytes())
    digest = zlib.crc32(np.round(np.asarray(piece.start, np.float64), 6).tobytes(), digest)
    return zlib.crc32(np.asarray(piece.track, np.int64).tobytes(), digest)


def _checked_digest(path: str) -> str:
    """A SoundFont named by its content (the cache follows a changed file, not a renamed one);
    ValueError naming it unless it is a SoundFont 2 file."""
    import hashlib
    from pathlib import Path

    from ml5_audio.soundfont import check_soundfont

    check_soundfont(path)
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


#: the one rendering of scores to audio features ml5 uses
RENDERING = ScoreRendering()
