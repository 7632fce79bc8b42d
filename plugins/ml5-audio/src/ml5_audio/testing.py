"""Real files for tests: tones and chords synthesised with numpy, written as WAV, FLAC or MP3 by
soundfile (libsndfile's own encoders: LAME for MP3), and the five models exported with random
weights for ``ml5 infer`` to run."""

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


#: the five models' export file stems, in the chain's order
STEMS = ("emotionrecognizer", "melodytransformer", "harmonypredictor", "dynamicsengine", "groovepredictor")


def random_exports(folder: Path) -> Path:
    """The five installed models with random weights (ml5.testing's ExporterContract helper),
    exported as RTNeural JSON into ``folder``: untrained, but real files every engine loads, with
    outputs that vary with the input. Needs the five model plugins and ml5-rtneural."""
    from ml5.testing import ExporterContract, _registry

    registry = _registry()
    exporter = registry.exporters["rtneural"].spec
    specs = {entry.spec.stem: entry.spec for entry in registry.models.values()}
    for stem in STEMS:
        exporter.export(ExporterContract()._trained(specs[stem], scale=0.3), {"model": specs[stem].title},
                        folder / f"{stem}.json")
    return folder
