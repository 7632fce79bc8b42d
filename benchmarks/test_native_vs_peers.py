"""The C++ engine next to a plain Eigen implementation, ONNX Runtime and PyTorch eager, on the
same five models and inputs, in one run.

- Per model, one frame per call (batch 1), stateless — how a plugin's audio thread runs them —
  from Python for every engine: the native engine in float32 and with half-precision weights
  (fp16), ONNX Runtime, torch eager. "five" is the chain of MODELS.md for one 128-feature frame
  (emotion, then melody, harmony, dynamics and groove from it).
- The same in C++ with no Python in the loop (peers/, built here with CMake; needs Eigen 3.4):
  native fp32, native fp16 and the Eigen peer, interleaved round by round.
- Batched: frames per second at batch 1, 16 and 256, each engine given the whole batch at once
  (native forward_batch, ONNX Runtime and torch with a batch dimension).
- Load time of the five RTNeural files in the C++ engine.

Every engine runs on one thread. After the module the medians and ratios are printed and
written to benchmarks/results/peers.json.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
ort = pytest.importorskip("onnxruntime")
ml5_native = pytest.importorskip("ml5_native")
pytest.importorskip("ml5_onnx")

from ml5.plugins import load  # noqa: E402
from ml5.registry import Registry  # noqa: E402
from ml5_onnx.export import model_proto  # noqa: E402
from ml5_onnx.format import INPUT, OUTPUT  # noqa: E402
from ml5_rtneural.export import model_text  # noqa: E402

CHAIN = ("emotion", "melody", "harmony", "dynamics", "groove")
ENGINES = ("native", "native_fp16", "onnxruntime", "torch")
BATCH_ENGINES = ("native", "onnxruntime", "torch")
BATCHES = (1, 16, 256)
RESULTS: dict[str, dict[str, float]] = {}
CPP: dict = {}  # the C++ harness's figures
BATCHED: dict[str, dict[str, float]] = {}  # "model, batch N" -> engine -> frames/s
RESULTS_FILE = Path(__file__).parent / "results" / "peers.json"


@pytest.fixture(scope="module", autouse=True)
def ratios():
    """After the module's benchmarks: medians and ratios to ONNX Runtime and PyTorch, printed
    and written to benchmarks/results/peers.json (only when the whole module ran)."""
    yield
    if "five" not in RESULTS or "load_five_seconds" not in RESULTS:
        return
    summary: dict[str, object] = {
        key: {
            **{f"{engine}_us": round(value * 1e6, 2) for engine, value in times.items()},
            **{f"{engine}_vs_native": round(times[engine] / times["native"], 3) for engine in times if engine != "native"},
        }
        for key, times in RESULTS.items()
        if key != "load_five_seconds"
    }
    summary["load_five_seconds"] = round(RESULTS["load_five_seconds"]["native"], 4)
    if CPP:
        summary["cpp"] = CPP
    if BATCHED:
        summary["batched_frames_per_second"] = {
            key: {**{k: round(v) for k, v in fps.items()},
                  "native_vs_onnxruntime": round(fps["native"] / fps["onnxruntime"], 2)}
            for key, fps in BATCHED.items() if {"native", "onnxruntime"} <= set(fps)
        }
    summary["when"] = time.strftime("%Y-%m-%d %H:%M")
    RESULTS_FILE.parent.mkdir(exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(summary, indent=2) + "\n")
    print("\n" + json.dumps(summary, indent=2))


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """Per model: the torch module, its RTNeural file loaded natively, its ONNX session."""
    torch.set_num_threads(1)
    folder = tmp_path_factory.mktemp("peers")
    specs = {name: entry.spec for name, entry in Registry(load()).models.items() if name in CHAIN}
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    built = {}
    for name in CHAIN:
        spec = specs[name]
        torch.manual_seed(0)
        module = spec.build().eval()
        json_path = folder / f"{spec.stem}.json"
        json_path.write_text(model_text(spec, module.layer_weights()))
        onnx_path = folder / f"{spec.stem}.onnx"
        onnx_path.write_bytes(model_proto(spec, module.layer_weights()).SerializeToString())  # as `ml5 run` exports it
        session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        built[name] = {"spec": spec, "torch": module, "native": ml5_native.load(json_path),
                       "native_fp16": ml5_native.load(json_path, precision="fp16"), "onnx": session, "json": json_path}
    return built


def _runner(engine: str, entry: dict):
    if engine in ("native", "native_fp16"):
        return entry[engine].forward
    if engine == "onnxruntime":
        session = entry["onnx"]
        return lambda x: session.run([OUTPUT], {INPUT: x.reshape(1, -1)})[0][0]
    module = entry["torch"]

    def run_torch(x):
        with torch.inference_mode():
            return module(torch.from_numpy(x).reshape(1, -1))[0].numpy()

    return run_torch


def _record(benchmark, key: str, engine: str) -> None:
    RESULTS.setdefault(key, {})[engine] = benchmark.stats.stats.median


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", CHAIN)
def test_frame(benchmark, models, name, engine):
    entry = models[name]
    x = np.random.default_rng(1).uniform(-1, 1, entry["spec"].input_size).astype(np.float32)
    run = _runner(engine, entry)
    expected = _runner("torch", entry)(x)
    # the same computation, engine for engine; fp16 rounds the weights (2^-11 relative)
    assert np.max(np.abs(run(x) - expected)) < (2e-3 if engine == "native_fp16" else 1e-5)
    benchmark.group = f"frame: {name}"
    benchmark(run, x)
    _record(benchmark, name, engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_five_model_frame(benchmark, models, engine):
    run = {name: _runner(engine, models[name]) for name in CHAIN}
    features = np.random.default_rng(2).uniform(-1, 1, 128).astype(np.float32)

    def pipeline(f):
        emotion = np.asarray(run["emotion"](f), dtype=np.float32)
        return (
            run["melody"](emotion),
            run["harmony"](np.concatenate([emotion, f[:64]])),
            run["dynamics"](np.ascontiguousarray(emotion[:32])),
            run["groove"](emotion),
        )

    benchmark.group = "frame: five (the chain)"
    benchmark(pipeline, features)
    _record(benchmark, "five", engine)


def test_load_five_files(benchmark, models):
    paths = [models[name]["json"] for name in CHAIN]
    benchmark.group = "load the five RTNeural files (native)"
    benchmark.pedantic(lambda: [ml5_native.load(p) for p in paths], rounds=5, warmup_rounds=1)
    RESULTS["load_five_seconds"] = {"native": benchmark.stats.stats.median}


def _batch_runner(engine: str, entry: dict):
    if engine == "native":
        return entry["native"].forward_batch
    if engine == "onnxruntime":
        session = entry["onnx"]
        return lambda x: session.run([OUTPUT], {INPUT: x})[0]
    module = entry["torch"]

    def run_torch(x):
        with torch.inference_mode():
            return module(torch.from_numpy(x)).numpy()

    return run_torch


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("engine", BATCH_ENGINES)
@pytest.mark.parametrize("name", CHAIN)
def test_batch(benchmark, models, name, engine, batch):
    entry = models[name]
    x = np.random.default_rng(3).uniform(-1, 1, (batch, entry["spec"].input_size)).astype(np.float32)
    run = _batch_runner(engine, entry)
    assert np.max(np.abs(run(x) - _batch_runner("torch", entry)(x))) < 1e-5
    benchmark.group = f"batch {batch}: {name}"
    benchmark(run, x)
    BATCHED.setdefault(f"{name}, batch {batch}", {})[engine] = batch / benchmark.stats.stats.median


PEERS = Path(__file__).parent / "peers"


def test_cpp_engine_vs_eigen(benchmark, models, tmp_path_factory):
    """The C++ harness: native fp32, native fp16 and the Eigen peer with no Python in the loop,
    interleaved round by round (peers/peers.cpp)."""
    if shutil.which("cmake") is None or shutil.which("c++") is None:
        pytest.skip("needs cmake and a C++ compiler")
    build = tmp_path_factory.mktemp("peers-build")
    configure = subprocess.run(["cmake", "-S", str(PEERS), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release"],
                               capture_output=True, text=True)
    if configure.returncode != 0 and "Eigen3" in configure.stdout + configure.stderr:
        pytest.skip("Eigen 3.4 not found (Debian/Ubuntu: apt-get install libeigen3-dev)")
    assert configure.returncode == 0, configure.stderr[-3000:]
    subprocess.run(["cmake", "--build", str(build), "-j2"], check=True, capture_output=True)
    files = [str(models[name]["json"]) for name in CHAIN]
    out: list[dict] = []
    benchmark.group = "C++: native fp32 / fp16 vs the Eigen peer"
    benchmark.pedantic(lambda: out.append(json.loads(subprocess.run(
        [str(build / "ml5-peers"), *files, "--rounds", "300"], check=True, capture_output=True, text=True).stdout)),
        rounds=1, iterations=1)
    doc = out[0]
    for model, errors in doc["max_abs_error_vs_native"].items():
        assert max(v for k, v in errors.items() if k != "native_fp16") < 1e-5, (model, errors)
        assert errors["native_fp16"] < 2e-3, (model, errors)
    CPP.update({
        model: {
            **{f"{engine}_ns": round(ns) for engine, ns in times.items()},
            "native_vs_eigen": round(times["native"] / times["eigen"], 3),
            "fp16_vs_fp32": round(times["native_fp16"] / times["native"], 3),
            "fp16_max_abs_error": doc["max_abs_error_vs_native"][model]["native_fp16"],
        }
        for model, times in doc["ns_per_frame"].items()
    })
