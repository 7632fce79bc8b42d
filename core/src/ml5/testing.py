"""Helpers for plugin authors' tests.

- ``registered(plugin)``: register a plugin object for the duration of a ``with`` block and get
  the registry it produces (next to whatever is installed).
- Contract suites every plugin of a kind runs against itself, in the spirit of mirdata's shared
  loader tests: subclass one in your tests and set its class attributes::

      from ml5.testing import ModelContract

      class TestGroove(ModelContract):
          model_name = "groove"
          expected_parameters = 18_656

The suites use pytest fixtures (``tmp_path``) and skip checks whose optional dependency
(torch) is not installed.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from ml5.plugins import Plugins
from ml5.plugins import load as load_plugins
from ml5.registry import Registry
from ml5.specs import ACTIVATIONS, GRU, LSTM, Dense, ModelSpec


def run_cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 600
) -> subprocess.CompletedProcess:
    """Run ``python -m ml5 ARGS`` in a subprocess, as a user runs it; ``env`` adds variables."""
    return subprocess.run(
        [sys.executable, "-m", "ml5", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        timeout=timeout,
    )


#: where the repository keeps its copy of the RTNeural conformance vectors
CONFORMANCE_SUBDIR = Path("tests") / "data" / "rtneural-conformance"


def conformance_dir(start: Path | None = None) -> Path:
    """The RTNeural conformance vectors: ``$ML5_CONFORMANCE_DIR``, else the repository's copy
    (``tests/data/rtneural-conformance``) in the first folder walking up from ``start`` (a file or
    folder; default: the working directory) that has one. Raises ``FileNotFoundError`` saying
    how to point at a copy when there is none."""
    if os.environ.get("ML5_CONFORMANCE_DIR"):
        folder = Path(os.environ["ML5_CONFORMANCE_DIR"])
        if not (folder / "index.json").is_file():
            raise FileNotFoundError(f"ML5_CONFORMANCE_DIR={folder} holds no index.json: point it at a folder of "
                                    "RTNeural conformance cases, or unset it to use the repository's copy")
        return folder
    start = Path.cwd() if start is None else Path(start).resolve()
    for folder in (start, *start.parents):
        candidate = folder / CONFORMANCE_SUBDIR
        if (candidate / "index.json").is_file():
            return candidate
    raise FileNotFoundError(f"no {CONFORMANCE_SUBDIR.as_posix()} in {start} or above it: run from an ml5 checkout, "
                            "or set ML5_CONFORMANCE_DIR to a folder of RTNeural conformance cases")


@contextlib.contextmanager
def registered(plugin: object, name: str = "test-plugin", installed: bool = True) -> Iterator[Registry]:
    """Register ``plugin`` (a module or object with ``@ml5.hookimpl`` functions) temporarily.
    ``installed=False`` leaves the installed entry points out."""
    plugins = load_plugins() if installed else Plugins()
    plugins.register(plugin, name)
    try:
        yield Registry(plugins)
    finally:
        plugins.unregister(name)


@functools.lru_cache(maxsize=1)
def _registry() -> Registry:
    """The installed plugins' registry, loaded once per test process (the contracts only read it)."""
    return Registry(load_plugins())


def open_dataset(dataset: str, model: str, path: Path | None, **options: Any) -> Any:
    """``Data`` of an installed dataset format for an installed model, with its default options
    updated by ``options`` — what ``ml5 run`` would train on."""
    registry = _registry()
    fmt = registry.datasets[dataset].spec
    return fmt.open(registry.models[model].spec, path, {**fmt.options, **options})


def _needs(module: str) -> None:
    if importlib.util.find_spec(module) is None:
        import pytest

        pytest.skip(f"{module} is not installed")


class ModelContract:
    """Checks every model plugin must pass."""

    model_name: ClassVar[str]
    expected_parameters: ClassVar[int | None] = None

    def spec(self) -> ModelSpec:
        models = _registry().models
        assert self.model_name in models, f"model {self.model_name!r} is not registered; installed: {list(models)}"
        return models[self.model_name].spec

    def test_parameter_count(self) -> None:
        spec = self.spec()
        if self.expected_parameters is not None:
            assert spec.param_count == self.expected_parameters

    def test_meaning_is_documented(self) -> None:
        spec = self.spec()
        assert spec.input_meaning and spec.output_meaning and spec.description
        assert all(layer.activation in ACTIVATIONS for layer in spec.layers)

    def test_torch_module_matches_spec(self) -> None:
        _needs("torch")
        import torch

        spec = self.spec()
        module = spec.build()
        assert sum(p.numel() for p in module.parameters()) == spec.param_count
        x = torch.rand(5, spec.input_size) * 2 - 1
        y = module(x).detach()
        assert y.shape == (5, spec.output_size)
        if spec.head == "tanh":
            assert float(y.abs().max()) <= 1
        elif spec.head == "sigmoid":
            assert float(y.min()) >= 0 and float(y.max()) <= 1
        elif spec.head == "softmax":
            assert torch.allclose(y.sum(dim=1), torch.ones(5), atol=1e-5)

    def test_layer_weights_round_trip(self) -> None:
        _needs("torch")
        import torch

        spec = self.spec()
        torch.manual_seed(1)
        a = spec.build()
        torch.manual_seed(2)
        b = spec.build()
        b.load_layer_weights(a.layer_weights())
        x = torch.rand(3, spec.input_size)
        assert torch.equal(a(x), b(x))

    def test_default_dataset_feeds_it(self) -> None:
        spec = self.spec()
        datasets = _registry().datasets
        if spec.default_dataset in datasets:
            assert spec.name in datasets[spec.default_dataset].spec.feeds


class DatasetContract:
    """Checks every dataset format must pass. Set ``dataset_name`` and implement ``make_dataset``
    to write a small copy of the real layout into ``tmp_path`` (return None for generators)."""

    dataset_name: ClassVar[str]
    #: models whose targets the inputs only weakly predict, with the reason (documented in the
    #: format's README): on a small fixture a linear fit cannot show the dependence, so for these
    #: the not-noise check asks only that inputs and targets both vary
    weak_signal: ClassVar[dict[str, str]] = {}

    def make_dataset(self, tmp_path: Path) -> Path | None:
        return None

    def options(self) -> dict[str, Any]:
        return {}

    def _open(self, tmp_path: Path, model: str) -> Any:
        registry = _registry()
        fmt = registry.datasets[self.dataset_name].spec
        spec = registry.models[model].spec
        return fmt.open(spec, self.make_dataset(tmp_path), {**fmt.options, **self.options()})

    def fed_models(self) -> list[str]:
        registry = _registry()
        assert self.dataset_name in registry.datasets, f"dataset {self.dataset_name!r} is not registered"
        feeds = registry.datasets[self.dataset_name].spec.feeds
        installed = [m for m in feeds if m in registry.models]
        assert installed, f"none of the models {self.dataset_name!r} feeds is installed ({', '.join(feeds)}): install one to test it"
        return installed

    def test_describes_itself(self) -> None:
        fmt = _registry().datasets[self.dataset_name].spec
        assert fmt.description and fmt.license and fmt.feeds

    def test_arrays_fit_each_model(self, tmp_path: Path) -> None:
        import numpy as np

        for model in self.fed_models():
            spec = _registry().models[model].spec
            data = self._open(tmp_path / model, model)
            assert data.inputs.shape[1] == spec.input_size and data.targets.shape[1] == spec.output_size
            assert len(data.inputs) == len(data.targets) > 0
            assert data.inputs.dtype == np.float32 and data.targets.dtype == np.float32
            assert np.isfinite(data.inputs).all() and np.isfinite(data.targets).all()
            assert data.fingerprint
            if data.skipped:  # the statistics count every skipped item, whatever they list of them
                assert data.stats.get("skipped_total") == len(data.skipped), model

    def test_deterministic(self, tmp_path: Path) -> None:
        import numpy as np

        for model in self.fed_models():
            first, second = self._open(tmp_path / "a" / model, model), self._open(tmp_path / "b" / model, model)
            assert first.fingerprint == second.fingerprint
            assert np.array_equal(first.inputs, second.inputs) and np.array_equal(first.targets, second.targets)

    def test_targets_are_not_noise(self, tmp_path: Path) -> None:
        """Targets must depend on inputs: a (ridge) linear fit must beat the trivial baseline of
        the model's own task metric (``ml5.metrics``) — by 10% for an error, at all for a score."""
        import numpy as np

        from ml5.metrics import task_metrics

        for model in self.fed_models():
            spec = _registry().models[model].spec
            data = self._open(tmp_path / model, model)
            x = np.c_[data.inputs, np.ones(len(data.inputs))].astype(np.float64)
            y = data.targets
            if model in self.weak_signal:
                assert np.ptp(data.inputs, axis=0).max() > 0 and np.ptp(y, axis=0).max() > 0, model
                continue
            # fit on every other row, score on the rest: real data sets come ordered by file or
            # label, and a first-half/second-half cut would ask the fit to extrapolate
            fit_rows, test_rows = slice(0, None, 2), slice(1, None, 2)
            n_fit = len(x[fit_rows])
            # ridge regression: the penalty keeps a small toy copy from being overfitted
            gram = x[fit_rows].T @ x[fit_rows] + 1.0 * n_fit * np.eye(x.shape[1]) * 1e-2
            coef = np.linalg.solve(gram, x[fit_rows].T @ y[fit_rows])
            m = task_metrics(spec.loss, x[test_rows] @ coef, y[test_rows], y[fit_rows])
            better = m["value"] > m["baseline"] if m["higher_is_better"] else m["value"] < 0.9 * m["baseline"]
            assert better, f"{model}: a linear fit explains almost nothing ({m['metric']} {m['value']:.4g} vs {m['baseline']:.4g})"


#: small specs covering every layer kind, for checks that must not depend on what is installed
SAMPLE_SPECS = (
    ModelSpec(name="sample-dense", title="SampleDense", stem="sampledense", input_size=5, output_size=3,
              layers=[Dense(5, 7, "relu"), Dense(7, 4, "elu"), Dense(4, 3, "softmax")], head="softmax", loss="kl"),
    ModelSpec(name="sample-lstm", title="SampleLSTM", stem="samplelstm", input_size=6, output_size=2,
              layers=[Dense(6, 8, "tanh"), LSTM(8, 5), Dense(5, 2, "sigmoid")], head="sigmoid", loss="bce"),
    ModelSpec(name="sample-gru", title="SampleGRU", stem="samplegru", input_size=4, output_size=3,
              layers=[GRU(4, 6), Dense(6, 3, "tanh")], head="tanh", loss="mse"),
)


class ExporterContract:
    """Checks every exporter must pass: it writes a file for each sample spec and each installed
    model, atomically, that its own ``validate`` accepts, and refuses non-finite weights
    without writing anything."""

    exporter_name: ClassVar[str]

    def specs(self) -> list[ModelSpec]:
        return [*SAMPLE_SPECS, *(e.spec for e in _registry().models.values())]

    def _trained(self, spec: ModelSpec, scale: float = 0.1) -> Any:
        import numpy as np

        from ml5.run import TrainedModel

        rng = np.random.default_rng(0)
        weights = []
        for layer in spec.layers:
            gates = {"dense": 1, "lstm": 4, "gru": 3}[layer.kind]
            shape_ih, shape_hh = (gates * layer.out_size, layer.in_size), (gates * layer.out_size, layer.out_size)
            if layer.kind == "dense":
                arrays = {"weight": rng.normal(0, scale, shape_ih), "bias": rng.normal(0, scale, layer.out_size)}
            else:
                arrays = {
                    "weight_ih": rng.normal(0, scale, shape_ih),
                    "weight_hh": rng.normal(0, scale, shape_hh),
                    "bias_ih": rng.normal(0, scale, gates * layer.out_size),
                    "bias_hh": rng.normal(0, scale, gates * layer.out_size),
                }
            weights.append({k: v.astype(np.float32) for k, v in arrays.items()})
        return TrainedModel(spec, tuple(weights), lambda x: x, {}, np.zeros((0, spec.input_size)), "test")

    def test_exports_every_model(self, tmp_path: Path) -> None:
        exporter = _registry().exporters[self.exporter_name].spec
        for spec in self.specs():
            path = tmp_path / f"{spec.stem}{exporter.suffix}"
            exporter.export(self._trained(spec), {"model": spec.title}, path)
            assert path.is_file() and path.stat().st_size > 0
            assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
            if exporter.validate:
                assert exporter.validate(path, spec) == []

    def test_refuses_non_finite_weights(self, tmp_path: Path) -> None:
        import numpy as np

        exporter = _registry().exporters[self.exporter_name].spec
        for spec in SAMPLE_SPECS:
            trained = self._trained(spec)
            trained.layer_weights[-1][next(iter(trained.layer_weights[-1]))][0, 0] = np.nan
            path = tmp_path / f"{spec.stem}{exporter.suffix}"
            try:
                exporter.export(trained, {}, path)
            except ValueError:
                pass
            else:
                raise AssertionError("export of NaN weights did not raise")
            assert list(tmp_path.iterdir()) == []
