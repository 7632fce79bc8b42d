"""Targets, the emotion proxy and the band projection on small pieces, against values worked
out by hand (the derivations are in the comments)."""

from __future__ import annotations

import numpy as np
import pytest
from ml5.music import (
    CHORD_VOCABULARY,
    DYNAMICS_PARAMETERS,
    GROOVE_PARAMETERS,
    HARMONY_CONTEXT_RANGE,
    embedding_emotion,
    emotion_embedding,
)
from ml5_midi import bands, targets
from ml5_midi.emotion import proxy_emotion
from ml5_midi.piece import read_midi
from ml5_midi.testing import drum_bar, write_midi


def _piece(tmp_path, tracks, **kw):
    return read_midi(write_midi(tmp_path / "x.mid", tracks, **kw))


@pytest.mark.parametrize(
    "pitches, chord",
    [
        # profile C 8 (the bass counts twice), E 4, G 4: cos with C:maj 16/(√3·√96) = 0.943, C:maj7 0.816
        ([60, 64, 67], "C:maj"),
        # A 8, C 4, E 4, G 4: A:min7 20/(2·√112) = 0.945 beats A:min 0.873 and C:maj 0.655
        ([45, 60, 64, 67], "A:min7"),
        # B 8, D 4, F 4: G:7 and D dim7 both 16/(2·√96) = 0.816; the earlier entry (G:7) wins
        ([59, 62, 65], "G:7"),
        # F# 8, A# 4, C# 4, E 4: F#:7 = 20/(2·√112)
        ([54, 58, 61, 64], "F#:7"),
        ([57, 60, 64], "A:min"),
    ],
)
def test_chord_of_a_bar(tmp_path, pitches, chord):
    piece = _piece(tmp_path, [[(0, 4, p, 80) for p in pitches]])
    assert CHORD_VOCABULARY[targets.bar_chord(piece, 0, 4)] == chord


def test_no_chord_in_an_empty_or_drum_bar(tmp_path):
    piece = _piece(tmp_path, [[(4, 4, 60, 80)], drum_bar(0)], drums=[False, True])
    assert CHORD_VOCABULARY[targets.bar_chord(piece, 0, 4)] == "N"


def test_melody_is_the_skyline(tmp_path):
    soprano = [(0, 1, 76, 80), (1, 1, 79, 80)]  # E5, G5
    alto_bass = [(0, 2, 72, 70), (0, 2, 48, 70), (1.5, 0.5, 62, 70)]  # C5, C3, and D4 under G5
    piece = _piece(tmp_path, [soprano, alto_bass])
    occupancy = targets.melody_occupancy(piece, 0, 4)
    assert np.flatnonzero(occupancy).tolist() == [76, 79]
    held = _piece(tmp_path, [[(0, 2, 81, 80)], [(1, 1, 77, 80), (1, 1, 60, 80)]])
    # at beat 1 the held A5 is above the new F5: the melody is still the A5
    assert np.flatnonzero(targets.melody_occupancy(held, 0, 4)).tolist() == [81]


def test_groove_parameters_of_one_bar(tmp_path):
    hits = [(0, 0, 36, 40), (1.05, 0, 38, 30)] + [(b, 0, 42, 20) for b in (0.5, 1.5, 2.5, 3.5)]
    piece = _piece(tmp_path, [hits], drums=[True], tpq=960)
    out = targets.groove_parameters(piece, 0.0)
    assert len(out) == len(GROOVE_PARAMETERS) == 32
    timing, velocity = out[:16], out[16:]
    # the snare at beat 1.05 is step 4, 0.05 beats = 0.2 of a 16th late; everything else on the grid
    expected_timing = np.zeros(16)
    expected_timing[4] = 0.2
    assert timing == pytest.approx(expected_timing, abs=1e-6)
    # step velocities 40 (step 0), 20 (2, 6, 10, 14), 30 (4), else 0: mean 150/16 = 9.375
    expected = np.full(16, -9.375 / 64)
    expected[0], expected[4] = (40 - 9.375) / 64, (30 - 9.375) / 64
    expected[[2, 6, 10, 14]] = (20 - 9.375) / 64
    assert velocity == pytest.approx(expected, abs=1e-6)


def test_dynamics_parameters_of_one_phrase(tmp_path):
    notes = [(0, 0.5, 60, 100), (1, 0.5, 60, 60), (2, 0.5, 60, 80), (3, 0.5, 60, 60)]
    piece = _piece(tmp_path, [notes], pedal=[(0, 2)])
    got = dict(zip(DYNAMICS_PARAMETERS, targets.dynamics_parameters(piece, 0.0, 4.0, np.array([0.0]))))
    expected = {
        "velocity_mean": 75 / 127,
        "velocity_std": np.sqrt(275) / 64,  # deviations 25, -15, 5, -15
        "velocity_min": 60 / 127,
        "velocity_max": 100 / 127,
        "accent_strength": 0.5,  # every onset is on a beat: no off-beat notes to compare
        "crescendo": 0.5 - 40 / 127,  # least-squares slope over positions 0, .25, .5, .75 is -40
        "articulation": 0.5,  # half a beat sounding of each beat to the next onset
        "sustain_pedal": 0.5,  # pedal down for 2 of 4 beats
        "timing_spread": 0.0,
        "rubato": 0.0,
        "phrase_arch": 0.5 + (80 - (100 + 60 + 60) / 3) / 64,  # middle third holds the 80
        "note_density": 4 / 4 / 8,
        "chord_spread": 0.0,
        "release_velocity": 75 / 127,  # every note is followed by a half-beat rest
        "attack_sharpness": 20 / 64,  # the one rise: 60 -> 80
        "dynamic_range": 40 / 127,
    }
    assert got == pytest.approx(expected, abs=1e-5)


def test_emotion_proxy_of_a_drum_groove(tmp_path):
    piece = _piece(tmp_path, [drum_bar(0)], drums=[True], tempos=[(0, 160)])
    valence, arousal = proxy_emotion(piece, 0.0, 4.0)
    # tempo term clip((160-100)/60) = 1; 8 distinct onsets in 1.5 s = 5.33/s -> (5.33-4)/4 = 1/3;
    # mean velocity (2·100 + 2·90 + 8·60)/12 = 71.67 -> (71.67-64)/40 = 0.1917; drums: valence = tempo
    assert valence == pytest.approx(1.0)
    assert arousal == pytest.approx((1 + 1 / 3 + (860 / 12 - 64) / 40) / 3)


def test_emotion_proxy_hears_major_and_minor(tmp_path):
    major = _piece(tmp_path, [[(0, 2, 60, 64), (0, 2, 64, 64), (0, 2, 67, 64), (2, 2, 65, 64), (2, 2, 69, 64),
                               (2, 2, 72, 64)]], tempos=[(0, 100)])
    minor = _piece(tmp_path, [[(0, 2, 57, 64), (0, 2, 60, 64), (0, 2, 64, 64), (2, 2, 56, 64), (2, 2, 62, 64),
                               (2, 2, 64, 64)]], tempos=[(0, 100)])
    # at 100 qpm the tempo term is 0, so valence is 0.7 × the mode alone
    assert proxy_emotion(major, 0, 4)[0] > 0.2
    assert proxy_emotion(minor, 0, 4)[0] < -0.2


def test_mel_scale_and_bands():
    # Slaney: 15 mels at 1 kHz; 11,025 Hz is 15 + 27·ln(11.025)/ln(6.4) = 49.911 mels
    assert bands.hz_to_mel(1000.0) == pytest.approx(15.0)
    assert bands.hz_to_mel(11025.0) == pytest.approx(49.911, abs=1e-3)
    assert bands.mel_to_hz(bands.hz_to_mel(440.0)) == pytest.approx(440.0)
    assert len(bands.EDGES) == 130 and bands.EDGES[0] == 0 and bands.EDGES[-1] == pytest.approx(11025)


def test_silence_and_a_pure_a4_in_the_bands(tmp_path):
    piece = _piece(tmp_path, [[(4, 4, 69, 127)]])
    assert bands.bar_bands(piece, 0, 4).tolist() == [-1.0] * 64  # silence: every band at the floor
    a4 = bands.bar_bands(piece, 4, 8)
    loudest = int(np.argmax(a4))
    assert a4[loudest] == 0.0 and a4.min() == -1.0  # relative to the loudest band, floored below it
    # the second harmonic (880 Hz) at a quarter of the fundamental's power: 6.02 dB less where the
    # two do not overlap
    response = bands.band_response(np.array([440.0, 880.0]))
    second = int(np.argmax(response[1]))
    assert response[0, second] < 1e-6 * response[1, second]
    assert a4[second] * HARMONY_CONTEXT_RANGE == pytest.approx(
        10 * np.log10(0.25 * response[1, second] / response[0, loudest]), abs=1e-3)
    # the loudest band is the one whose triangle spans 440 Hz, nearest its centre
    assert bands.EDGES[loudest] < 440 < bands.EDGES[loudest + 2]
    assert abs(bands.EDGES[loudest + 1] - 440) <= (bands.EDGES[loudest + 2] - bands.EDGES[loudest]) / 2
    octave_up = bands.bar_bands(_piece(tmp_path, [[(0, 4, 81, 127)]]), 0, 4)
    assert int(np.argmax(octave_up)) > loudest


def test_emotion_embedding_is_the_one_definition():
    emb = emotion_embedding(0.5, -0.5)
    assert emb.shape == (64,) and emb.dtype == np.float32
    assert emb[0] == pytest.approx(np.tanh(0.8 * 0.5)) and emb[11] == pytest.approx(np.tanh(2.0 * 0.5))
    assert emb[12] == pytest.approx(np.tanh(-0.8 * 0.5)) and emb[23] == pytest.approx(np.tanh(-2.0 * 0.5))
    assert embedding_emotion(emb) == pytest.approx((0.5, -0.5), abs=1e-5)
    context = np.linspace(-1, 1, 40)
    assert emotion_embedding(0.5, -0.5, context)[24:] == pytest.approx(context, abs=1e-6)


def test_equal_matches_go_to_the_chord_on_the_bass(tmp_path):
    # a lone A: every triad holding A matches 1/√3; the one rooted on the bass (A:maj) wins,
    # not the earliest in the vocabulary (D:maj)
    piece = _piece(tmp_path, [[(0, 4, 69, 80)]])
    assert CHORD_VOCABULARY[targets.bar_chord(piece, 0, 4)] == "A:maj"


def test_release_counts_only_notes_followed_by_silence(tmp_path):
    # a short C5 (velocity 110) over a C3 held to beat 2 (100), then silence until the F4 at beat 3 (60)
    piece = _piece(tmp_path, [[(0, 0.5, 72, 110)], [(0, 2, 48, 100), (3, 0.5, 65, 60)]])
    got = dict(zip(DYNAMICS_PARAMETERS, targets.dynamics_parameters(piece, 0.0, 4.0, np.array([0.0]))))
    # the C5 ends under the held C3: no release; the C3 is followed by a beat of silence; the F4 ends the phrase
    assert got["release_velocity"] == pytest.approx((100 + 60) / 2 / 127)


def test_a_step_owns_the_half_step_before_it(tmp_path):
    # onsets exactly between two steps all go the same way: to the later step, half a 16th early
    # (rounding halves to even would alternate between late and early)
    piece = _piece(tmp_path, [[(0.125 + 0.25 * k, 0, 42, 64) for k in range(4)]], drums=[True])
    timing = targets.groove_parameters(piece, 0.0)[:16]
    assert timing[:5].tolist() == [0.0, -0.5, -0.5, -0.5, -0.5]
    spread = dict(zip(DYNAMICS_PARAMETERS, targets.dynamics_parameters(piece, 0.0, 4.0, np.array([0.0]))))
    assert spread["timing_spread"] == 0.0  # a steady offset, not a spread
