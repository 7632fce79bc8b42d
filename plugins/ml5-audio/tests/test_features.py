"""The audio feature definition against physics worked out by hand: where a pure tone lands in
the semitone bands, chroma and octaves, which note is the bass, what a level change does (nothing
but the loudness relative to the file), onsets of strikes at a known rate, the loudness of a
crescendo, and
formats that decode alike; the mel spectrogram against librosa, whose defaults it computes with
numpy."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from ml5_audio import features as fx
from ml5_audio.testing import chord_music, tone, write_audio


def _features(path):
    return fx.song_features(fx.analyse(fx.load_audio(path)))


def _named(features):
    return dict(zip(fx.FEATURES, features.tolist()))


def test_a_tone_lands_in_its_semitone_band_chroma_and_octave(tmp_path):
    # A4 = 440 Hz is MIDI 69: band_69 is the loudest band (1.0), chroma A and octave 4 (MIDI
    # 60-71) the strongest bins, and the tone itself is the lowest peak: bass A
    f = _named(_features(write_audio(tmp_path / "a.wav", tone(440.0, 2.0))))
    bands = {p: f[f"band_{p}"] for p in fx.BAND_PITCHES}
    assert max(bands, key=bands.get) == 69 and bands[69] == pytest.approx(1.0)
    assert bands[71] < 0 and bands[67] < 0  # a whole tone away: far below the peak
    chroma = {name: f[f"chroma_{name}"] for name in ("C", "D", "E", "F", "G", "A", "B")}
    assert max(chroma, key=chroma.get) == "A" and chroma["A"] == 1.0
    assert f["bass_A"] == 1.0 and f["bass_C"] == -1.0
    assert f["octave_4"] == 1.0
    # a 60 dB range: a tone 1 octave up at -30 dB is half way from the floor to the top
    quiet_octave = tone(440.0, 2.0) + tone(880.0, 2.0, amplitude=0.5 * 10 ** (-30 / 20))
    g = _named(_features(write_audio(tmp_path / "b.wav", quiet_octave)))
    assert g["band_81"] == pytest.approx(0.0, abs=0.05) and g["bass_A"] == 1.0


def test_a_tones_harmonics_are_not_counted_as_notes():
    # one note A3 (220 Hz) with six partials of amplitude 1/k (power 1/k², less than the 1/k
    # salience takes out): the 3rd and 6th harmonics are E, the 5th C#; the chroma and octaves
    # hear one A
    t = np.arange(3 * fx.SAMPLE_RATE) / fx.SAMPLE_RATE
    rich = sum(np.sin(2 * np.pi * 220.0 * k * t) / k for k in range(1, 7)).astype(np.float32) * 0.2
    f = _named(fx.song_features(fx.analyse(rich)))
    assert f["chroma_A"] == 1.0 and f["chroma_E"] < -0.7 and f["chroma_C#"] < -0.7
    assert f["octave_3"] == 1.0 and f["octave_5"] < -0.7  # MIDI 57 is octave 3; its harmonics reach octave 5
    # the bands themselves keep every partial: the 3rd harmonic (E5, MIDI 76) is within 10 dB of the top
    assert f["band_76"] > 1.0 - 2 * 10.0 / fx.RANGE_DB


def test_a_note_counts_in_the_chroma_by_how_long_it_sounds_not_how_loudly():
    # C4 for the first half of the window, E4 30 dB softer for the second: the notes' pitch
    # classes count the two alike (beats sounded), and so does the chroma, but for the few pitch
    # frames (PITCH_FFT samples wide) that hold both, where the loud C is the loudest: E within
    # 0.75 of C (profile 2·0.75 − 1). By the window's mean power E would be 30 dB down (−0.94).
    half = 1.5
    loud, soft = tone(261.63, half, amplitude=0.4), tone(329.63, half, amplitude=0.4 * 10 ** (-30 / 20))
    f = _named(fx.song_features(fx.analyse(np.concatenate([loud, soft]))))
    assert f["chroma_C"] == 1.0 and f["chroma_E"] > 0.5 and f["chroma_G"] < -0.9
    # a pause's faint noise (its frames nearly 80 dB below, more than RANGE_DB) is not heard as
    # notes: counted, its flat frames would lift every pitch class near C's. (The note fades out:
    # a cut, like the file's abrupt start, spreads power into every band of the frames at it;
    # that start is why C#, B, C's neighbours, are left out below)
    fade = int(0.2 * fx.SAMPLE_RATE)
    loud[-fade:] *= np.cos(np.linspace(0.0, np.pi / 2, fade)).astype(np.float32) ** 2
    rng = np.random.default_rng(0)
    noise = (rng.standard_normal(int(half * fx.SAMPLE_RATE)) * 0.4 * 10 ** (-80 / 20)).astype(np.float32)
    g = _named(fx.song_features(fx.analyse(np.concatenate([loud, noise]))))
    assert g["chroma_C"] == 1.0 and max(g[f"chroma_{c}"] for c in fx.PITCH_CLASSES[2:-1]) < -0.9


@pytest.mark.parametrize("third", [4, 3], ids=["major", "minor"])
def test_the_key_is_heard_as_notes_give_it(third):
    # a triad of equal sines on C4 is heard major or minor, by the rule ml5-midi applies to notes
    # (ml5.music.mode_score, on the chroma's weights: profile values are 2·w/max − 1)
    midi_context = pytest.importorskip("ml5_midi.context")
    pitches = (60, 60 + third, 67)
    samples = sum(tone(440.0 * 2 ** ((p - 69) / 12), 3.0, amplitude=0.2) for p in pitches)
    features = fx.song_features(fx.analyse(samples))
    f = _named(features)
    assert f["mode"] == pytest.approx(midi_context.mode_score((features[fx.CHROMA] + 1) / 2), abs=1e-5)
    assert (f["mode"] > 0.1) if third == 4 else (f["mode"] < -0.5)
    assert 0.5 < f["key_clarity"] <= 1.0


def test_the_bass_is_the_lowest_note_not_the_loudest(tmp_path):
    # a soft C3 (MIDI 48) under a loud E4-G4: the bass profile says C, the chroma's strongest is E or G
    samples = tone(130.81, 3.0, amplitude=0.1) + tone(329.63, 3.0, amplitude=0.4) + tone(392.0, 3.0, amplitude=0.4)
    f = _named(_features(write_audio(tmp_path / "c.wav", samples)))
    assert f["bass_C"] == 1.0 and f["bass_E"] == -1.0 and f["bass_G"] == -1.0
    assert max(f["chroma_E"], f["chroma_G"]) == 1.0 > f["chroma_C"]
    assert f["lowest"] == pytest.approx((48 - 48) / 24, abs=1e-6)


def test_the_recording_level_changes_nothing(tmp_path):
    # 20 dB quieter (a tenth of the amplitude): every feature the same, loudness included, as
    # it is relative to the file's own level
    music = chord_music(0.5, 0.5, 4.0)
    loud = fx.song_features(fx.analyse(music))
    quiet = fx.song_features(fx.analyse(music * np.float32(0.1)))
    assert np.abs(loud - quiet).max() < 1e-4


def test_loudness_is_relative_to_the_rest_of_the_file(tmp_path):
    # a passage 12 dB below the rest reads -12/30 against the loud half (whose level is the file's)
    samples = np.concatenate([tone(440.0, 4.0, amplitude=0.4), tone(440.0, 4.0, amplitude=0.1)])
    analysis = fx.analyse(samples)
    w = fx.window_features(analysis, np.array([2.0, 6.0]), 3.0)
    loudness = fx.FEATURES.index("loudness")
    assert w[0, loudness] == pytest.approx(0.0, abs=0.01)
    assert w[1, loudness] == pytest.approx(-12.04 / 30, abs=0.01)
    # and what is played reads the same: a quieter passage of the same note (flatness and
    # brightness measure the spectrum above a floor set by the file's level, so they move too)
    same = [i for i, name in enumerate(fx.FEATURES)
            if not name.startswith("loudness") and name not in ("flatness", "brightness")]
    assert np.abs(w[0, same] - w[1, same]).max() < 1e-3


@pytest.mark.parametrize("per_second", [2.0, 4.0])
def test_onsets_of_strikes_at_a_known_rate(per_second):
    # a decaying note struck per_second times a second for 8 s: that many onsets a second (the
    # first strike at 0 counts) at the default threshold and the low ones; the highest threshold
    # (16 dB above the local mean) passes fewer
    rate = fx.SAMPLE_RATE
    t = np.arange(int(8 * rate)) / rate
    strikes = np.exp(-((t * per_second) % 1.0) * 6.0) * np.sin(2 * np.pi * 261.63 * t)
    f = _named(fx.song_features(fx.analyse(strikes.astype(np.float32))))
    assert f["onset_rate"] * 8 == pytest.approx(per_second, abs=0.3)
    for delta in (0.25, 1.0, 2.0):
        assert f[f"onset_rate_{delta:g}db"] * 8 == pytest.approx(per_second, abs=0.3)
    rates = [f[f"onset_rate_{delta:g}db"] for delta in fx.ONSET_DELTAS]
    assert rates == sorted(rates, reverse=True)  # a higher threshold never passes more
    # a held note: nothing after its start
    held = _named(fx.song_features(fx.analyse(tone(261.63, 8.0))))
    assert held["onset_rate_0.25db"] * 8 * 8 <= 1.01


def test_loudness_percentiles_of_a_crescendo():
    # 8 s rising 24 dB (3 dB a second): the median frame lies 12 dB under the loudest, the 10th
    # percentile about 21.6 dB; all relative to the file's level (its 95th percentile, 1.2 dB under the top)
    t = np.arange(8 * fx.SAMPLE_RATE) / fx.SAMPLE_RATE
    rising = (0.5 * 10 ** ((3.0 * t - 24.0) / 20) * np.sin(2 * np.pi * 440.0 * t)).astype(np.float32)
    f = _named(fx.song_features(fx.analyse(rising)))
    assert f["loudness_p50"] * 30 == pytest.approx(-12.0 + 1.2, abs=0.5)
    assert f["loudness_p10"] * 30 == pytest.approx(-21.6 + 1.2, abs=0.5)
    assert f["loudness_p0"] < f["loudness_p10"] < f["loudness_p25"] < f["loudness_p50"] < f["loudness_p75"] < f["loudness_p90"]


def test_sample_rates_and_formats_agree(tmp_path):
    music = chord_music(0.5, 0.8, 3.0)
    reference = _features(write_audio(tmp_path / "a.wav", music))
    resampled = _features(write_audio(tmp_path / "b.wav", chord_music(0.5, 0.8, 3.0, rate=44_100), rate=44_100))
    flac = _features(write_audio(tmp_path / "c.flac", music))
    mp3 = _features(write_audio(tmp_path / "d.mp3", music))
    assert np.abs(flac - reference).max() < 0.01  # lossless
    pitch = slice(0, fx.OCTAVES.stop)  # bands and profiles
    assert np.abs(resampled[pitch] - reference[pitch]).max() < 0.1
    assert np.abs(mp3[pitch] - reference[pitch]).max() < 0.25  # lossy
    assert int(np.argmax(mp3[fx.BANDS])) == int(np.argmax(reference[fx.BANDS]))


#: |numpy − librosa| of the mel power in dB, every frame and band (measured: 1.5e-5 dB, float32's
#: resolution at these levels) and of the resampled samples (measured: 0, the same soxr call)
LIBROSA_DB, LIBROSA_SAMPLES = 1e-3, 1e-6


def test_the_features_are_librosas(tmp_path):
    librosa = pytest.importorskip("librosa")
    import soundfile

    midi_testing = pytest.importorskip("ml5_midi.testing")
    from ml5_audio.render import render
    from ml5_audio.testing import chord_music
    from ml5_midi.piece import read_midi

    # music rendered by ml5's instrument (22,050 Hz WAV), and an MP3 at 44.1 kHz stereo (resampled)
    melody = [(b * 0.5, 0.5, (60, 64, 67, 72, 69, 65, 62, 59)[b % 8], 40 + 2 * b) for b in range(24)]
    bass = [(4.0 * k, 4.0, (36, 43, 45, 41)[k], 90) for k in range(3)]
    song = render(read_midi(midi_testing.write_midi(tmp_path / "song.mid", [melody, bass])))
    wav = write_audio(tmp_path / "song.wav", song)
    mono = chord_music(0.5, 0.8, 3.0, rate=44_100)
    mp3 = write_audio(tmp_path / "song.mp3", np.stack([mono, np.roll(mono, 300)], axis=1), rate=44_100)
    decoded, rate = soundfile.read(str(mp3), dtype="float32", always_2d=True)
    by_librosa = librosa.resample(decoded.mean(axis=1), orig_sr=rate, target_sr=fx.SAMPLE_RATE, res_type="soxr_hq")
    assert np.abs(fx.load_audio(mp3) - by_librosa).max() <= LIBROSA_SAMPLES

    # whole files and lengths around a frame (1 sample, under and over n_fft), silence included
    noise = np.random.default_rng(0).standard_normal(3000).astype(np.float32)
    for samples in (fx.load_audio(wav), fx.load_audio(mp3), noise[:1], noise[:2047], noise, np.zeros(900, np.float32)):
        ours = fx.power_db(fx.mel_power(samples))
        with warnings.catch_warnings():  # librosa warns that n_fft is longer than the short ones
            warnings.simplefilter("ignore", UserWarning)
            theirs = fx.power_db(librosa.feature.melspectrogram(y=samples, sr=fx.SAMPLE_RATE, n_fft=fx.N_FFT,
                                                                hop_length=fx.HOP, n_mels=fx.N_MELS, power=2.0))
        assert ours.shape == theirs.shape and np.abs(ours - theirs).max() <= LIBROSA_DB
    assert np.abs(fx.mel_filters() - librosa.filters.mel(sr=fx.SAMPLE_RATE, n_fft=fx.N_FFT, n_mels=fx.N_MELS)).max() < 1e-7


def test_stereo_is_mixed_to_mono(tmp_path):
    left = chord_music(-0.5, 0.0, 2.0)
    stereo = np.stack([left, np.zeros_like(left)], axis=1)
    f = _features(write_audio(tmp_path / "s.wav", stereo))
    mono = _features(write_audio(tmp_path / "m.wav", left * 0.5))
    assert np.abs(f - mono).max() < 0.01


@pytest.mark.parametrize("content", [b"", b"garbage that is not audio", b"ID3\x03\x00\x00\x00\x00\x00\x00"])
def test_unreadable_files_raise_a_reason(tmp_path, content):
    path = tmp_path / "bad.mp3"
    path.write_bytes(content)
    with pytest.raises(fx.AudioError):
        fx.load_audio(path)


def test_windows_and_standardisation():
    samples = np.concatenate([tone(261.63, 2.0), tone(392.0, 2.0)])  # C4, then G4
    w = fx.window_features(fx.analyse(samples), np.array([1.0, 3.0]), 1.0)
    first = fx.BAND_PITCHES.start
    assert int(np.argmax(w[0, fx.BANDS])) + first == 60 and int(np.argmax(w[1, fx.BANDS])) + first == 67  # each its half
    assert w.shape == (2, 128) and np.isfinite(w).all()
    card = fx.fit_standardisation(w)
    z = fx.standardise(w, card)
    # the std is floored: a feature (nearly) constant in training stays near 0, not blown up
    assert (np.asarray(card["std"]) >= fx.STD_FLOOR).all() and np.abs(z).max() < 1.0 / fx.STD_FLOOR + 1e-3
    moved = np.flatnonzero(np.asarray(card["std"]) > fx.STD_FLOOR)
    assert np.allclose(z[:, moved].mean(axis=0), 0, atol=1e-5) and len(moved) > 10


def test_silence_and_tiny_files_give_finite_features():
    for samples in (np.zeros(22_050, np.float32), np.zeros(1, np.float32), tone(440.0, 0.01)):
        f = fx.song_features(fx.analyse(samples))
        assert f.shape == (128,) and np.isfinite(f).all()
    silent = _named(fx.song_features(fx.analyse(np.zeros(22_050, np.float32))))
    assert silent["band_60"] == -1.0 and silent["chroma_C"] == -1.0 and silent["onset_rate"] == 0.0


def test_infer_usage_errors(tmp_path):
    from ml5.testing import run_cli

    song = write_audio(tmp_path / "a.wav", tone(440.0, 1.0))
    none = run_cli("infer", str(song), cwd=tmp_path)
    assert none.returncode == 2 and "no models folder: give --models DIR" in none.stderr
    missing = run_cli("infer", str(tmp_path / "nope.mp3"), "--models", str(tmp_path))
    assert missing.returncode == 1 and "nope.mp3: no such file" in missing.stderr
