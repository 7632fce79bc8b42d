"""Scores heard as a companion hears them (``ml5_audio.scores``): the variations a rendering
plays, drawn from the piece's notes, and the renderings the options ask for."""

from __future__ import annotations

import numpy as np
import pytest
from ml5_audio import scores

midi_testing = pytest.importorskip("ml5_midi.testing")
from ml5_midi.piece import read_midi  # noqa: E402


@pytest.fixture(scope="module")
def piece(tmp_path_factory):
    """Two tracks, 16 beats: a melody with accents (velocities 60 and 90) over a bass."""
    melody = [(b * 1.0, 1.0, (60, 62, 64, 65, 67, 69, 71, 72)[b % 8], 90 if b % 4 == 0 else 60) for b in range(16)]
    bass = [(4.0 * k, 4.0, (36, 43, 45, 41)[k], 70) for k in range(4)]
    return read_midi(midi_testing.write_midi(tmp_path_factory.mktemp("p") / "p.mid", [melody, bass]))


def test_a_variation_is_drawn_from_the_seed_and_keeps_the_beats(piece):
    assert scores.vary(piece, 5).pitch.tolist() == scores.vary(piece, 5).pitch.tolist()
    varied = [scores.vary(piece, seed) for seed in range(200)]
    as_written = [v for v in varied if v is piece]
    # about AS_WRITTEN_SHARE of the seeds play the score as written (binomial: 200 draws, p 0.2)
    assert 20 <= len(as_written) <= 60
    shifts, factors = set(), []
    for v in varied:
        assert (v.start == piece.start).all() and (v.end == piece.end).all() and (v.track == piece.track).all()
        shift = v.pitch - piece.pitch
        assert len(set(shift.tolist())) == 1  # every note moved by the same interval
        shifts.add(int(shift[0]))
        assert 21 <= v.pitch.min() and v.pitch.max() <= 108
        factors.append(float(v.tempo_qpm[0] / piece.tempo_qpm[0]))
        assert 1 <= v.velocity.min() and v.velocity.max() <= 127
    low, high = scores.TRANSPOSE
    assert shifts == set(range(low, high + 1))
    assert scores.TEMPO_FACTOR[0] - 1e-9 <= min(factors) and max(factors) <= scores.TEMPO_FACTOR[1] + 1e-9
    assert min(factors) < 0.85 and max(factors) > 1.2  # the range is used


def test_dynamics_move_in_levels_around_a_centre_and_keep_the_accents(piece):
    centres, moved = set(), False
    melody = piece.track == piece.track[np.argmax(piece.pitch)]
    plain_notes = melody & (piece.velocity == 60)
    for seed in range(50):
        v = scores.vary(piece, seed)
        if v is piece:
            continue
        # each plain melody note's level: its velocity less its accent (60 against the mean)
        level = v.velocity[plain_notes].astype(float) - (60 - piece.velocity.mean())
        spans = (piece.start[plain_notes] // scores.DYNAMICS_SPAN).astype(int)
        per_span = np.array([level[spans == k][0] for k in np.unique(spans)])
        unclipped = (per_span > 1) & (per_span < 126)
        assert np.isin(np.round(per_span[unclipped]), scores.DYNAMICS_LEVELS).all()
        # a walk of at most two levels a step
        steps = np.diff(per_span) / np.diff(scores.DYNAMICS_LEVELS)[0]
        assert (np.abs(steps) <= 2 + 1e-9).all()
        moved |= bool((steps != 0).any())
        # centred: the spans' mean level lies within half a level (rounding) and a level
        # (clipping at pp or ff) of one of DYNAMICS_CENTRES
        near = [c for c in scores.DYNAMICS_CENTRES if abs(per_span.mean() - c) <= 1.5 * 16]
        assert near, (seed, per_span)
        centres.add(min(near, key=lambda c: abs(per_span.mean() - c)))
        # within one DYNAMICS_SPAN the accents keep their distance (90 vs 60) unless clipped
        span = melody & (piece.start < scores.DYNAMICS_SPAN)
        accented, plain = span & (piece.velocity == 90), span & (piece.velocity == 60)
        if 30 < v.velocity[plain][0] and v.velocity[accented][0] < 127:
            assert v.velocity[accented][0] - v.velocity[plain][0] == 30
    assert moved and centres == set(scores.DYNAMICS_CENTRES)  # both centres drawn, the level moves


def test_hear_gives_a_played_piece_and_its_analysis_per_rendering(piece):
    heard = scores.RENDERING.hear(piece, {"renderings": 2})
    assert len(heard) == 2
    for played, analysis in heard:
        assert played.pitch.shape == piece.pitch.shape and analysis.duration > 0
        f = scores.RENDERING.window_features(analysis, np.array([2.0]), 2.0)
        assert f.shape == (1, 128) and np.isfinite(f).all()
    again = scores.RENDERING.hear(piece, {"renderings": 1})[0]
    assert again[0].pitch.tolist() == heard[0][0].pitch.tolist()  # the first rendering: the same draw
    assert np.allclose(again[1].semitones, heard[0][1].semitones)


def test_the_seed_is_made_of_the_notes(piece, tmp_path):
    same = read_midi(midi_testing.write_midi(tmp_path / "same.mid", [
        [(b * 1.0, 1.0, (60, 62, 64, 65, 67, 69, 71, 72)[b % 8], 90 if b % 4 == 0 else 60) for b in range(16)],
        [(4.0 * k, 4.0, (36, 43, 45, 41)[k], 70) for k in range(4)]]))
    other = read_midi(midi_testing.write_midi(tmp_path / "other.mid", [[(0.0, 1.0, 60, 80)]]))
    assert scores.piece_seed(same) == scores.piece_seed(piece) != scores.piece_seed(other)


@pytest.mark.parametrize(("options", "message"), [
    ({"renderings": 0}, "option renderings = 0: give a whole number of renderings per piece, 1 or more"),
    ({"renderings": True}, "option renderings = True"),
    ({"soundfonts": "piano.sf2"}, "option soundfonts = 'piano.sf2': give a list of .sf2 files"),
    ({"soundfonts": ["/no/such.sf2"]}, "SoundFont /no/such.sf2: cannot be read"),
])
def test_wrong_options_are_named(options, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        scores.RENDERING.settings(options)


def test_a_file_that_is_not_a_soundfont_is_named(tmp_path):
    wav = tmp_path / "piano.sf2"
    wav.write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt ")
    with pytest.raises(ValueError, match="piano.sf2: not a SoundFont 2 file"):
        scores.RENDERING.settings({"soundfonts": [str(wav)]})
