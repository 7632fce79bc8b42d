"""``ml5 infer``: each model file loaded once per call, whatever the windows and files; several
files and folders as JSON Lines, a file that cannot be read named with its reason; the model
card read from the end of an export."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from ml5.testing import run_cli

pytest.importorskip("ml5_rtneural")


def counting(calls, name, load):
    def wrapped(*args, **kwargs):
        calls.append(name)
        return load(*args, **kwargs)

    return wrapped


def same_outputs(a, b, tolerance):
    assert [(r["start"], r["end"]) for r in a["rows"]] == [(r["start"], r["end"]) for r in b["rows"]]
    for x, y in zip(a["rows"], b["rows"]):
        for name, values in x["outputs"].items():
            assert np.abs(np.asarray(values) - np.asarray(y["outputs"][name])).max() <= tolerance, name


def test_the_native_engine_loads_each_model_once(exports, files, tmp_path, monkeypatch):
    ml5_native = pytest.importorskip("ml5_native")
    from ml5_audio.infer import Engines, run_inference

    calls: list[str] = []
    monkeypatch.setattr(ml5_native, "load", counting(calls, "load", ml5_native.load))
    monkeypatch.setattr(ml5_native, "Processor", counting(calls, "processor", ml5_native.Processor))
    engines = Engines(exports)
    docs = [run_inference(files["wav"], exports, 1.5, engines=engines),  # windows: the batch call
            run_inference(files["wav"], exports, 0.0, engines=engines),  # one row
            run_inference(files["midi"], exports, 2.0, engines=engines)]  # rows one by one
    assert calls == ["load"] * 5
    assert [len(doc["rows"]) for doc in docs] == [4, 1, 4] and all(doc["engine"] == engines.engine for doc in docs)

    # the outputs of the numpy reference engine (float64, the yardstick exports are verified with):
    # random weights on raw dB features (no standardisation in these exports) drive the units
    # hard, so float32 and float64 part by up to 2e-5 here, not the 1e-5 of trained exports
    reference = Engines(exports, "reference")
    for doc, (kind, window) in zip(docs, [("wav", 1.5), ("wav", 0.0), ("midi", 2.0)]):
        same_outputs(doc, run_inference(files[kind], exports, window, engines=reference), 1e-4)

    # a missing file: the processor loads the other four once and runs harmony's fallback
    partial = tmp_path / "partial"
    shutil.copytree(exports, partial)
    (partial / "harmonypredictor.json").unlink()
    calls.clear()
    doc = run_inference(files["wav"], partial, 1.5, engines=Engines(partial))
    assert calls == ["processor"] and doc["models"]["harmony"].startswith("fallback")


def test_the_reference_engine_loads_each_model_once(exports, files, monkeypatch):
    from ml5_audio.infer import Engines, run_inference
    from ml5_rtneural.reference import Engine

    calls: list[str] = []
    monkeypatch.setattr(Engine, "load", counting(calls, "load", Engine.load))
    engines = Engines(exports, "reference")
    for kind, window in [("wav", 1.5), ("wav", 0.0), ("midi", 2.0)]:
        run_inference(files[kind], exports, window, engines=engines)
    assert calls == ["load"] * 5


def test_several_files_and_folders_give_json_lines(exports, files, tmp_path):
    from ml5_audio.infer import Engines, run_inference
    from ml5_audio.testing import chord_music, write_audio

    songs = tmp_path / "songs"
    mp3 = write_audio(songs / "calm.mp3", chord_music(-0.5, -0.5, 2.0, rate=44_100), rate=44_100)
    (songs / "deeper").mkdir()
    shutil.copy(files["midi"], songs / "deeper" / "tune.mid")
    (songs / "broken.wav").write_bytes(b"RIFF, but not audio")
    (songs / "notes.txt").write_text("not read: not a suffix infer reads")
    (tmp_path / "empty").mkdir()
    pictures = tmp_path / "pictures"
    pictures.mkdir()

    result = run_cli("infer", str(files["wav"]), str(songs), str(tmp_path / "empty"), str(tmp_path / "nope.mid"),
                     "--models", str(exports), "--window", "1.5", "--json", "--plot", str(pictures))
    assert result.returncode == 1, result.stderr  # some inputs failed, the others came out
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["input"] for line in lines] == [str(files["wav"]), str(songs / "broken.wav"), str(mp3),
                                                 str(songs / "deeper" / "tune.mid"), str(tmp_path / "empty"),
                                                 str(tmp_path / "nope.mid")]
    errors = {line["input"]: line["error"] for line in lines if "error" in line}
    assert errors[str(songs / "broken.wav")].startswith("not a decodable audio file")
    assert errors[str(tmp_path / "nope.mid")] == "no such file"
    assert "no audio or MIDI file in this folder" in errors[str(tmp_path / "empty")]
    for path in errors:
        assert f"{path}: {errors[path]}" in result.stderr
    engines = Engines(exports)
    for line, path in [(lines[0], files["wav"]), (lines[2], mp3), (lines[3], songs / "deeper" / "tune.mid")]:
        same_outputs(line, run_inference(path, exports, 1.5, engines=engines), 1e-6)
    assert lines[3]["emotion_from"].startswith("the ml5-midi emotion proxy")
    assert sorted(p.name for p in pictures.iterdir()) == ["calm.mp3.png", "song.wav.png", "tune.mid.png"]

    # every file read: exit 0; several files need a folder for their pictures
    assert run_cli("infer", str(files["midi"]), str(mp3), "--models", str(exports), "--json").returncode == 0
    refused = run_cli("infer", str(songs), "--models", str(exports), "--plot", str(tmp_path / "out.png"))
    assert refused.returncode == 2 and "give an existing folder" in refused.stderr and not refused.stdout


def test_the_model_card_is_read_from_the_end_of_an_export(tmp_path):
    from ml5_audio.infer import _card

    card = {"input_standardisation": {"mean": [0.5], "std": [2.0]}, "note": 'a "model_card": inside a string'}
    layers = [{"type": "dense", "weights": [[0.1, 0.2]], "model_card": {"nested": True}}]
    for document in ({"layers": layers, "model_card": card},  # as ml5-rtneural writes it: last
                     {"model_card": card, "layers": layers},  # anywhere else: parsed whole
                     {"layers": layers}):
        (tmp_path / "emotionrecognizer.json").write_text(json.dumps(document))
        assert _card(tmp_path, "emotion") == document.get("model_card", {})
    (tmp_path / "emotionrecognizer.json").write_text('{"layers": [], "model_card": {"cut short')
    assert _card(tmp_path, "emotion") == {}


def test_the_engine_comes_from_the_plugins_and_an_unknown_one_names_the_installed(exports, files):
    from ml5.plugins import load
    from ml5.registry import Registry

    installed = Registry(load()).engine_names()
    args = ("infer", str(files["midi"]), "--models", str(exports), "--window", "2", "--json")
    unknown = run_cli(*args, "--engine", "gpu")
    assert unknown.returncode == 2 and not unknown.stdout
    assert f"--engine: unknown engine 'gpu'; installed: {', '.join(installed)}" in " ".join(unknown.stderr.split())
    # every installed engine gives the same outputs; without a name, the preferred one runs
    docs = {engine: run_cli(*args, "--engine", engine) for engine in installed}
    assert all(result.returncode == 0 for result in docs.values()), [r.stderr for r in docs.values()]
    docs = {engine: json.loads(result.stdout) for engine, result in docs.items()}
    default = run_cli(*args)
    assert default.returncode == 0 and json.loads(default.stdout)["engine"] == installed[0]
    for engine, doc in docs.items():
        assert doc["engine"] == engine and all(source == "network" for source in doc["models"].values())
        same_outputs(doc, docs[installed[0]], 1e-4)
    # with the plugin of an engine left out, that engine is unknown
    for left_out, engine in (("native", "native"), ("rtneural", "reference")):
        if engine in installed:
            result = run_cli("--disable", left_out, *args, "--engine", engine)
            assert result.returncode == 2 and f"unknown engine {engine!r}" in result.stderr


def test_an_emotion_export_of_other_features_is_refused_for_audio(exports, files, tmp_path):
    # an export whose card names the features it was trained on, of an older definition (the
    # time-mean log-mel): audio cannot be read with it, MIDI still can; the message says what to do
    folder = tmp_path / "old"
    shutil.copytree(exports, folder)
    model = json.loads((folder / "emotionrecognizer.json").read_text())
    old = {"sample_rate": 22050, "n_fft": 2048, "hop": 512, "n_mels": 128, "db_ref": 1.0, "amin": 1e-10}
    model["model_card"] = {**model.get("model_card", {}),
                           "input_standardisation": {"mean": [0.0] * 128, "std": [1.0] * 128, "features": old}}
    (folder / "emotionrecognizer.json").write_text(json.dumps(model))
    audio = run_cli("infer", str(files["wav"]), "--models", str(folder))
    assert audio.returncode == 1
    assert "emotionrecognizer.json was trained on audio features of another definition (1; " in audio.stderr
    assert "Train it again (ml5 run)" in audio.stderr
    both = run_cli("infer", str(files["wav"]), str(files["midi"]), "--models", str(folder), "--json")
    lines = [json.loads(line) for line in both.stdout.splitlines()]
    assert both.returncode == 1 and "another definition" in lines[0]["error"] and lines[1]["rows"]
    # today's definition with one setting changed: refused, naming the setting
    from ml5_audio.features import SETTINGS

    model["model_card"]["input_standardisation"]["features"] = {**SETTINGS, "flux_scale": 3.0}
    (folder / "emotionrecognizer.json").write_text(json.dumps(model))
    changed = run_cli("infer", str(files["wav"]), "--models", str(folder))
    assert changed.returncode == 1 and f"other settings of definition {SETTINGS['definition']} (flux_scale differ)" in changed.stderr
    # the same card with today's settings is read

    model["model_card"]["input_standardisation"]["features"] = SETTINGS
    (folder / "emotionrecognizer.json").write_text(json.dumps(model))
    assert run_cli("infer", str(files["wav"]), "--models", str(folder)).returncode == 0
