"""``ml5rt-cli infer FILE --models DIR --window 4 --json`` (the C++ front end, decoder and
processor) against ``ml5 infer`` on the same files: the same rows, every model's outputs within
1e-4 and valence/arousal within 1e-3 (the bounds of tests/test_native_audio.py); for MP3, whose
two decoders (libsndfile's mpg123 in Python, miniaudio's dr_mp3 in C++) are not bit-identical,
the difference of the decoded samples is measured and the outputs bounded by it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ml5_native = pytest.importorskip("ml5_native")
fx = pytest.importorskip("ml5_audio.features")

CLI = shutil.which("ml5rt-cli", path=str(Path(sys.executable).parent)) or shutil.which("ml5rt-cli")
pytestmark = pytest.mark.skipif(CLI is None, reason="ml5rt-cli is not installed (pip install ./native)")


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """The five models with random weights, their cards given the input_standardisation a
    trained export carries (fitted on rows of music like the files'), so both front ends
    standardise."""
    from ml5_audio.testing import chord_music, random_exports

    folder = random_exports(tmp_path_factory.mktemp("exports"))
    rows = [fx.window_features(fx.analyse(chord_music(v, a, 8.0)), np.array([2.0, 6.0]), 4.0)
            for v in (-0.8, 0.1, 0.9) for a in (-0.5, 0.6)]
    card = fx.fit_standardisation(np.concatenate(rows))
    _add_card(folder / "emotionrecognizer.json", card)
    context = np.stack([fx.harmony_context(fx.analyse(chord_music(v, 0.0, 4.0)).context_power, 2.0, 4.0)
                        for v in (-0.9, -0.3, 0.4, 0.9)])
    mean = np.concatenate([np.zeros(64), context.mean(axis=0)])
    std = np.concatenate([np.ones(64), np.maximum(context.std(axis=0), 0.05)])
    _add_card(folder / "harmonypredictor.json", {"mean": mean.tolist(), "std": std.tolist()})
    return folder


def _add_card(path: Path, standardisation: dict) -> None:
    doc = json.loads(path.read_text())
    doc.setdefault("model_card", {})["input_standardisation"] = standardisation
    path.write_text(json.dumps(doc))


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A rendered piece (the SoundFont on drawn programs) written as WAV at 22.05 and 96 kHz
    mono, 44.1 kHz stereo, FLAC at 48 kHz stereo, and MP3 at 44.1 kHz."""
    import soundfile
    from ml5_audio.soundfont import draw_programs, render
    from ml5_midi.score import piece_from_score
    from music21 import corpus

    folder = tmp_path_factory.mktemp("files")
    piece = piece_from_score(corpus.parse("bach/bwv66.6"))
    tracks = len(set(piece.track.tolist()))
    out = {}
    for name, rate, channels, fmt in (("a.wav", 22_050, 1, "WAV"), ("b.wav", 44_100, 2, "WAV"),
                                      ("c.flac", 48_000, 2, "FLAC"), ("d.wav", 96_000, 1, "WAV"),
                                      ("e.mp3", 44_100, 1, "MP3")):
        parts = [render(piece, draw_programs(tracks, seed=c), rate=rate)[: int(10.5 * rate)] for c in range(channels)]
        samples = np.stack(parts, axis=1) * 0.8
        soundfile.write(folder / name, samples, rate, format=fmt)
        out[name] = folder / name
    return out


def cli_rows(path: Path, models: Path, window: float = 4.0) -> list[dict]:
    result = subprocess.run([CLI, "infer", str(path), "--models", str(models), "--window", str(window), "--json"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["rows"]


def python_rows(path: Path, models: Path, window: float = 4.0) -> list[dict]:
    result = subprocess.run([sys.executable, "-m", "ml5", "infer", str(path), "--models", str(models), "--window",
                             str(window), "--json"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["rows"]


def largest_differences(ours: list[dict], theirs: list[dict]) -> tuple[float, float]:
    assert [(r["start"], r["end"]) for r in ours] == [(r["start"], r["end"]) for r in theirs]
    outputs = max(float(np.abs(np.subtract(a["outputs"][m], b["outputs"][m])).max())
                  for a, b in zip(ours, theirs) for m in b["outputs"])
    va = max(max(abs(a["valence"] - b["valence"]), abs(a["arousal"] - b["arousal"])) for a, b in zip(ours, theirs))
    assert all("note" not in r for r in ours + theirs)  # both standardised with the card
    return outputs, va


@pytest.mark.parametrize("name", ["a.wav", "b.wav", "c.flac", "d.wav"])
def test_the_same_rows_as_ml5_infer(files, exports, name):
    ours, theirs = cli_rows(files[name], exports), python_rows(files[name], exports)
    assert len(ours) == 2  # whole 4 s windows of 10.5 s
    outputs, va = largest_differences(ours, theirs)
    print(f"{name}: largest output difference {outputs:.3g}, valence/arousal {va:.3g}")
    assert outputs <= 1e-4 and va <= 1e-3


def test_mp3_decoders_and_their_bound(files, exports):
    """MP3: both decoders meet ISO/IEC 11172-4's full accuracy (each sample within 2^-14 of the
    reference decoder's), so they differ by at most 2·2^-14 a sample. The rows then differ by
    what that difference of the samples makes (measured: the C++ front end on each decoding)
    plus what the two front ends differ by on the same samples (the WAV bound, 1e-4)."""
    import soundfile

    path = files["e.mp3"]
    theirs_samples, rate = soundfile.read(path, dtype="float32", always_2d=True)
    ours_samples, our_rate = ml5_native.decode_audio(str(path))
    assert our_rate == rate and ours_samples.shape == theirs_samples.shape
    decoders = float(np.abs(ours_samples - theirs_samples).max())
    assert decoders <= 2 * 2.0 ** -14, decoders
    # what the decoders' difference alone makes of the rows, through the same (C++) chain
    from ml5_audio.infer import Engines

    engines = Engines(exports, "native")
    card = engines.emotion_standardisation
    rows = [ml5_native.analyse_audio(s, rate, 4.0, 4096, card["mean"], card["std"]) for s in (ours_samples, theirs_samples)]
    chains = [engines.chain_rows(r["input"], r["context"]) for r in rows]  # harmony standardises its context
    decoder_share = max(float(np.abs(np.subtract(a[m], b[m])).max()) for a, b in zip(*chains) for m in a)
    ours, theirs = cli_rows(path, exports), python_rows(path, exports)
    outputs, va = largest_differences(ours, theirs)
    print(f"e.mp3: decoders differ by {decoders:.3g} a sample (bound {2 * 2.0 ** -14:.3g}); that alone moves an "
          f"output by {decoder_share:.3g}; ml5rt-cli against ml5 infer: {outputs:.3g}, valence/arousal {va:.3g}")
    assert outputs <= decoder_share + 1e-4


def test_the_text_timeline_names_the_top_chords(files, exports):
    from ml5.music import CHORD_VOCABULARY

    result = subprocess.run([CLI, "infer", str(files["b.wav"]), "--models", str(exports), "--window", "4"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    theirs = python_rows(files["b.wav"], exports)
    assert len(lines) == len(theirs)
    for line, row in zip(lines, theirs):
        assert f"chord {CHORD_VOCABULARY[int(np.argmax(row['outputs']['harmony']))]}" in line, line
        assert f"valence {row['valence']:+.2f}" in line


def test_bad_files_and_old_exports_are_refused_by_name(files, exports, tmp_path):
    text = tmp_path / "notes.wav"
    text.write_text("not audio")
    result = subprocess.run([CLI, "infer", str(text), "--models", str(exports)], capture_output=True, text=True)
    assert result.returncode == 1 and "notes.wav: not a decodable audio file" in result.stderr
    old = tmp_path / "old"
    shutil.copytree(exports, old)
    doc = json.loads((old / "emotionrecognizer.json").read_text())
    doc["model_card"]["input_standardisation"]["features"] = {"definition": 1}
    (old / "emotionrecognizer.json").write_text(json.dumps(doc))
    result = subprocess.run([CLI, "infer", str(files["a.wav"]), "--models", str(old)], capture_output=True, text=True)
    assert result.returncode == 1 and f"another definition (1; this front end computes definition {fx.SETTINGS['definition']})" in result.stderr
    result = subprocess.run([CLI, "infer", str(files["a.wav"]), "--models", str(exports), "--window", "x"],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "--window x" in result.stderr


def test_flac_and_wav_decode_to_the_same_samples_in_both_languages(files):
    """Lossless files: miniaudio (C++) and libsndfile (Python) give the same float samples
    (integer PCM over 2^(bits−1)), so the C++ rows' only differences are the front ends'."""
    import soundfile

    for name in ("a.wav", "b.wav", "c.flac", "d.wav"):
        theirs, rate = soundfile.read(files[name], dtype="float32", always_2d=True)
        ours, our_rate = ml5_native.decode_audio(str(files[name]))
        assert our_rate == rate and ours.shape == theirs.shape, name
        assert np.array_equal(ours, theirs), (name, float(np.abs(ours - theirs).max()))
