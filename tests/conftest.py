"""Shared pieces of the cross-package tests: a small-budget config and one real run of it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ml5.testing import run_cli

#: enough to learn every synthetic task well past the baseline on 2 CPU cores, and no more
SMALL_BUDGET = """
[train]
epochs = {epochs}
batch_size = 64
learning_rate = 0.002
patience = 6

[models.emotion]
dataset = "synthetic"
[models.emotion.options]
samples = {samples}
[models.melody]
dataset = "synthetic"
[models.melody.options]
samples = {samples}
[models.harmony]
dataset = "synthetic"
[models.harmony.options]
samples = {samples}
[models.dynamics.options]
samples = {samples}
[models.groove.options]
samples = {samples}
"""


def small_config(folder: Path, epochs: int = 20, samples: int = 2048) -> Path:
    path = folder / "ml5.toml"
    path.write_text(SMALL_BUDGET.format(epochs=epochs, samples=samples))
    return path


@pytest.fixture
def make_config():
    """``make_config(folder, epochs=…, samples=…)`` writes a small-budget ml5.toml."""
    return small_config


@pytest.fixture(scope="session")
def full_run(tmp_path_factory):
    """``ml5 run`` of all five models on the synthetic set, small budget, once per session."""
    folder = tmp_path_factory.mktemp("full-run")
    result = run_cli("run", "--config", str(small_config(folder)), "--out", str(folder / "run"))
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((folder / "run" / "report.json").read_text())
    return folder / "run", report, result
