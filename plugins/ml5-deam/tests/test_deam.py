"""DEAM on a small copy of the real layout: audio synthesised with audible emotion (major or minor,
slow and soft or fast and loud) written as WAV and MP3, the static CSVs with their leading-space
headers and the second file's extra columns, ragged per-second CSVs, a labelled song without
audio, and an unreadable MP3."""

from __future__ import annotations

import json
from pathlib import Path

import ml5
import numpy as np
import pytest
from ml5.music import emotion_embedding
from ml5.testing import open_dataset, run_cli
from ml5_audio import features
from ml5_audio.testing import chord_music, write_audio
from ml5_deam import DYNAMIC, STATIC

SECONDS = 16.6  # annotations start at 15 s: windows centred at 15.0, 15.5 and 16.0


def song_emotions(n: int = 36) -> dict[int, tuple[float, float]]:
    rng = np.random.default_rng(7)
    ids = [*range(2, 2 + n - 4), *range(2001, 2005)]  # the last four in the second static file
    return {song: (float(v), float(a)) for song, (v, a) in zip(ids, rng.uniform(-0.8, 0.8, (n, 2)))}


def make_deam(root: Path, n: int = 36) -> Path:
    emotions = song_emotions(n)
    for i, (song, (v, a)) in enumerate(emotions.items()):
        write_audio(root / "MEMD_audio" / f"{song}{'.mp3' if i % 3 == 0 else '.wav'}", chord_music(v, a, SECONDS))
    (root / "MEMD_audio" / "998.mp3").write_bytes(b"ID3\x03\x00\x00\x00\x00\x00\x00not an mp3 frame at all")
    first = ["song_id, valence_mean, valence_std, arousal_mean, arousal_std"]
    second = ["song_id, valence_mean, valence_std, valence_max_mean, valence_max_std, valence_min_mean, "
              "valence_min_std, arousal_mean, arousal_std, arousal_max_mean, arousal_max_std, arousal_min_mean, arousal_min_std"]
    for song, (v, a) in emotions.items():
        vm, am = 5 + 4 * v, 5 + 4 * a  # the 1-9 scale
        if song < 2000:
            first.append(f"{song},{vm:.4f},1.2,{am:.4f},0.9")
        else:
            second.append(f"{song},{vm:.4f},1.2,7,1,3,1,{am:.4f},0.9,7,1,3,1")
    first += ["999,5.0,1.0,5.0,1.0", "998,4.0,1.0,6.0,1.0"]  # 999 has no audio; 998's audio is unreadable
    static = [root / p for p in STATIC]
    static[0].parent.mkdir(parents=True)
    static[0].write_text("\n".join(first) + "\n")
    static[1].write_text("\n".join(second) + "\n")
    times = ["sample_15000ms", "sample_15500ms", "sample_16000ms", "sample_16500ms"]
    (root / DYNAMIC).mkdir(parents=True)
    for dim, k in (("valence", 0), ("arousal", 1)):
        rows = ["song_id," + ",".join(times)]
        for i, (song, va) in enumerate(emotions.items()):
            values = [f"{va[k] + d:.3f}" for d in (0.0, 0.02, 0.04, 0.06)]
            if i % 4 == 1:  # ragged: this song was annotated for less time
                values = values[:2] + ["", ""]
            rows.append(f"{song}," + ",".join(values))
        (root / DYNAMIC / f"{dim}.csv").write_text("\n".join(rows) + "\n")
    return root


@pytest.fixture(scope="module")
def deam(tmp_path_factory):
    return make_deam(tmp_path_factory.mktemp("deam"))


def _open(path, **options):
    return open_dataset("deam", "emotion", path, workers=1, **options)


def test_static_labels_scaled_and_skips_named(deam):
    data = _open(deam)
    assert len(data.inputs) == 36 and data.inputs.shape[1] == 128
    skipped = {s["file"]: s["reason"] for s in data.stats["skipped"]}
    assert skipped["song 999"] == "labelled but MEMD_audio/999.mp3 is missing"
    # valence and arousal only: the musical context of the songs is unknown (NaN), not made up
    assert np.isnan(data.targets[:, 24:]).all() and np.isfinite(data.targets[:, :24]).all()
    assert "not a decodable audio file" in skipped["MEMD_audio/998.mp3"]
    # songs in id order (2, 3, …): song 2's valence_mean 5 + 4v maps back to v
    v, a = song_emotions()[2]
    assert data.targets[0][:24] == pytest.approx(emotion_embedding(v, a)[:24], abs=1e-3)
    v, a = song_emotions()[2004]  # from the second file, past its extra columns
    assert data.targets[-1][:24] == pytest.approx(emotion_embedding(v, a)[:24], abs=1e-3)


def test_inputs_are_standardised_with_statistics_in_the_card(deam):
    data = _open(deam)
    card = data.card["input_standardisation"]
    assert len(card["mean"]) == len(card["std"]) == 128 and card["features"] == features.SETTINGS
    train = data.inputs[data.split == "train"]
    assert np.abs(train.mean(axis=0)).max() < 1e-4
    # std 1 where the training rows vary; below 1 where they barely do (their std floored)
    varies = np.asarray(card["std"]) > features.STD_FLOOR
    assert varies.sum() >= 20 and np.abs(train.std(axis=0)[varies] - 1).max() < 1e-3
    assert (train.std(axis=0)[~varies] <= 1 + 1e-3).all()
    assert set(data.split) == {"train", "validation"}


def test_dynamic_labels_one_row_per_annotated_window(deam):
    data = _open(deam, labels="dynamic")
    # windows at 15.0, 15.5, 16.0 (16.5 s is past the end); ragged rows have two annotations
    ragged = sum(1 for i in range(36) if i % 4 == 1)
    assert len(data.inputs) == 3 * (36 - ragged) + 2 * ragged
    v, a = song_emotions()[2]
    assert data.targets[1][:24] == pytest.approx(emotion_embedding(v + 0.02, a + 0.02)[:24], abs=1e-3)


def test_second_read_comes_from_the_cache_and_settings_invalidate(tmp_path):
    root = make_deam(tmp_path / "d", n=8)
    first = _open(root)
    assert first.stats["computed"] == 9 and first.stats["from_cache"] == 0  # 8 songs + the bad mp3
    second = _open(root)
    assert second.stats["from_cache"] == 9 and second.stats["computed"] == 0
    assert np.array_equal(first.inputs, second.inputs)
    wav = next((root / "MEMD_audio").glob("*.wav"))
    write_audio(wav, chord_music(0.5, 0.5, SECONDS))  # a changed file
    assert _open(root).stats["computed"] == 1
    assert _open(root, window=2.0).stats["computed"] == 9  # a changed feature setting


def test_wrong_layout_and_bad_options(tmp_path):
    (tmp_path / "MEMD_audio").mkdir()
    problems = ml5_problems(tmp_path)
    assert len(problems) == 1 and "is not a DEAM folder: missing" in problems[0] and "static_annotations" in problems[0]
    with pytest.raises(ml5.DataError, match="labels = 'dynamical'"):
        _open(tmp_path, labels="dynamical")


def ml5_problems(path):
    from ml5_deam import FORMAT

    return FORMAT.validate(path)


def test_run_beats_the_mean_and_infer_reads_the_audio(deam, tmp_path):
    pytest.importorskip("ml5_trainer")
    config = tmp_path / "ml5.toml"
    # emotion on DEAM; the four downstream models briefly on the synthetic set, so that `ml5 infer`
    # has a whole chain of networks to run
    others = "".join(f"[models.{m}]\ndataset = \"synthetic\"\n[models.{m}.options]\nsamples = 256\n[models.{m}.train]\nepochs = 2\n"
                     for m in ("melody", "harmony", "dynamics", "groove"))
    config.write_text(f'[train]\nepochs = 40\nbatch_size = 8\npatience = 10\n[models.emotion]\ndataset = "deam"\npath = "{deam}"\n'
                      "[models.emotion.options]\nlabels = \"dynamic\"\n" + others)
    pytest.importorskip("ml5_melody")
    run = run_cli("run", "--config", str(config), "--out", str(tmp_path / "run"))
    assert run.returncode == 0, run.stderr[-2000:]
    emotion = next(m for m in json.loads((tmp_path / "run" / "report.json").read_text())["models"] if m["model"] == "emotion")
    task = emotion["task"]
    assert task["metric"] == "valence_arousal_mse" and task["value"] < task["baseline"]
    assert task["arousal_r"] > 0.5
    card = json.loads((tmp_path / "run" / "exports" / "emotionrecognizer.json").read_text())["model_card"]
    assert len(card["input_standardisation"]["mean"]) == 128
    exports = tmp_path / "run" / "exports"
    bad = run_cli("infer", str(deam / "MEMD_audio" / "998.mp3"), "--models", str(exports))
    assert bad.returncode == 1 and "998.mp3: not a decodable audio file" in bad.stderr
    assert len(bad.stderr.strip().splitlines()[-1]) < 300
    song = midi_summary(tmp_path, exports)
    summary = run_cli("infer", str(deam / "MEMD_audio" / "2.mp3"), "--models", str(exports))
    assert "emotion from EmotionRecognizer on the audio features" in summary.stdout and "chords:" in summary.stdout
    wav, mp3 = engines_agree(deam / "MEMD_audio" / "3.wav", exports), engines_agree(deam / "MEMD_audio" / "2.mp3", exports)
    for doc in (wav, mp3):
        assert doc["emotion_from"].startswith("EmotionRecognizer") and "note" not in doc["rows"][0]  # standardised
        assert [r["start"] for r in doc["rows"]] == [0.0, 4.0, 8.0, 12.0]
    midi = engines_agree(song, exports)
    assert midi["emotion_from"].startswith("the ml5-midi emotion proxy") and len(midi["rows"]) == 4


def midi_summary(tmp_path, exports):
    """A MIDI file: the emotion from the proxy, then the four downstream models, as a summary."""
    ml5_midi_testing = pytest.importorskip("ml5_midi.testing")
    song = ml5_midi_testing.write_midi(tmp_path / "song.mid", [[(b, 1, 60 + (b % 8), 90) for b in range(32)]],
                                       tempos=[(0, 120)])
    summary = run_cli("infer", str(song), "--models", str(exports))
    assert summary.returncode == 0, summary.stderr
    assert "emotion from the ml5-midi emotion proxy" in summary.stdout and "fallbacks: none" in summary.stdout
    for line in ("valence", "pitches:", "chords:", "dynamics: velocity_mean", "groove timing"):
        assert line in summary.stdout, line
    return song


def engines_agree(path, exports):
    """`ml5 infer --json` (the C++ processor) and the numpy reference engine (run here, in
    process) give the same outputs within 1e-5."""
    pytest.importorskip("ml5_native")
    from ml5_audio.infer import run_inference

    result = run_cli("infer", str(path), "--models", str(exports), "--json", "--engine", "native", "--window", "4")
    assert result.returncode == 0, result.stderr
    native = json.loads(result.stdout)
    reference = run_inference(path, exports, 4.0, "reference")
    assert native["engine"] != reference["engine"] and len(native["rows"]) == len(reference["rows"])
    for a, b in zip(native["rows"], reference["rows"]):
        for name, values in a["outputs"].items():
            assert values is not None and b["outputs"][name] is not None, (path.name, name)
            assert np.abs(np.asarray(values) - np.asarray(b["outputs"][name])).max() <= 1e-5, (path.name, name)
    return native

