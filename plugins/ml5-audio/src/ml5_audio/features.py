"""The one definition of the EmotionRecognizer's 128 inputs, from an audio file.

1. Decode with soundfile (WAV, FLAC, OGG, MP3), mix to mono (mean of the channels), resample to
   22,050 Hz with librosa (soxr).
2. 128-band mel power spectrogram: n_fft 2048, hop 512, Hann window, centred frames, Slaney mel
   scale from 0 to 11,025 Hz, Slaney-normalised filters (librosa's defaults).
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
    if rate != SAMPLE_RATE:
        import librosa

        mono = librosa.resample(mono, orig_sr=rate, target_sr=SAMPLE_RATE, res_type="soxr_hq")
    if not np.isfinite(mono).all():
        raise AudioError("non-finite samples")
    return mono.astype(np.float32)


def mel_power(samples: np.ndarray) -> np.ndarray:
    """(N_MELS, frames) mel power; frame k is centred at k·HOP samples."""
    import librosa

    return librosa.feature.melspectrogram(
        y=samples, sr=SAMPLE_RATE, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS, power=2.0
    )


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
