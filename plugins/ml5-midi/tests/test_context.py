"""The musical context of a window (dims 24-63 of the emotion embedding) and harmony's context,
on MIDI files worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest
from ml5.music import CONTEXT_SCALARS, emotion_embedding, harmony_context, typical_context
from ml5_midi.context import musical_context, scalars
from ml5_midi.emotion import proxy_emotion, window_embedding_parts
from ml5_midi.piece import read_midi
from ml5_midi.testing import write_midi


def _piece(tmp_path, tracks, **kw):
    return read_midi(write_midi(tmp_path / "x.mid", tracks, **kw))


def test_a_held_c_major_triad_by_hand(tmp_path):
    # C4 E4 G4 at velocity 100 for the whole 4/4 bar at 120 quarter notes a minute (2 s)
    piece = _piece(tmp_path, [[(0, 4, 60, 100), (0, 4, 64, 100), (0, 4, 67, 100)]])
    values = scalars(piece, 0.0, 4.0)
    assert list(values) == list(CONTEXT_SCALARS)
    assert values["tempo"] == pytest.approx((120 - 100) / 60)
    assert values["density"] == pytest.approx((1 / 2 - 4) / 4)  # one onset in two seconds
    assert values["loudness"] == pytest.approx((100 - 64) / 40)
    assert values["mode"] > 0.2  # a major triad: closer to a major key profile than to any minor one
    assert values["register"] == pytest.approx(((60 + 64 + 67) / 3 - 60) / 24)
    assert values["lowest"] == pytest.approx((60 - 48) / 24) and values["highest"] == pytest.approx((67 - 72) / 24)
    assert values["syncopation"] == -1.0  # on the grid
    context = musical_context(piece, 0.0, 4.0)
    on = -np.ones(12)
    on[[0, 4, 7]] = 1.0
    assert context[8:20] == pytest.approx(on)  # C, E and G sound equally long
    assert context[20:32] == pytest.approx([1.0] + [-1.0] * 11)  # the bass is C on every 16th
    assert context[32:40] == pytest.approx([-1, -1, -1, 1, -1, -1, -1, -1])  # octave 4: MIDI 60-71


def test_syncopation_bass_line_and_octaves(tmp_path):
    # a bass A2 for two beats then F2, under eighths off the beat (0.5, 1.5, …) in octave 5
    bass = [(0, 2, 45, 80), (2, 2, 41, 80)]
    upper = [(0.5 + k, 0.5, 72 + (k % 2) * 4, 60) for k in range(4)]
    piece = _piece(tmp_path, [bass, upper])
    values = scalars(piece, 0.0, 4.0)
    assert values["syncopation"] == pytest.approx(-1.0)  # eighths off the beat are on the eighth grid
    sixteenths = _piece(tmp_path, [[(0.25 + k, 0.25, 72, 60) for k in range(4)]])
    assert scalars(sixteenths, 0.0, 4.0)["syncopation"] == 1.0  # every onset between eighths
    context = musical_context(piece, 0.0, 4.0)
    bass_profile = context[20:32]
    assert bass_profile[9] == 1.0 and bass_profile[5] == 1.0  # A and F: 8 sixteenths each
    assert np.delete(bass_profile, [5, 9]) == pytest.approx(-np.ones(10))
    octaves = context[32:40]
    # A2 and F2 (octave 3, index 1) sound 4 beats; C5 and E5 (octave 6, index 4) 2 beats
    assert octaves[1] == 1.0 and octaves[4] == pytest.approx(2 * 2 / 4 - 1)


def test_the_embedding_of_a_window_is_the_proxy_and_the_context(tmp_path):
    piece = _piece(tmp_path, [[(0, 1, 69, 50), (1, 1, 72, 50), (2, 1, 76, 50), (3, 1, 69, 50)]])
    va, context = window_embedding_parts(piece, 0.0, 4.0)
    assert va == pytest.approx(proxy_emotion(piece, 0.0, 4.0), abs=1e-6)
    embedding = emotion_embedding(va[0], va[1], context)
    assert embedding[24:] == pytest.approx(context) and embedding.shape == (64,)


def test_harmony_context_is_relative_to_the_loudest_band():
    power = np.zeros(64)
    power[:4] = [2.0, 0.2, 2e-3, 2e-6]  # 0, -10, -30 and -60 dB from the loudest
    values = harmony_context(power)
    assert values[:4] == pytest.approx([0.0, -1 / 3, -1.0, -1.0], abs=1e-6)
    assert harmony_context(power * 1000) == pytest.approx(values)  # the level does not matter
    assert (harmony_context(np.zeros(64)) == -1.0).all()  # silence


def test_the_typical_context_follows_valence_and_arousal():
    calm_minor, bright_major = typical_context(-0.8, -0.6), typical_context(0.8, 0.6)
    assert calm_minor[0] == pytest.approx(-0.6) and bright_major[0] == pytest.approx(0.6)  # tempo = arousal
    assert calm_minor[3] < -0.5 < 0.5 < bright_major[3]  # mode
    # the pitch-class profile: E (major third) above E-flat (minor third) for major, below for minor
    assert bright_major[8 + 4] > bright_major[8 + 3] and calm_minor[8 + 3] > calm_minor[8 + 4]
    assert typical_context(np.zeros(5), np.zeros(5)).shape == (5, 40)


def test_rendered_emotion_rows_only_where_something_sounds(tmp_path):
    scores = pytest.importorskip("ml5_audio.scores")
    from ml5_midi.examples import examples_of
    from ml5_midi.testing import drum_bar

    drums = _piece(tmp_path, [[note for bar in range(4) for note in drum_bar(bar)]], drums=[True])
    piano = read_midi(write_midi(tmp_path / "p.mid", [[(4.0 * b, 4, 60 + b, 80) for b in range(4)]]))
    settings = {"phrase_bars": 2, "audio": True}
    assert len(examples_of([drums], settings, rendering=scores.RENDERING)["emotion_va"]) == 0  # no drums played
    assert len(examples_of([piano], settings)["emotion_va"]) == 0  # no rendering, no audio
    rows = examples_of([piano], settings, rendering=scores.RENDERING)
    # 4 bars: EmotionRecognizer's phrases start at every bar (the last one bar long); the others' every 2 bars
    assert rows["emotion_features"].shape == (4, 128) and len(rows["emotion_va"]) == 4
    assert len(rows["melody_va"]) == 2
