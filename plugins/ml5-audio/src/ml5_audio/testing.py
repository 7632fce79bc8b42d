"""Real audio files for tests: tones and chords synthesised with numpy, written as WAV, FLAC or
MP3 by soundfile (libsndfile's own encoders: LAME for MP3)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

MAJOR, MINOR = (0, 4, 7), (0, 3, 7)


def tone(freq: float, seconds: float, rate: int = 22_050, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def chord_music(valence: float, arousal: float, seconds: float, rate: int = 22_050) -> np.ndarray:
    """Music whose emotion can be heard: a C major (valence > 0) or C minor triad, struck
    ``2 + 6·(arousal + 1)/2`` times a second at an amplitude that grows with arousal."""
    root = 261.63
    intervals = MAJOR if valence > 0 else MINOR
    strikes = 2.0 + 6.0 * (arousal + 1) / 2
    amplitude = 0.08 + 0.3 * (arousal + 1) / 2
    t = np.arange(int(seconds * rate)) / rate
    envelope = np.exp(-((t * strikes) % 1.0) * 4.0)  # each strike decays
    signal = sum(np.sin(2 * np.pi * root * 2 ** (i / 12) * t) for i in intervals) / len(intervals)
    return (amplitude * envelope * signal).astype(np.float32)


def write_audio(path: str | Path, samples: np.ndarray, rate: int = 22_050) -> Path:
    import soundfile

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fmt = {".mp3": "MP3", ".wav": "WAV", ".flac": "FLAC", ".ogg": "OGG"}[path.suffix.lower()]
    soundfile.write(str(path), samples, rate, format=fmt)
    return path
