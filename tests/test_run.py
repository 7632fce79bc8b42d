"""`ml5 run` end to end: train → export → verify → report, as a subprocess."""

from __future__ import annotations

import json

import numpy as np
import pytest
from ml5.testing import run_cli

FIVE = {
    "emotion": "emotionrecognizer",
    "melody": "melodytransformer",
    "harmony": "harmonypredictor",
    "dynamics": "dynamicsengine",
    "groove": "groovepredictor",
}
PARAMETERS = {"emotion": 403_264, "melody": 641_664, "harmony": 74_176, "dynamics": 13_520, "groove": 18_656}


def test_models_lists_the_five_with_their_parameter_counts():
    rows = {m["name"]: m for m in json.loads(run_cli("models", "--json").stdout)}
    assert {name: rows[name]["parameters"] for name in FIVE} == PARAMETERS
    table = run_cli("models").stdout
    for count in ("403,264", "641,664", "74,176", "13,520", "18,656", "1,151,280"):
        assert count in table


def test_every_model_beats_the_mean_baseline_by_30_percent(full_run):
    _, report, _ = full_run
    results = {r["model"]: r for r in report["models"]}
    assert set(results) == set(FIVE)
    for name, r in results.items():
        assert r["best_val_loss"] <= 0.7 * r["baseline_loss"], (name, r["best_val_loss"], r["baseline_loss"])
        assert r["gain_over_baseline"] >= 0.3


def test_every_model_reports_its_task_metric_beside_a_baseline_it_beats(full_run):
    folder, report, _ = full_run
    expected = {"emotion": "valence_arousal_mse", "melody": "pitch_set_f1", "harmony": "top1_accuracy", "dynamics": "mse", "groove": "mse"}
    results = {r["model"]: r for r in report["models"]}
    for name, metric in expected.items():
        task = results[name]["task"]
        assert task["metric"] == metric, name
        better = task["value"] > task["baseline"] if task["higher_is_better"] else task["value"] < task["baseline"]
        assert better, (name, task)
    assert "top3_accuracy" in results["harmony"]["task"]
    emotion = results["emotion"]["task"]  # the synthetic targets are the embedding of (v, a)
    assert emotion["valence_r"] > 0.9 and emotion["arousal_r"] > 0.9
    markdown = (folder / "report.md").read_text()
    assert "task metric (validation)" in markdown and "linear model" in markdown and "top1_accuracy" in markdown and "pitch_set_f1" in markdown


def test_every_export_verifies_within_1e_5(full_run):
    folder, report, _ = full_run
    for r in report["models"]:
        verifiers = {v["verifier"] for v in r["verifications"]}
        assert {"reference", "native"} <= verifiers, r["model"]
        for v in r["verifications"]:
            assert v["passed"] and v["max_abs_error"] <= 1e-5, (r["model"], v)
        assert (folder / r["exports"]["rtneural"]["path"]).name == f"{FIVE[r['model']]}.json"


def test_run_folder_holds_everything(full_run):
    folder, report, result = full_run
    for name in ("report.json", "report.md", "config.json"):
        assert (folder / name).is_file()
    for model in FIVE:
        for name in ("checkpoints/latest.pt", "checkpoints/best.pt", "curves.json", "curves.csv", "curves.png", "metrics.json"):
            assert (folder / model / name).is_file(), (model, name)
    markdown = (folder / "report.md").read_text()
    for column in ("parameters", "epochs run", "best val loss", "baseline loss", "gain over baseline", "export bytes",
                   "verification max error"):
        assert column in markdown
    assert "| emotion | 403,264 |" in markdown and markdown in result.stdout
    assert not list(folder.rglob(".*.tmp"))


def test_config_json_holds_every_models_settings_as_trained(full_run):
    import attrs
    from ml5 import config

    folder, _, _ = full_run
    saved = config.load(folder / "config.json")  # `ml5 run --config config.json` repeats the run
    for model in FIVE:
        assert set(saved.model(model).train) == set(attrs.fields_dict(config.TrainSettings)), model
    # [train] holds what the file set (tests/conftest.py's SMALL_BUDGET), no more: loaded back, a
    # model the run did not train keeps its network's own defaults
    assert saved.train_given == {"epochs", "batch_size", "learning_rate", "patience"}
    # and the data set each read, with every option as it read it
    for model in FIVE:
        assert saved.model(model).dataset == "synthetic" and saved.model(model).options, model


def test_config_show_gives_each_models_data_set_and_its_options(tmp_path):
    (tmp_path / "ml5.toml").write_text("[models.groove.options]\nsamples = 128\n")
    shown = json.loads(run_cli("config", "show", "--json", cwd=tmp_path).stdout)["models"]
    assert shown["groove"]["dataset"] == "synthetic" and shown["groove"]["options"]["samples"] == 128
    assert shown["emotion"]["dataset"] == "corpus" and shown["emotion"]["options"]["collection"] == "bach"
    (tmp_path / "ml5.toml").write_text("[models.groove.options]\nsamples = 'many'\n")
    result = run_cli("config", "show", cwd=tmp_path)
    assert result.returncode == 2 and "models.groove.options.samples: expected int" in result.stderr


def test_a_networks_own_data_set_options_sit_between_the_formats_and_the_files(tmp_path):
    import attrs
    from ml5 import config
    from ml5.config import ConfigError
    from ml5.run import dataset_options, plan
    from ml5.testing import _registry

    registry = _registry()
    corpus = registry.datasets["corpus"].spec
    (model_plan,) = plan(registry, config.Config(), ["emotion"]).models
    assert dict(model_plan.options) == corpus.options  # a network without its own reads the format's
    emotion = attrs.evolve(registry.models["emotion"].spec, dataset_options={"corpus": {"collection": "bach,chopin"}})
    assert dataset_options(corpus, emotion, {}) == {**corpus.options, "collection": "bach,chopin"}
    assert dataset_options(corpus, emotion, {"collection": "weber"})["collection"] == "weber"  # the file's wins
    assert dataset_options(registry.datasets["synthetic"].spec, emotion, {}) == registry.datasets["synthetic"].spec.options
    # a network's own option is checked as the file's are, and named as its own
    bad = attrs.evolve(emotion, dataset_options={"corpus": {"collecton": "bach"}})
    with pytest.raises(ConfigError, match=r"model 'emotion': dataset_options\.corpus\.collecton: unknown option"):
        dataset_options(corpus, bad, {})


def test_exports_carry_a_model_card(full_run):
    folder, _, _ = full_run
    card = json.loads((folder / "exports" / "harmonypredictor.json").read_text())["model_card"]
    assert card["model"] == "HarmonyPredictor" and card["parameters"] == 74_176
    assert len(card["output_labels"]) == 64 and card["training_data"].startswith("synthetic-")
    assert card["metrics"]["gain_over_baseline"] >= 0.3


def test_validate_passes_the_exports(full_run):
    folder, _, _ = full_run
    result = run_cli("validate", str(folder / "exports"))
    assert result.returncode == 0, result.stdout
    exported = sorted(p.suffix for p in (folder / "exports").iterdir())
    assert exported == [".json"] * 5 + [".onnx"] * 5  # every installed exporter, every model
    assert "10 file(s) checked, 0 problem(s)" in result.stderr


def test_the_onnx_exports_verify_in_onnxruntime_within_1e_5(full_run):
    _, report, _ = full_run
    for model in report["models"]:
        checks = [v for v in model["verifications"] if v["verifier"] == "onnxruntime"]
        assert len(checks) == 1 and checks[0]["exporter"] == "onnx", model["model"]
        assert checks[0]["passed"] and checks[0]["max_abs_error"] <= 1e-5, (model["model"], checks[0])


def test_validate_names_problems_in_broken_exports(full_run, tmp_path):
    folder, _, _ = full_run
    emotion = json.loads((folder / "exports" / "emotionrecognizer.json").read_text())
    emotion["layers"][1]["weights"][0] = np.array(emotion["layers"][1]["weights"][0]).T.tolist()  # 512×256 → 256×512
    emotion["layers"][2]["weights"][2] = [emotion["layers"][2]["weights"][2], [0.0] * 512]  # LSTM bias unsummed
    (tmp_path / "emotionrecognizer.json").write_text(json.dumps(emotion))
    groove = json.loads((folder / "exports" / "groovepredictor.json").read_text())
    groove["layers"][2]["activation"] = "linear"
    (tmp_path / "groovepredictor.json").write_text(json.dumps(groove))
    result = run_cli("validate", str(tmp_path))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any("emotionrecognizer.json: layers[1]" in line and "PyTorch out×in" in line for line in lines), lines
    assert any("groovepredictor.json: layers[2]" in line and "'linear'" in line for line in lines), lines


def test_validate_names_the_files_it_did_not_check(full_run, tmp_path):
    folder, _, _ = full_run
    (tmp_path / "groovepredictor.json").write_text((folder / "exports" / "groovepredictor.json").read_text())
    (tmp_path / "grooveprediktor.json").write_text((folder / "exports" / "groovepredictor.json").read_text())
    (tmp_path / "notes.txt").write_text("not a model file")
    result = run_cli("validate", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "1 file(s) checked, 0 problem(s)" in result.stderr
    skipped = [line for line in result.stderr.splitlines() if line.startswith("not checked: ")]
    assert len(skipped) == 2, result.stderr
    assert any("grooveprediktor.json" in line and "'grooveprediktor' is not the file stem" in line for line in skipped)
    assert any("notes.txt" in line and "no installed exporter checks" in line for line in skipped)


def test_plugins_selects_exactly_those_models(tmp_path, make_config):
    out = tmp_path / "run"
    result = run_cli("run", "--plugins", "groove,dynamics", "--config", str(make_config(tmp_path, epochs=3, samples=256)),
                     "--out", str(out))
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(p.stem for p in (out / "exports").iterdir()) == ["dynamicsengine"] * 2 + ["groovepredictor"] * 2
    assert [r["model"] for r in json.loads((out / "report.json").read_text())["models"]] == ["dynamics", "groove"]


@pytest.mark.parametrize("fmt", ["toml", "json"])
def test_config_file_formats_drive_the_run(tmp_path, fmt):
    settings = {"train": {"epochs": 2}, "models": {"groove": {"options": {"samples": 128}}}}
    if fmt == "json":
        path = tmp_path / "c.json"
        path.write_text(json.dumps(settings))
    else:
        path = tmp_path / "c.toml"
        path.write_text("[train]\nepochs = 2\n[models.groove.options]\nsamples = 128\n")
    result = run_cli("run", "--plugins", "groove", "--config", str(path), "--out", str(tmp_path / "run"))
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    assert report["models"][0]["epochs_run"] == 2 and report["models"][0]["train_examples"] + report["models"][0]["val_examples"] == 128


def test_bad_dataset_option_is_a_config_error(tmp_path):
    (tmp_path / "c.toml").write_text("[models.groove.options]\nsampels = 3\n")
    result = run_cli("run", "--plugins", "groove", "--config", str(tmp_path / "c.toml"), "--out", str(tmp_path / "run"))
    assert result.returncode == 2 and "models.groove.options.sampels" in result.stderr
    assert not (tmp_path / "run").exists()


def test_a_preferred_data_set_is_the_default_only_where_it_feeds_the_model():
    import attrs
    from ml5.testing import _registry

    registry = _registry()
    emotion = registry.models["emotion"].spec
    assert registry.default_dataset(emotion) == "corpus"  # ml5-audio renders the corpus for it
    assert registry.default_dataset(attrs.evolve(emotion, preferred_datasets=("gmd",))) == "synthetic"  # gmd: no emotion
    assert registry.default_dataset(registry.models["groove"].spec) == "synthetic"
