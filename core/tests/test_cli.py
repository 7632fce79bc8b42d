"""The ml5 command, run as a user runs it: in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from ml5.testing import run_cli as run_ml5

ONDISK_DATASET = """
import ml5

@ml5.hookimpl
def ml5_register_models(register):
    register(ml5.ModelSpec(name="tiny", title="Tiny", stem="tiny", input_size=3, output_size=2,
             layers=[ml5.Dense(3, 2, "tanh")], head="tanh", loss="mse", default_dataset="ondisk"))

@ml5.hookimpl
def ml5_register_datasets(register):
    register(ml5.DatasetFormat(name="ondisk", feeds=["tiny"], needs_path=True,
             open=lambda spec, path, options: None, description="reads a folder", license="CC0"))
"""

PROBE = """
import sys
from ml5.cli import main
try:
    main({args!r})
except SystemExit:
    pass
print("LOADED:", *sorted(m for m in ("torch", "numpy", "pydantic") if m in sys.modules), file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["--help"], ["plugins"], ["plugins", "--json"], ["models"]])
def test_listing_commands_import_neither_torch_nor_numpy(args):
    # every installed plugin is imported to list it: a plugin module that imports numpy (or the
    # CLI library pydantic) at its top costs every `ml5` command its import time
    result = subprocess.run([sys.executable, "-c", PROBE.format(args=args)], capture_output=True, text=True, timeout=120)
    loaded = [line for line in result.stderr.splitlines() if line.startswith("LOADED:")]
    assert loaded == ["LOADED:"], result.stderr[-2000:]


def test_version():
    result = run_ml5("--version")
    assert result.returncode == 0 and result.stdout.startswith("ml5 ")


def test_help_lists_commands():
    result = run_ml5("--help")
    for command in ("run", "plugins", "models", "datasets", "config", "validate"):
        assert command in result.stdout


@pytest.mark.parametrize("command", ["run", "plugins", "models", "datasets", "validate"])
def test_flags_show_no_value_placeholder_in_help(command):
    # an on/off flag takes no value: help must not print one (some typer versions wrote <bool>)
    result = run_ml5(command, "--help")
    assert result.returncode == 0 and "--help" in result.stdout
    assert "<bool>" not in result.stdout and "BOOLEAN" not in result.stdout, result.stdout


def test_config_show_prints_effective_config(tmp_path):
    (tmp_path / "ml5.toml").write_text("[train]\nepochs = 7\n")
    result = run_ml5("config", "show", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["train"]["epochs"] == 7
    toml = run_ml5("config", "show", cwd=tmp_path)
    assert "epochs = 7" in toml.stdout


@pytest.mark.parametrize(
    "text, key",
    [
        ("[train]\nepochz = 1\n", "train.epochz"),
        ("[train]\nbatch_size = 'big'\n", "train.batch_size"),
        ("[models.nosuchmodel]\ndataset = 'synthetic'\n", "models.nosuchmodel"),
    ],
)
def test_bad_config_exits_2_naming_key_and_writes_nothing(tmp_path, text, key):
    (tmp_path / "bad.toml").write_text(text)
    out = tmp_path / "run"
    result = run_ml5("run", "--config", str(tmp_path / "bad.toml"), "--out", str(out))
    assert result.returncode == 2, result.stderr
    assert key in result.stderr
    assert not out.exists()


def test_missing_dataset_path_exits_2(tmp_path, install_plugin):
    env = install_plugin("ml5-ondisk", ONDISK_DATASET)
    (tmp_path / "c.toml").write_text("[models.tiny]\ndataset = 'ondisk'\n")
    out = tmp_path / "run"
    result = run_ml5("run", "--plugins", "ml5_ondisk", "--config", str(tmp_path / "c.toml"), "--out", str(out), env=env)
    assert result.returncode == 2
    assert "models.tiny.path" in result.stderr and "ondisk" in result.stderr
    assert not out.exists()
    (tmp_path / "c.toml").write_text("[models.tiny]\npath = 'does/not/exist'\n")
    result = run_ml5("run", "--plugins", "ml5_ondisk", "--config", str(tmp_path / "c.toml"), "--out", str(out), env=env)
    assert result.returncode == 2 and "models.tiny.path" in result.stderr and not out.exists()


def test_unknown_plugin_selection_is_usage_error(tmp_path):
    result = run_ml5("run", "--plugins", "nosuch", "--out", str(tmp_path / "run"))
    assert result.returncode == 2 and "nosuch" in result.stderr and "available" in result.stderr
    assert not (tmp_path / "run").exists()


def test_run_without_model_plugins_reports_so(tmp_path):
    out = tmp_path / "run"
    result = run_ml5("run", "--out", str(out), env={"ML5_PLUGINS": ""})
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["models"] == [] and "No model plugins are installed" in report["notes"][0]
    assert "No model plugins are installed" in (out / "report.md").read_text()


def test_validate_missing_folder_is_usage_error(tmp_path):
    result = run_ml5("validate", str(tmp_path / "nope"))
    assert result.returncode == 2 and "does not exist" in result.stderr


def test_run_into_a_path_that_cannot_be_a_folder_is_refused(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    result = run_ml5("run", "--out", str(tmp_path / "a-file" / "run"))
    assert result.returncode == 2, result.stderr
    assert f"cannot make the run folder {tmp_path / 'a-file' / 'run'}" in result.stderr and "Traceback" not in result.stderr
