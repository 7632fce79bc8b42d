"""Engines come from plugins (``ml5_register_engines``): ``ml5 plugins`` lists them, ``ml5 evaluate``
scores with the one named or the preferred one installed, and an unknown name is a usage error
naming the installed ones — with a real plugin distribution installed for the test."""

from __future__ import annotations

import json

import pytest
from ml5.testing import run_cli as run_ml5

#: two engines that run an export (a JSON file of affine weights): "matrix" (preferred) and "rows"
#: (one row at a time), which agree
ENGINES = """
import json
from pathlib import Path

import ml5


class Affine:
    def __init__(self, path, by_rows):
        doc = json.loads(Path(path).read_text())
        if "w" not in doc:
            raise ValueError(f"{Path(path).name}: no weights")
        import numpy as np

        self.w, self.b, self.by_rows = np.asarray(doc["w"], np.float64), np.asarray(doc["b"], np.float64), by_rows
        self.in_size, self.out_size = self.w.shape

    def forward(self, x):
        return x @ self.w + self.b

    def forward_batch(self, xs):
        import numpy as np

        return np.stack([self.forward(x) for x in xs]) if self.by_rows else xs @ self.w + self.b


@ml5.hookimpl
def ml5_register_engines(register):
    register(ml5.Engine(name="matrix", load=lambda path: Affine(path, False), priority=5, description="all rows at once"))
    register(ml5.Engine(name="rows", load=lambda path: Affine(path, True), description="one row at a time"))
"""

#: a model and a data set that feeds it: y = 1·x0 + 2·x1 + 0.5
PAIRS = """
import ml5


def open_pairs(spec, path, options):
    import numpy as np

    x = np.random.default_rng(0).normal(size=(64, 2)).astype(np.float32)
    y = (x @ np.array([[1.0], [2.0]]) + 0.5).astype(np.float32)
    return ml5.Data(inputs=x, targets=y, fingerprint="pairs")


@ml5.hookimpl
def ml5_register_models(register):
    register(ml5.ModelSpec(name="tiny", title="Tiny", stem="tiny", input_size=2, output_size=1,
                           layers=[ml5.Dense(2, 1)], head="", loss="mse", default_dataset="pairs"))


@ml5.hookimpl
def ml5_register_datasets(register):
    register(ml5.DatasetFormat(name="pairs", feeds=("tiny",), open=open_pairs, needs_path=False))
"""


@pytest.fixture
def installed(install_plugin, tmp_path):
    """(env with only the two plugins loaded, a folder holding the model's export)."""
    install_plugin("ml5-pairs", PAIRS)
    env = {**install_plugin("ml5-engines", ENGINES), "ML5_PLUGINS": "ml5_pairs,ml5_engines"}
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "tiny.json").write_text(json.dumps({"w": [[1.0], [2.0]], "b": [0.5]}))
    return env, exports


def _evaluate(env, exports, *args):
    return run_ml5("evaluate", str(exports), "--dataset", "pairs", "--split", "all", "--json", *args, env=env)


def test_plugins_lists_the_engines_a_plugin_provides(installed):
    env, _ = installed
    rows = {row["name"]: row for row in json.loads(run_ml5("plugins", "--json", env=env).stdout)}
    row = rows["ml5_engines"]
    assert row["provides"] == {"engines": ["matrix", "rows"]} and row["hooks"] == ["ml5_register_engines"]
    assert row["provides"]["engines"] == ["matrix", "rows"] and "ml5_register_engines" in row["hooks"]
    table = run_ml5("plugins", env=env).stdout
    assert "engines: matrix, rows" in table


def test_evaluate_runs_the_preferred_engine_or_the_one_named_and_they_agree(installed):
    env, exports = installed
    default, rows = _evaluate(env, exports), _evaluate(env, exports, "--engine", "rows")
    assert default.returncode == 0 and rows.returncode == 0, default.stderr + rows.stderr
    default_doc, rows_doc = json.loads(default.stdout), json.loads(rows.stdout)
    assert default_doc["engine"] == "matrix" and rows_doc["engine"] == "rows"  # the higher priority by default
    (a,), (b,) = default_doc["models"], rows_doc["models"]
    assert a["scored"] and b["scored"] and a["examples"] == b["examples"] == 64
    assert a["metric"]["value"] == pytest.approx(0.0, abs=1e-10)  # the export is the data's own rule
    assert a["predictions"] == pytest.approx(b["predictions"], abs=1e-12)


def test_an_unknown_engine_is_a_usage_error_naming_the_installed_ones(installed):
    env, exports = installed
    result = _evaluate(env, exports, "--engine", "gpu")
    assert result.returncode == 2 and not result.stdout
    assert "--engine: unknown engine 'gpu'; installed: matrix, rows" in " ".join(result.stderr.split())


def test_without_an_engine_evaluate_is_a_usage_error(installed):
    env, exports = installed
    result = run_ml5("--disable", "ml5_engines", "evaluate", str(exports), "--dataset", "pairs", "--split", "all", env=env)
    assert result.returncode == 2 and "no engine is installed to run exported models" in " ".join(result.stderr.split())


def test_a_file_the_engine_refuses_is_not_scored(installed):
    env, exports = installed
    (exports / "tiny.json").write_text(json.dumps({"b": [0.5]}))
    result = _evaluate(env, exports)
    assert result.returncode == 1
    (model,) = json.loads(result.stdout)["models"]
    assert not model["scored"] and model["reason"] == "tiny.json does not run: tiny.json: no weights"
