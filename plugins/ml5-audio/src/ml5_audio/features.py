"""The one definition of the EmotionRecognizer's 128 inputs, from an audio file.

1. Decode with soundfile (WAV, FLAC, OGG, MP3), mix to mono (mean of the channels), resample to
   22,050 Hz with soxr (high quality; what ``librosa.resample(res_type="soxr_hq")`` runs).
2. 128-band mel power spectrogram: n_fft 2048, hop 512, periodic Hann window, centred frames
   (zero-padded), Slaney mel scale from 0 to 11,025 Hz, Slaney-normalised filters — the defaults
   of ``librosa.feature.melspectrogram``, computed here with numpy: importing librosa's feature
   code costs seconds (numba, scipy.signal), far more than a file's features. The tests check
   this against librosa itself on real audio.
3. Power in dB re 1.0: ``10·log10(max(power, 1e-10))`` — absolute, no top-dB clipping, so a
   quieter recording gives lower values (loudness is part of arousal).
4. The time-mean of each band over the whole file (``song_features``) or over a window
   (``window_features``): the raw features.
5. Standardised per band: ``(raw − mean) / std`` with the mean and std of the training data. They
   are fitted once by the data set, applied to every row, and written into the export's model
   card as ``input_standardisation`` — a host (``ml5 infer``, the C++ plugin) applies the same
   two vectors to its raw features before the model.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import numpy as np

SAMPLE_RATE = 22_050
N_FFT = 2048
HOP = 512
N_MELS = 128
AMIN = 1e-10
#: the settings that shape a feature; every cache key holds them
SETTINGS = {"sample_rate": SAMPLE_RATE, "n_fft": N_FFT, "hop": HOP, "n_mels": N_MELS, "db_ref": 1.0, "amin": AMIN}


class AudioError(ValueError):
    """A file that cannot be decoded; the message says why."""


def load_audio(path: str | Path) -> np.ndarray:
    """Mono float32 samples at SAMPLE_RATE."""
    import soundfile

    try:
        samples, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except MemoryError:
        raise
    except Exception as exc:  # libsndfile's errors: unknown format, truncated data …
        raise AudioError(f"not a decodable audio file (libsndfile: {exc})") from None
    if samples.size == 0:
        raise AudioError("no audio samples")
    mono = samples.mean(axis=1)
    if not np.isfinite(mono).all():
        raise AudioError("non-finite samples")
    return resample(mono, rate).astype(np.float32)


def resample(samples: np.ndarray, rate: int) -> np.ndarray:
    """``samples`` at ``rate`` Hz resampled to SAMPLE_RATE with soxr's high quality, trimmed or
    zero-padded to ceil(n · SAMPLE_RATE / rate) samples (as ``librosa.resample`` does)."""
    if rate == SAMPLE_RATE:
        return samples
    import soxr

    size = int(np.ceil(len(samples) * SAMPLE_RATE / rate))
    out = soxr.resample(samples, rate, SAMPLE_RATE, quality="HQ")[:size]
    return np.pad(out, (0, size - len(out)))


@functools.lru_cache(maxsize=1)
def mel_filters() -> np.ndarray:
    """(N_MELS, N_FFT/2 + 1) weights of the mel bands on the FFT bins: triangles between
    N_MELS + 2 edges equally spaced on the Slaney mel scale from 0 to SAMPLE_RATE/2, each scaled
    by 2 / its width in Hz (Slaney's norm), as ``librosa.filters.mel`` builds them. Read-only."""
    bins = np.fft.rfftfreq(N_FFT, 1.0 / SAMPLE_RATE)
    edges = _mel_to_hz(np.linspace(0.0, _hz_to_mel(SAMPLE_RATE / 2), N_MELS + 2))
    width = np.diff(edges)
    ramps = edges[:, None] - bins[None, :]
    rising = -ramps[:N_MELS] / width[:N_MELS, None]
    falling = ramps[2:] / width[1:, None]
    weights = np.maximum(0.0, np.minimum(rising, falling)) * (2.0 / (edges[2:] - edges[:N_MELS]))[:, None]
    weights.flags.writeable = False
    return weights


#: Slaney's mel scale: 3 mels per 200 Hz up to 1 kHz (15 mels), then logarithmic, 27 mels per factor 6.4
_LINEAR_HZ, _LINEAR_MELS, _LOG_STEP = 1000.0, 15.0, np.log(6.4) / 27.0


def _hz_to_mel(hz: float) -> float:
    if hz < _LINEAR_HZ:
        return 3.0 * hz / 200.0
    return _LINEAR_MELS + float(np.log(hz / _LINEAR_HZ)) / _LOG_STEP


def _mel_to_hz(mels: np.ndarray) -> np.ndarray:
    return np.where(mels < _LINEAR_MELS, 200.0 * mels / 3.0,
                    _LINEAR_HZ * np.exp(_LOG_STEP * (mels - _LINEAR_MELS)))


#: frames transformed at once: bounds the memory of a long file (8 MB a block), large enough
#: that each block's matrix product is worth BLAS's start-up
_BLOCK = 512


def mel_power(samples: np.ndarray) -> np.ndarray:
    """(N_MELS, frames) mel power; frame k is centred at k·HOP samples (the signal zero-padded by
    N_FFT/2 at both ends, so there are 1 + len(samples) // HOP frames)."""
    padded = np.pad(np.asarray(samples, np.float32), N_FFT // 2)
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP]
    window = 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(N_FFT) / N_FFT)  # periodic Hann
    to_mels = mel_filters().T
    out = np.empty((len(frames), N_MELS), np.float32)
    for start in range(0, len(frames), _BLOCK):
        spectrum = np.fft.rfft(frames[start:start + _BLOCK] * window, axis=1)
        out[start:start + _BLOCK] = np.abs(spectrum) ** 2 @ to_mels
    return np.ascontiguousarray(out.T)


def power_db(power: np.ndarray) -> np.ndarray:
    """Mel power in dB re 1.0, floored at AMIN."""
    return (10.0 * np.log10(np.maximum(power, AMIN))).astype(np.float32)


def mel_db(samples: np.ndarray) -> np.ndarray:
    """(N_MELS, frames) mel power in dB re 1.0; frame k is centred at k·HOP samples."""
    return power_db(mel_power(samples))


#: from audio, the "bar before" of a window is its last two seconds (a 4/4 bar at 120 quarter notes
#: a minute): audio has no bar grid, and harmony learnt from one bar of context
CONTEXT_SECONDS = 2.0


def harmony_context(power: np.ndarray, begin: float, end: float) -> np.ndarray:
    """The harmony model's context (``ml5.music.harmony_context``) of the audio between ``begin``
    and ``end`` seconds: the power of the 64 lowest mel bands averaged over the frames centred
    in that span (at least the nearest frame), relative to the loudest of them. Power below
    AMIN is silence, as in the features."""
    from ml5.music import HARMONY_CONTEXT_BANDS
    from ml5.music import harmony_context as relative

    times = frame_times(power.shape[1])
    inside = (times >= begin) & (times < end)
    if not inside.any():
        inside = np.arange(len(times)) == np.argmin(np.abs(times - (begin + end) / 2))
    band = power[:HARMONY_CONTEXT_BANDS, inside].mean(axis=1)
    return relative(np.where(band > AMIN, band, 0.0))


def frame_times(frames: int) -> np.ndarray:
    return np.arange(frames) * HOP / SAMPLE_RATE


def song_features(mel: np.ndarray) -> np.ndarray:
    """The raw 128 features of a whole file: each band's time-mean."""
    return mel.mean(axis=1).astype(np.float32)


def window_features(mel: np.ndarray, centres: np.ndarray, width: float) -> np.ndarray:
    """(len(centres), 128) raw features: each band's mean over frames centred within ±width/2
    seconds of each centre (at least the nearest frame)."""
    times = frame_times(mel.shape[1])
    out = np.empty((len(centres), mel.shape[0]), np.float32)
    for i, centre in enumerate(centres):
        inside = np.abs(times - centre) <= width / 2
        if not inside.any():
            inside = np.arange(len(times)) == np.argmin(np.abs(times - centre))
        out[i] = mel[:, inside].mean(axis=1)
    return out


def fit_standardisation(raw: np.ndarray) -> dict[str, Any]:
    """Per-band mean and std of training rows (std floored at 1e-6), as the model card holds them."""
    mean = raw.mean(axis=0)
    std = np.maximum(raw.std(axis=0), 1e-6)
    return {
        "mean": [float(v) for v in mean],
        "std": [float(v) for v in std],
        "rule": "input = (raw feature - mean) / std, per band; raw features as defined by ml5-audio",
        "features": dict(SETTINGS),
    }


def standardise(raw: np.ndarray, card: dict[str, Any]) -> np.ndarray:
    mean, std = np.asarray(card["mean"], np.float32), np.asarray(card["std"], np.float32)
    return ((np.asarray(raw, np.float32) - mean) / std).astype(np.float32)


def file_features(path: str, settings: dict) -> dict[str, np.ndarray]:
    """Per-file work for audio data sets (runs in worker processes): the whole file's raw
    features and those of windows centred every ``step`` seconds from ``first`` (annotation
    times), each ``window`` seconds wide."""
    from ml5.filework import SkipFile

    try:
        samples = load_audio(path)
    except AudioError as exc:
        raise SkipFile(str(exc)) from None
    mel = mel_db(samples)
    duration = len(samples) / SAMPLE_RATE
    first, step, width = float(settings["first"]), float(settings["step"]), float(settings["window"])
    centres = np.arange(first, duration - width / 2 + 1e-9, step) if duration - width / 2 >= first else np.zeros(0)
    return {
        "song": song_features(mel),
        "window_times": centres.astype(np.float64),
        "windows": window_features(mel, centres, width),
        "duration": np.asarray([duration]),
    }
