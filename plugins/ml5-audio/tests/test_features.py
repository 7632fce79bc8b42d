"""The audio feature definition against physics worked out by hand: where a pure tone's energy
lands on the Slaney mel scale, how a halved amplitude reads in dB, and formats that decode alike;
and against librosa, whose defaults it computes with numpy."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from ml5_audio import features as fx
from ml5_audio.testing import tone, write_audio


def _features(path):
    return fx.song_features(fx.mel_db(fx.load_audio(path)))


def _audible(reference):
    """Bands within 40 dB of the loudest: below that, 16-bit quantisation noise decides."""
    return reference > reference.max() - 40


def test_a_1khz_tone_lands_in_band_38(tmp_path):
    # Slaney: 1 kHz is 15 mels; 11,025 Hz is 15 + 27·ln(11.025)/ln(6.4) = 49.911 mels; the 130
    # band edges are equally spaced in mels, band b centred at (b + 1)·49.911/129 mels, so the
    # centre nearest 15 mels is b + 1 = round(38.77) = 39: band 38.
    f = _features(write_audio(tmp_path / "a.wav", tone(1000.0, 2.0)))
    assert int(np.argmax(f)) == 38


def test_half_the_amplitude_is_6_db_less(tmp_path):
    loud = _features(write_audio(tmp_path / "loud.wav", tone(1000.0, 2.0, amplitude=0.5)))
    soft = _features(write_audio(tmp_path / "soft.wav", tone(1000.0, 2.0, amplitude=0.25)))
    assert loud[38] - soft[38] == pytest.approx(20 * np.log10(2), abs=0.01)  # 6.02 dB


def test_sample_rates_and_formats_agree(tmp_path):
    reference = _features(write_audio(tmp_path / "a.wav", tone(440.0, 3.0)))
    resampled = _features(write_audio(tmp_path / "b.wav", tone(440.0, 3.0, rate=44_100), rate=44_100))
    flac = _features(write_audio(tmp_path / "c.flac", tone(440.0, 3.0)))
    mp3 = _features(write_audio(tmp_path / "d.mp3", tone(440.0, 3.0)))
    peak, audible = int(np.argmax(reference)), _audible(reference)
    assert np.abs(flac - reference)[audible].max() < 0.01  # lossless
    assert abs(resampled[peak] - reference[peak]) < 0.2
    assert int(np.argmax(mp3)) == peak and abs(mp3[peak] - reference[peak]) < 1.0  # lossy, same band


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
    left = tone(1000.0, 1.0)
    stereo = np.stack([left, np.zeros_like(left)], axis=1)
    f = _features(write_audio(tmp_path / "s.wav", stereo))
    mono = _features(write_audio(tmp_path / "m.wav", left * 0.5))
    assert np.abs(f - mono)[_audible(mono)].max() < 0.01


@pytest.mark.parametrize("content", [b"", b"garbage that is not audio", b"ID3\x03\x00\x00\x00\x00\x00\x00"])
def test_unreadable_files_raise_a_reason(tmp_path, content):
    path = tmp_path / "bad.mp3"
    path.write_bytes(content)
    with pytest.raises(fx.AudioError):
        fx.load_audio(path)


def test_windows_and_standardisation(tmp_path):
    samples = np.concatenate([tone(1000.0, 2.0, amplitude=0.5), tone(1000.0, 2.0, amplitude=0.25)])
    mel = fx.mel_db(samples)
    w = fx.window_features(mel, np.array([1.0, 3.0]), 1.0)
    assert w[0, 38] - w[1, 38] == pytest.approx(6.02, abs=0.05)  # the windows see the two halves
    card = fx.fit_standardisation(w)
    z = fx.standardise(w, card)
    assert np.allclose(z.mean(axis=0), 0, atol=1e-5) and z[0, 38] == pytest.approx(1.0, abs=1e-4)


def test_infer_usage_errors(tmp_path):
    from ml5.testing import run_cli

    song = write_audio(tmp_path / "a.wav", tone(440.0, 1.0))
    none = run_cli("infer", str(song), cwd=tmp_path)
    assert none.returncode == 2 and "no models folder: give --models DIR" in none.stderr
    missing = run_cli("infer", str(tmp_path / "nope.mp3"), "--models", str(tmp_path))
    assert missing.returncode == 1 and "nope.mp3: no such file" in missing.stderr
