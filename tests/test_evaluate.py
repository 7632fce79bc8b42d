"""`ml5 evaluate`: exports of a real `ml5 run` on a Groove MIDI Dataset layout, scored on its
official test split by the C++ engine and the numpy reference, as subprocesses."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from ml5.evaluate import EvaluateError, evaluate, restandardise
from ml5.plugins import load
from ml5.registry import Registry
from ml5.testing import run_cli
from ml5_midi.testing import drum_bar, write_midi

HEADER = "drummer,session,id,style,bpm,beat_type,time_signature,midi_filename,audio_filename,duration,split\n"
#: (tempo, official split) of each 4/4 beat file: train, validation and test rows
BEATS = [(80, "train"), (90, "train"), (100, "train"), (110, "train"), (120, "train"), (130, "train"),
         (140, "train"), (150, "train"), (95, "validation"), (135, "validation"), (85, "test"), (125, "test"),
         (145, "test")]
CORRUPT = "drummer1/session2/20_funk_100_beat_4-4.mid"
MISSING = "drummer1/session2/21_funk_100_beat_4-4.mid"


def make_gmd(root: Path) -> Path:
    """groove/info.csv and its MIDI files: 13 four-bar beats (3 of them in the test split), a
    corrupt file listed as test and a row naming a file that is not there."""
    groove = root / "groove"
    rows = []
    for n, (bpm, split) in enumerate(BEATS, start=1):
        session = f"drummer{1 + n % 3}/session1"
        name = f"{session}/{n}_funk_{bpm}_beat_4-4.mid"
        hat, late = 40 + (bpm - 80) // 2, 0.02 * (150 - bpm) / 70
        notes = [note for bar in range(4) for note in drum_bar(bar, hat=hat, kick=70 + bpm // 5, late=late)]
        write_midi(groove / name, [notes], drums=[True], tempos=[(0, bpm)])
        rows.append(f"drummer{1 + n % 3},{session},{session}/{n},funk,{bpm},beat,4-4,{name},,8.0,{split}\n")
    (groove / CORRUPT).parent.mkdir(parents=True)
    (groove / CORRUPT).write_bytes(b"MThd\x00\x00\x00\x06\x00\x01\x00\x01\x01\xe0MTrk\xff\xff")  # truncated
    for name, split in ((CORRUPT, "test"), (MISSING, "train")):
        rows.append(f"drummer1,drummer1/session2,drummer1/session2/{name.split('/')[-1][:2]},funk,100,beat,4-4,"
                    f"{name},,8.0,{split}\n")
    (groove / "info.csv").write_text(HEADER + "".join(rows))
    return root


CONFIG = """
[train]
epochs = 3
batch_size = 16
[models.groove]
dataset = "gmd"
path = "{path}"
[models.groove.options]
workers = 1
[models.dynamics]
dataset = "gmd"
path = "{path}"
[models.dynamics.options]
workers = 1
"""


@pytest.fixture(scope="session")
def gmd_run(tmp_path_factory):
    """groove and dynamics trained briefly on the GMD fixture: (data folder, run folder, report, env)."""
    folder = tmp_path_factory.mktemp("evaluate")
    data = make_gmd(folder / "gmd")
    env = {"ML5_CACHE_DIR": str(folder / "cache")}
    (folder / "ml5.toml").write_text(CONFIG.format(path=data.as_posix()))
    result = run_cli("run", "--plugins", "groove,dynamics", "--config", str(folder / "ml5.toml"),
                     "--out", str(folder / "run"), env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return data, folder / "run", json.loads((folder / "run" / "report.json").read_text()), env


def _evaluate(gmd_run, *args: str, exports: Path | None = None):
    data, run, _, env = gmd_run
    return run_cli("evaluate", str(exports or run / "exports"), "--dataset", "gmd", str(data), "-O", "workers=1",
                   *args, env=env)


def _json(gmd_run, *args: str, exports: Path | None = None) -> dict:
    result = _evaluate(gmd_run, "--json", *args, exports=exports)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def test_table_of_the_test_split(gmd_run):
    result = _evaluate(gmd_run)
    assert result.returncode == 0, result.stderr
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]]
            for line in result.stdout.splitlines() if line.startswith("│")}
    assert set(rows) == {"dynamics", "groove"}, result.stdout
    # dataset, split, examples (4 bars a file, 2 phrases a file; the corrupt test file gives none), metric
    assert rows["groove"][:4] == ["gmd", "test", "12", "mse"] and rows["dynamics"][:4] == ["gmd", "test", "6", "mse"]
    assert "2 of 2 model(s) scored on gmd (test split, native engine)" in result.stderr
    assert "2 of 15 file(s) skipped by gmd" in result.stderr and "the same 2 skipped file(s)" in result.stderr
    assert f"{CORRUPT}: not a readable MIDI file" in result.stderr
    assert f"({MISSING}): the MIDI file it names is not on disk" in result.stderr


def test_json_scores_what_the_run_measured_on_the_test_split(gmd_run):
    _, run, report, _ = gmd_run
    doc = _json(gmd_run)
    assert doc["split"] == "test" and doc["engine"] == "native" and doc["scored"] == 2 and doc["not_fed"] == []
    results = {r["model"]: r for r in doc["models"]}
    for entry in report["models"]:
        r = results[entry["model"]]
        assert r["scored"] and r["split"] == "test" and r["engine"] == "native"
        assert r["examples"] == entry["data"]["examples_per_split"]["test"] == r["metric"]["examples"]
        assert r["export"] == str(run / "exports" / f"{'groovepredictor' if r['model'] == 'groove' else 'dynamicsengine'}.json")
        # the trainer scored the same rows with torch: the export in C++ gives the same figure
        test = entry["task_test"]
        assert r["metric"]["metric"] == test["metric"] == "mse"
        assert r["metric"]["value"] == pytest.approx(test["value"], rel=1e-5)
        assert r["metric"]["baseline"] == pytest.approx(test["baseline"], rel=1e-9)  # the same training rows
        assert r["skipped"]["files_skipped"] == 2 and r["skipped"]["files"] == 15
        assert {s["file"] for s in r["skipped"]["skipped"]} == {CORRUPT, f"info.csv row 16 ({MISSING})"}
        assert r["trained_on"].startswith("gmd-")


def test_native_and_reference_engines_agree_within_1e_5(gmd_run):
    native, reference = _json(gmd_run, "--engine", "native"), _json(gmd_run, "--engine", "reference")
    assert reference["engine"] == "reference"
    for a, b in zip(native["models"], reference["models"]):
        assert a["model"] == b["model"] and a["examples"] == b["examples"]
        count = a["examples"] * (16 if a["model"] == "dynamics" else 32)
        assert abs(a["predictions"]["sum"] - b["predictions"]["sum"]) <= 1e-5 * count
        for key in ("min", "max"):
            assert abs(a["predictions"][key] - b["predictions"][key]) <= 1e-5
        assert a["metric"]["value"] == pytest.approx(b["metric"]["value"], rel=1e-4)
    # every prediction, through the module the command uses
    data, run, _, env = gmd_run
    registry = Registry(load())
    outputs = {}
    for engine in ("native", "reference"):
        doc = evaluate(registry, run / "exports", "gmd", data, {"workers": 1}, "test", engine, keep_outputs=True)
        outputs[engine] = {r["model"]: r["outputs"] for r in doc["models"]}
    for model in ("groove", "dynamics"):
        native_out, reference_out = outputs["native"][model], outputs["reference"][model]
        assert native_out.shape == reference_out.shape == (len(native_out), 32 if model == "groove" else 16)
        assert len(native_out) > 0 and np.abs(native_out - reference_out).max() <= 1e-5


def test_other_splits(gmd_run):
    _, _, report, _ = gmd_run
    examples = {m["model"]: m["data"]["examples_per_split"] for m in report["models"]}
    validation = {r["model"]: r for r in _json(gmd_run, "--split", "validation")["models"]}
    every = {r["model"]: r for r in _json(gmd_run, "--split", "all", "--engine", "reference")["models"]}
    for model, counts in examples.items():
        assert validation[model]["examples"] == counts["validation"]
        assert every[model]["examples"] == sum(counts.values()) and every[model]["split"] == "all"


def test_the_export_card_standardisation_is_applied(gmd_run, tmp_path):
    """An export whose model card asks for (raw - mean) / std, with its first layer folded to
    undo it, predicts exactly what the original predicts: only if the inputs are converted."""
    data, run, _, env = gmd_run
    original = json.loads((run / "exports" / "groovepredictor.json").read_text())
    card = original["model_card"]
    rng = np.random.default_rng(0)
    mean, std = rng.normal(0, 0.5, 64), rng.uniform(0.5, 2.0, 64)
    old = card.get("input_standardisation") or {"mean": [0.0] * 64, "std": [1.0] * 64}
    old_mean, old_std = np.asarray(old["mean"]), np.asarray(old["std"])
    # the original's inputs are (e * std + mean - old_mean) / old_std for the new export's e
    kernel, bias = (np.asarray(w, np.float64) for w in original["layers"][0]["weights"])  # kernel: in × out
    folded = json.loads(json.dumps(original))
    folded["layers"][0]["weights"] = [(kernel * (std / old_std)[:, None]).tolist(),
                                      (bias + ((mean - old_mean) / old_std) @ kernel).tolist()]
    folded["model_card"] = {**card, "input_standardisation": {"mean": mean.tolist(), "std": std.tolist()}}
    (tmp_path / "folded").mkdir()
    (tmp_path / "folded" / "groovepredictor.json").write_text(json.dumps(folded))
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "groovepredictor.json").write_text(json.dumps({**folded, "model_card": card}))
    base = next(r for r in _json(gmd_run)["models"] if r["model"] == "groove")
    converted, = _json(gmd_run, exports=tmp_path / "folded")["models"]
    ignored, = _json(gmd_run, exports=tmp_path / "plain")["models"]
    assert converted["model"] == ignored["model"] == "groove"
    assert converted["standardisation"] == {"data": False, "export": True}
    assert converted["metric"]["value"] == pytest.approx(base["metric"]["value"], rel=1e-4)
    assert abs(converted["predictions"]["max"] - base["predictions"]["max"]) <= 1e-5
    assert ignored["metric"]["value"] != pytest.approx(base["metric"]["value"], rel=1e-2)


def test_exit_1_when_no_export_is_for_a_model_the_data_set_feeds(gmd_run, tmp_path):
    _, run, _, env = gmd_run
    result = run_cli("evaluate", str(tmp_path), "--dataset", "corpus", env=env)
    assert result.returncode == 1
    assert "no export in" in result.stderr and "harmonypredictor.json" in result.stderr
    shutil.copy(run / "exports" / "groovepredictor.json", tmp_path)
    result = run_cli("evaluate", str(tmp_path), "--dataset", "corpus", "--json", env=env)
    assert result.returncode == 1 and json.loads(result.stdout)["not_fed"][0]["model"] == "groove"
    assert "not evaluated: groove: dataset 'corpus' has no data for it" in result.stderr
    assert "it holds exports of groove" in result.stderr


def test_exit_1_when_nothing_can_be_scored(gmd_run, tmp_path):
    _, run, _, env = gmd_run
    no_split = run_cli("evaluate", str(run / "exports"), "--dataset", "synthetic", "-O", "samples=64", env=env)
    assert no_split.returncode == 1
    assert "groove: the data set ships no test split" in no_split.stderr and "use --split all" in no_split.stderr
    every = run_cli("evaluate", str(run / "exports"), "--dataset", "synthetic", "-O", "samples=64", "--split", "all",
                    env=env)
    assert every.returncode == 0 and "2 of 2 model(s) scored on synthetic (all split" in every.stderr
    unreadable = run_cli("evaluate", str(run / "exports"), "--dataset", "gmd", str(tmp_path), env=env)
    assert unreadable.returncode == 1 and "info.csv is missing" in unreadable.stderr


@pytest.mark.parametrize("args, message", [
    (["--dataset", "gmd", "MISSING"], "is not a folder of exported models"),
    (["--dataset", "no-such-set"], "unknown dataset 'no-such-set'; installed: "),
    (["--dataset", "gmd", "DATA", "--split", "train"], "--split 'train': use one of test, validation, all"),
    (["--dataset", "gmd"], "dataset 'gmd' reads a folder on disk"),
    (["--dataset", "gmd", "DATA", "--engine", "gpu"], "--engine: unknown engine 'gpu'; installed: native, reference"),
    (["--dataset", "gmd", "DATA", "-O", "bars=2"], "--option 'bars=2': expected KEY=VALUE"),
    (["--dataset", "gmd", "DATA", "-O", "workers=two"], "workers takes a int"),
])
def test_usage_errors_exit_2(gmd_run, args, message):
    data, run, _, env = gmd_run
    exports = str(run / "exports") if "MISSING" not in args else str(run / "no-such-folder")
    args = [str(data) if a == "DATA" else a for a in args if a != "MISSING"]
    result = run_cli("evaluate", exports, *args, env=env)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert message in " ".join(result.stderr.split()), result.stderr
    if "unknown dataset" in message:
        assert "gmd" in result.stderr and "synthetic" in result.stderr


def test_the_engines_come_from_plugins_and_ml5_plugins_lists_them():
    rows = {r["name"]: r for r in json.loads(run_cli("plugins", "--json").stdout)}
    assert rows["native"]["provides"]["engines"] == ["native"] and rows["rtneural"]["provides"]["engines"] == ["reference"]
    assert Registry(load()).engine_names() == ["native", "reference"]  # the C++ engine is preferred


def test_an_engine_left_out_is_unknown_and_the_installed_ones_are_named(gmd_run):
    data, run, _, env = gmd_run
    args = ["evaluate", str(run / "exports"), "--dataset", "gmd", str(data), "-O", "workers=1", "--json"]
    missing = run_cli("--disable", "native", *args, "--engine", "native", env=env)
    assert missing.returncode == 2 and "unknown engine 'native'; installed: reference" in " ".join(missing.stderr.split())
    default = run_cli("--disable", "native", *args, env=env)
    assert default.returncode == 0 and json.loads(default.stdout)["engine"] == "reference"


def test_restandardise_rule():
    rng = np.random.default_rng(1)
    raw = rng.normal(3.0, 2.0, (5, 4))
    data_card = {"input_standardisation": {"mean": [1.0, 2.0, 3.0, 4.0], "std": [0.5, 1.0, 2.0, 4.0]}}
    export_card = {"input_standardisation": {"mean": [0.0, -1.0, 2.0, 1.0], "std": [2.0, 1.0, 0.25, 3.0]}}
    d_mean, d_std = (np.asarray(data_card["input_standardisation"][k]) for k in ("mean", "std"))
    e_mean, e_std = (np.asarray(export_card["input_standardisation"][k]) for k in ("mean", "std"))
    given = (raw - d_mean) / d_std  # what the data set yields
    out = restandardise(given, data_card, export_card)
    assert out.dtype == np.float32 and out.shape == (5, 4)
    np.testing.assert_allclose(out, (raw - e_mean) / e_std, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(restandardise(raw, {}, export_card), (raw - e_mean) / e_std, rtol=1e-6)
    np.testing.assert_allclose(restandardise(given, data_card, {"model": "x"}), raw, rtol=1e-6)
    np.testing.assert_array_equal(restandardise(raw, {}, {}), raw.astype(np.float32))
    np.testing.assert_array_equal(restandardise(given, data_card, data_card), given.astype(np.float32))
    with pytest.raises(ValueError, match="std of 3 values; the inputs have 4"):
        restandardise(raw, {}, {"input_standardisation": {"mean": [0.0] * 4, "std": [1.0] * 3}})
    with pytest.raises(ValueError, match="std positive"):
        restandardise(raw, {}, {"input_standardisation": {"mean": [0.0] * 4, "std": [1.0, 0.0, 1.0, 1.0]}})


def test_evaluate_refuses_what_the_command_refuses(tmp_path):
    registry = Registry(load())
    with pytest.raises(EvaluateError) as caught:
        evaluate(registry, tmp_path, "gmd", tmp_path, split="every")
    assert caught.value.code == 2


def test_a_model_is_scored_with_its_networks_own_data_set_options(gmd_run):
    """What the run read the data set with: the network's own options (ModelSpec.dataset_options)
    over the format's, and -O over both."""
    import attrs
    from ml5.registry import Entry

    data, run, _, _ = gmd_run
    registry = Registry(load())
    groove = registry.models["groove"]
    every = evaluate(registry, run / "exports", "gmd", data, {"workers": 1}, "all", "reference")
    registry.kinds["models"]["groove"] = Entry(attrs.evolve(groove.spec, dataset_options={"gmd": {"max_files": 6}}), groove.plugin)
    own = evaluate(registry, run / "exports", "gmd", data, {"workers": 1}, "all", "reference")
    counts = {doc_name: {r["model"]: (r["examples"], r["options"]["max_files"]) for r in doc["models"]}
              for doc_name, doc in (("every", every), ("own", own))}
    assert counts["own"]["groove"][1] == 6 and counts["every"]["groove"][1] == 0
    assert 0 < counts["own"]["groove"][0] < counts["every"]["groove"][0]
    assert counts["own"]["dynamics"] == counts["every"]["dynamics"]  # another network: the format's
    given = evaluate(registry, run / "exports", "gmd", data, {"workers": 1, "max_files": 0}, "all", "reference")
    assert {r["model"]: r["examples"] for r in given["models"]}["groove"] == counts["every"]["groove"][0]
