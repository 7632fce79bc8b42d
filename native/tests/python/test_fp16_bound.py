"""The fp16 error bound (native/tests/error_bound.hpp) on random models.

Models drawn with fixed seeds cover every layer type (dense with every activation,
time-distributed-dense, activation layers, lstm, gru, conv1d with kernel, dilation and groups,
prelu, batchnorm), sizes 1-256 (log-uniform, so most are small), depth 1-4, weights at Glorot
scale and 8x it, inputs N(0, 1) and x10, 1-16 steps. Each is written as a case of the
conformance suite's format, expected_double from the numpy float64 reference engine
(ml5_rtneural.reference), and the C++ conformance runner runs them all in fp16: every output
within the derived bound, and the bound tight enough to mean something (median ratio of error to
bound over the models at least 0.02).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import ml5_native
import numpy as np
import pytest
from ml5_rtneural.format import parse_text
from ml5_rtneural.reference import Engine

SEED = 20261130
MODELS = 2000
MAX_NUMBERS = 40_000  # weights per model: a model above it is drawn again (keeps the files small)
KINDS = ("dense", "time-distributed-dense", "activation", "lstm", "gru", "conv1d", "prelu", "batchnorm")
KIND_ODDS = (0.26, 0.08, 0.12, 0.16, 0.12, 0.12, 0.07, 0.07)
ACTIVATIONS = ("tanh", "relu", "sigmoid", "softmax", "elu", "")


def _size(rng: np.random.Generator) -> int:
    """1-256, log-uniform."""
    return int(min(256, np.exp(rng.uniform(0.0, np.log(257.0)))))


def _numbers(a: np.ndarray) -> str:
    """JSON text of an array of float32 values, each written to round-trip float32 (9 digits)."""
    if a.ndim == 1:
        return "[" + ",".join(np.char.mod("%.9g", a.astype(np.float64))) + "]"
    return "[" + ",".join(_numbers(row) for row in a) + "]"


def _glorot(rng: np.random.Generator, shape: tuple[int, ...], fan_in: int, fan_out: int, scale: float) -> np.ndarray:
    limit = scale * np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, shape).astype(np.float32)


def _layer(rng: np.random.Generator, kind: str, n: int, scale: float) -> tuple[dict, int]:
    """One layer after a layer of size n: its JSON object (weights as text) and its size."""
    bias = lambda m: (0.1 * scale * rng.standard_normal(m)).astype(np.float32)  # noqa: E731
    if kind in ("dense", "time-distributed-dense"):
        m = _size(rng)
        w = [_glorot(rng, (n, m), n, m, scale), bias(m)]
        return {"type": kind, "activation": str(rng.choice(ACTIVATIONS)), "shape": [None, m], "weights": w}, m
    if kind == "activation":
        return {"type": kind, "activation": str(rng.choice(ACTIVATIONS)), "shape": [None, n], "weights": []}, n
    if kind in ("lstm", "gru"):
        h, gates = _size(rng), 4 if kind == "lstm" else 3
        w = [_glorot(rng, (n, gates * h), n, gates * h, scale), _glorot(rng, (h, gates * h), h, gates * h, scale)]
        w.append(bias(gates * h) if kind == "lstm" else np.stack([bias(gates * h), bias(gates * h)]))
        return {"type": kind, "shape": [None, h], "weights": w}, h
    if kind == "conv1d":
        groups = int(rng.choice([g for g in range(1, 9) if n % g == 0]))
        m = groups * max(1, _size(rng) // groups)
        k, d = int(rng.integers(1, 6)), int(rng.integers(1, 4))
        w = [_glorot(rng, (k, n // groups, m), k * n // groups, k * m // groups, scale), bias(m)]
        return {"type": kind, "activation": str(rng.choice(ACTIVATIONS)), "kernel_size": [k], "dilation": d,
                "groups": groups, "shape": [None, m], "weights": w}, m
    if kind == "prelu":
        alphas = rng.uniform(-0.5, 1.5, 1 if rng.random() < 0.3 else n).astype(np.float32)
        return {"type": kind, "shape": [None, n], "weights": [alphas[None, :]]}, n
    # batchnorm, with or without gamma and beta
    stats = [rng.normal(0.0, scale, n), rng.uniform(0.05, 2.0, n)]
    if rng.random() < 0.7:
        stats = [rng.uniform(-2.0, 2.0, n), rng.normal(0.0, 1.0, n), *stats]
    return {"type": kind, "epsilon": float(rng.choice([1e-3, 1e-5])), "shape": [None, n],
            "weights": [s.astype(np.float32) for s in stats]}, n


def _model_text(layers: list[dict], n_in: int) -> str:
    parts = []
    for layer in layers:
        head = json.dumps({k: v for k, v in layer.items() if k != "weights"})[:-1]
        parts.append(head + ',"weights":[' + ",".join(_numbers(np.asarray(w)) for w in layer["weights"]) + "]}")
    return '{"in_shape":[null,' + str(n_in) + '],"layers":[' + ",".join(parts) + "]}"


def draw_case(index: int) -> tuple[str, dict, dict]:
    """Model `index` of the suite: (model text, case without file names, what was drawn)."""
    rng = np.random.default_rng([SEED, index])
    while True:
        n_in, depth = _size(rng), int(rng.integers(1, 5))
        weight_scale, input_scale = float(rng.choice([1.0, 8.0])), float(rng.choice([1.0, 10.0]))
        layers, kinds, n = [], [], n_in
        for _ in range(depth):
            kind = str(rng.choice(KINDS, p=KIND_ODDS))
            layer, n = _layer(rng, kind, n, weight_scale)
            layers.append(layer)
            kinds.append(kind + (f":{layer['activation']}" if "activation" in layer else ""))
        if sum(np.asarray(w).size for layer in layers for w in layer["weights"]) <= MAX_NUMBERS:
            break
    text = _model_text(layers, n_in)
    steps = int(rng.integers(1, 17))
    inputs = [[float(v) for v in np.char.mod("%.9g", row)]
              for row in (input_scale * rng.standard_normal((steps, n_in))).astype(np.float32).astype(np.float64)]
    model = parse_text(text)
    engine = Engine(model, stateless=False)
    expected = [engine.forward(np.asarray(x)).tolist() for x in inputs]
    case = {"kind": "accept", "in_size": n_in, "out_size": n, "n_steps": steps, "n_params": model.n_numbers,
            "inputs": inputs, "expected_double": expected, "tolerance_float": 1.0, "tolerance_double": 1e-9}
    drawn = {"kinds": kinds, "depth": depth, "weight_scale": weight_scale, "input_scale": input_scale}
    return text, case, drawn


def write_suite(folder: Path, count: int) -> list[dict]:
    """Models 0..count-1 as a conformance folder; returns what was drawn for each."""
    folder.mkdir(parents=True, exist_ok=True)
    index, drawn = [], []
    for i in range(count):
        name = f"random_{i:04d}"
        text, case, what = draw_case(i)
        (folder / f"{name}.model.json").write_text(text)
        case = {"model": f"{name}.model.json", "description": " -> ".join(what["kinds"]), **case}
        (folder / f"{name}.case.json").write_text(json.dumps(case))
        index.append({"name": name, "kind": "accept", "case": f"{name}.case.json"})
        drawn.append(what)
    (folder / "index.json").write_text(json.dumps({"cases": index}))
    return drawn


def run_suite(runner: Path, folder: Path, precision: str, report: Path) -> tuple[subprocess.CompletedProcess, dict]:
    result = subprocess.run([str(runner), str(folder), "--precision", precision, "--report", str(report)],
                            capture_output=True, text=True, timeout=600)
    return result, json.loads(report.read_text()) if report.exists() else {}


@pytest.fixture(scope="module")
def runner(native_release) -> Path:
    return native_release.build / "tests" / "ml5rt_conformance"


@pytest.fixture(scope="module")
def suite(tmp_path_factory) -> Iterator[tuple[Path, list[dict]]]:
    folder = tmp_path_factory.mktemp("fp16-bound")
    yield folder / "cases", write_suite(folder / "cases", MODELS)
    shutil.rmtree(folder, ignore_errors=True)  # some 140 MB of model files


def test_the_suite_covers_every_layer_type_and_activation(suite):
    _, drawn = suite
    kinds = Counter(k.split(":")[0] for d in drawn for k in d["kinds"])
    assert set(kinds) == set(KINDS)
    activations = Counter(k for d in drawn for k in d["kinds"] if k.startswith(("dense:", "activation:")))
    assert {f"dense:{a}" for a in ACTIVATIONS} <= set(activations)
    assert {d["depth"] for d in drawn} == {1, 2, 3, 4}
    assert {(d["weight_scale"], d["input_scale"]) for d in drawn} == {(1, 1), (1, 10), (8, 1), (8, 10)}


@pytest.mark.parametrize("precision", ["fp16", "fp32"])
def test_every_random_model_is_within_the_derived_bound(runner, suite, tmp_path, precision):
    folder, _ = suite
    result, report = run_suite(runner, folder, precision, tmp_path / "report.json")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert len(report["cases"]) == MODELS
    assert report["largest_ratio"] <= 1.0
    if precision == "fp16":
        # tight enough to mean something: a bound far above every error would pass anything
        assert report["median_ratio"] >= 0.02, report["median_ratio"]
    print(f"\n{precision}: {MODELS} models (seed {SEED}), error / bound: largest {report['largest_ratio']:.3g} "
          f"({report['largest_case']}), median {report['median_ratio']:.3g}")


def test_an_output_beyond_the_bound_is_flagged(runner, suite, tmp_path):
    # The model with the largest ratio, the expected value of its worst output moved by twice the
    # bound: the engine's output is then more than the bound away from it, whichever side it was.
    folder, _ = suite
    _, report = run_suite(runner, folder, "fp16", tmp_path / "report.json")
    name = report["largest_case"]
    worst = report["cases"][name]
    bad = tmp_path / "bad"
    bad.mkdir()
    case = json.loads((folder / f"{name}.case.json").read_text())
    (bad / case["model"]).write_text((folder / case["model"]).read_text())
    step, out = worst["step"], worst["output"]
    want = case["expected_double"][step][out]
    case["expected_double"][step][out] = want + 2.0 * worst["bound"]
    (bad / f"{name}.case.json").write_text(json.dumps(case))
    (bad / "index.json").write_text(json.dumps({"cases": [{"name": name, "kind": "accept", "case": f"{name}.case.json"}]}))
    result, _ = run_suite(runner, bad, "fp16", tmp_path / "bad.json")
    assert result.returncode != 0
    assert f"FAIL {name}: fp16 step {step} output {out}: |error|" in result.stdout
    assert "> derived bound" in result.stdout


def test_fp16_refuses_a_weight_beyond_the_half_range(tmp_path):
    path = tmp_path / "big.json"
    path.write_text('{"in_shape":[2],"layers":[{"type":"dense","shape":[1],"weights":[[[1],[70000]],[0]]}]}')
    assert ml5_native.load(path).n_params == 3  # fp32 holds it
    with pytest.raises(ml5_native.LoadError, match=r"layer 0 \(dense\): weights\[0\] \(kernel\)\[1\]\[0\] is 70000, "
                                                   r"beyond the largest half-precision number \(65504\)"):
        ml5_native.load(path, precision="fp16")
