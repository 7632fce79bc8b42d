"""Lifecycle hooks fire in order with what their specs promise (hookspecs.py)."""

from __future__ import annotations

import ml5
from ml5 import config
from ml5.run import execute, plan
from ml5.testing import registered


class Recorder:
    def __init__(self):
        self.calls = []

    @ml5.hookimpl
    def ml5_run_start(self, run):
        self.calls.append(("run_start", run.folder.is_dir()))

    @ml5.hookimpl
    def ml5_epoch_end(self, run, model, epoch, metrics):
        self.calls.append(("epoch_end", model.name, epoch, sorted(metrics)))

    @ml5.hookimpl
    def ml5_model_exported(self, run, model, exporter, path):
        self.calls.append(("model_exported", model.name, exporter, path.is_file()))

    @ml5.hookimpl
    def ml5_run_end(self, run, report):
        self.calls.append(("run_end", report["ok"], [m["model"] for m in report["models"]]))


def test_lifecycle_hooks(tmp_path):
    recorder = Recorder()
    cfg = config.from_dict({"train": {"epochs": 2}, "models": {"groove": {"options": {"samples": 64}}},
                            "run": {"exporters": ["rtneural"]}})
    with registered(recorder, "recorder") as registry:
        doc = execute(plan(registry, cfg, ["groove", "rtneural"]), tmp_path / "run")
    assert doc["ok"]
    assert recorder.calls == [
        ("run_start", True),
        ("epoch_end", "groove", 1, ["lr", "train_loss", "val_loss"]),
        ("epoch_end", "groove", 2, ["lr", "train_loss", "val_loss"]),
        ("model_exported", "groove", "rtneural", True),
        ("run_end", True, ["groove"]),
    ]


def test_config_json_names_a_data_set_folder_by_its_absolute_path(tmp_path):
    # a relative path resolves against the config file's folder; config.json lies elsewhere
    from ml5.run import run_config

    (tmp_path / "conf" / "scores").mkdir(parents=True)
    (tmp_path / "conf" / "ml5.toml").write_text('[models.harmony]\ndataset = "corpus"\npath = "scores"\n')
    cfg = config.load(tmp_path / "conf" / "ml5.toml")
    with registered(Recorder(), "recorder") as registry:
        written = run_config(plan(registry, cfg, ["harmony"]))
    assert written["models"]["harmony"]["path"] == str((tmp_path / "conf" / "scores").resolve())
    assert written["train"] == {}  # the file set no [train] key
