import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    """Every test reads and writes its own feature cache, never the user's."""
    monkeypatch.setenv("ML5_CACHE_DIR", str(tmp_path / "ml5-cache"))


@pytest.fixture(scope="session")
def exports(tmp_path_factory):
    """The five installed models with random weights, as RTNeural JSON (ml5_audio.testing)."""
    pytest.importorskip("ml5_rtneural")
    from ml5_audio.testing import random_exports

    return random_exports(tmp_path_factory.mktemp("exports"))


@pytest.fixture(scope="session")
def files(tmp_path_factory):
    """A 6 s WAV (calm minor chords, then excited major ones) and an 8 s MIDI melody over a bass."""
    from ml5_audio.testing import chord_music, write_audio

    folder = tmp_path_factory.mktemp("songs")
    wav = write_audio(folder / "song.wav", np.concatenate([chord_music(-0.8, -0.6, 3.0), chord_music(0.9, 0.9, 3.0)]))
    midi_testing = pytest.importorskip("ml5_midi.testing")
    melody = [(b * 0.5, 0.5, (60, 64, 67, 72, 69, 65, 62, 59)[b % 8], 50 + 2 * b) for b in range(32)]
    bass = [(4.0 * k, 4.0, (48, 43, 45, 41)[k % 4], 80) for k in range(4)]
    midi = midi_testing.write_midi(folder / "song.mid", [melody, bass], tempos=[(0, 120)])
    return {"wav": wav, "midi": midi}
