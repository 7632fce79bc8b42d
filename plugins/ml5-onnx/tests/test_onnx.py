"""The ONNX exporter and the ONNX Runtime verifier, against the torch modules of the specs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import attrs
import numpy as np
import onnx
import onnxruntime as ort
import pytest
from ml5.plugins import load
from ml5.registry import Registry
from ml5.run import TrainedModel, model_card, verification_inputs
from ml5.specs import Dense, ModelSpec
from ml5.testing import SAMPLE_SPECS, ExporterContract, run_cli
from ml5_onnx import EXPORTER, TOLERANCE, VERIFIER
from ml5_onnx.validate import problems

FIVE = ("emotion", "melody", "harmony", "dynamics", "groove")


class TestExporter(ExporterContract):
    exporter_name = "onnx"


def _spec(name: str) -> ModelSpec:
    models = Registry(load()).models
    if name not in models:
        pytest.skip(f"model {name!r} is not installed (pip install ./plugins/ml5-{name})")
    return models[name].spec


def _trained(spec: ModelSpec, seed: int = 0) -> TrainedModel:
    """A random-init torch module of ``spec`` as a trainer returns it."""
    torch = pytest.importorskip("torch")
    torch.manual_seed(seed)
    module = spec.build().eval()

    def predict(x):
        with torch.no_grad():
            return module(torch.as_tensor(np.asarray(x, dtype=np.float32))).numpy()

    held_out = np.random.default_rng(seed).normal(0, 1, (48, spec.input_size)).astype(np.float32)
    return TrainedModel(spec, module.layer_weights(), predict, {"best_val_loss": 0.01}, held_out, "test-data")


def _export(spec: ModelSpec, folder: Path, card: dict | None = None) -> tuple[TrainedModel, Path]:
    trained = _trained(spec)
    path = folder / f"{spec.stem}{EXPORTER.suffix}"
    EXPORTER.export(trained, model_card(trained, "0.1.0") if card is None else card, path)
    return trained, path


def _session(path: Path):
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


@pytest.mark.parametrize("name", FIVE)
def test_the_five_models_verify_in_onnxruntime(name, tmp_path):
    spec = _spec(name)
    trained, path = _export(spec, tmp_path)
    check = VERIFIER.verify(path, trained, verification_inputs(trained, seed=0))
    assert check.passed and check.max_abs_error <= TOLERANCE == 1e-5, check
    assert set(check.details["max_abs_error"]) == {"random", "held_out"} and check.details["load_ms"] > 0
    assert problems(path, spec) == []


@pytest.mark.parametrize("spec", SAMPLE_SPECS, ids=lambda s: s.name)
def test_every_layer_kind_and_activation_matches_torch(spec, tmp_path):
    # the samples hold what the five lack: a GRU, elu, softmax; inputs well past ±1
    trained, path = _export(spec, tmp_path)
    x = np.random.default_rng(1).uniform(-3, 3, (64, spec.input_size)).astype(np.float32)
    got = _session(path).run(["output"], {"input": x})[0]
    assert np.max(np.abs(got - trained.predict(x))) <= 1e-5


def test_a_batch_of_frames_is_each_frame_on_its_own(tmp_path):
    spec = SAMPLE_SPECS[1]  # dense → LSTM → dense: the recurrent step must not mix frames
    trained, path = _export(spec, tmp_path)
    graph = onnx.load(path).graph
    for value, width in ((graph.input[0], spec.input_size), (graph.output[0], spec.output_size)):
        assert [d.dim_param or d.dim_value for d in value.type.tensor_type.shape.dim] == ["batch", width]
    session = _session(path)
    frames = np.random.default_rng(2).uniform(-1, 1, (7, spec.input_size)).astype(np.float32)
    batch = session.run(["output"], {"input": frames})[0]
    one_by_one = np.concatenate([session.run(["output"], {"input": f[None]})[0] for f in frames])
    assert batch.shape == (7, spec.output_size)
    assert np.max(np.abs(batch - one_by_one)) <= 1e-6
    assert np.max(np.abs(batch - trained.predict(frames))) <= 1e-5


def test_metadata_holds_the_card_and_the_opset(tmp_path):
    spec = SAMPLE_SPECS[0]
    card = {"model": spec.title, "metrics": {"best_val_loss": 0.25, "diverged": float("nan")}, "output_labels": ["a", "b", "c"]}
    _, path = _export(spec, tmp_path, card)
    meta = _session(path).get_modelmeta().custom_metadata_map  # as a host reads it
    assert json.loads(meta["model_card"]) == {**card, "metrics": {"best_val_loss": 0.25, "diverged": None}}
    opsets = {o.domain: o.version for o in onnx.load(path).opset_import}
    assert list(opsets) == [""] and meta["opset"] == str(opsets[""])


def test_export_raises_no_warning(tmp_path):
    # a fresh interpreter with every warning an error: the imports of onnx too are on the export path
    script = (
        "import sys, numpy as np\n"
        "from pathlib import Path\n"
        "from ml5.testing import SAMPLE_SPECS, ExporterContract\n"
        "from ml5_onnx import EXPORTER\n"
        "for spec in SAMPLE_SPECS:\n"
        "    EXPORTER.export(ExporterContract()._trained(spec), {'model': spec.title}, Path(sys.argv[1]) / (spec.stem + '.onnx'))\n"
    )
    done = subprocess.run([sys.executable, "-W", "error", "-c", script, str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0 and done.stderr == "", done.stderr[-3000:]
    assert len(list(tmp_path.glob("*.onnx"))) == len(SAMPLE_SPECS)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "missing"])
def test_a_damaged_file_fails_with_its_name(damage, tmp_path):
    spec = SAMPLE_SPECS[1]
    trained, path = _export(spec, tmp_path)
    data = path.read_bytes()
    if damage == "missing":
        path.unlink()
    else:
        path.write_bytes({"truncated": data[: len(data) // 2], "garbage": b"\x08\xff" * 64, "empty": b""}[damage])
    found = problems(path, spec)
    assert len(found) == 1 and ("not a valid ONNX model" in found[0] or "cannot be read" in found[0]), found
    check = VERIFIER.verify(path, trained, verification_inputs(trained, seed=0))
    assert not check.passed and check.max_abs_error == float("inf")
    assert path.name in check.details["error"], check.details


def test_missing_onnxruntime_fails_verification_cleanly(tmp_path, monkeypatch):
    trained, path = _export(SAMPLE_SPECS[0], tmp_path)
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # how Python marks a module that cannot import
    check = VERIFIER.verify(path, trained, verification_inputs(trained, seed=0))
    assert not check.passed and "pip install onnxruntime" in check.details["error"]


def _rewritten(path: Path, change) -> Path:
    model = onnx.load(path)
    change(model)
    out = path.with_name("changed" + path.suffix)
    onnx.save(model, out)
    return out


def test_validate_names_the_problem(tmp_path):
    spec = SAMPLE_SPECS[1]  # dense 6→8 tanh, lstm 8→5, dense 5→2 sigmoid
    _, good = _export(spec, tmp_path)
    assert problems(good, spec) == []

    def no_card(m):
        del m.metadata_props[[p.key for p in m.metadata_props].index("model_card")]

    def relu(m):
        next(n for n in m.graph.node if n.op_type == "Tanh").op_type = "Relu"

    def fixed_batch(m):
        m.graph.input[0].type.tensor_type.shape.dim[0].dim_value = 1

    for change, words in ((no_card, "'model_card'"), (relu, "operators Gemm Relu LSTM"), (fixed_batch, "shape [1, 6]")):
        found = problems(_rewritten(good, change), spec)
        assert any(words in line for line in found), (words, found)
    assert any("weights" in line for line in problems(good, SAMPLE_SPECS[0]))  # checked against the wrong spec


@attrs.frozen
class Conv1d:
    """A layer kind a third-party model could declare and ml5-onnx has no operator for."""

    in_size: int
    out_size: int
    kind = "conv1d"
    activation = ""


def test_a_layer_it_cannot_write_is_named(tmp_path):
    spec = ModelSpec(name="sample-conv", title="SampleConv", stem="sampleconv", input_size=4, output_size=2,
                     layers=[Dense(4, 3, "relu"), Conv1d(3, 2)], head="", loss="mse")
    weights = ({"weight": np.zeros((3, 4), np.float32), "bias": np.zeros(3, np.float32)}, {})
    trained = TrainedModel(spec, weights, lambda x: x, {}, np.zeros((0, 4), np.float32), "test")
    with pytest.raises(ValueError, match=r"model 'sample-conv': layers\[1\] is a 'conv1d' layer"):
        EXPORTER.export(trained, {}, tmp_path / "sampleconv.onnx")
    assert list(tmp_path.iterdir()) == []


def test_listing_plugins_shows_it_without_importing_onnx():
    listed = run_cli("plugins", "--json")
    assert listed.returncode == 0, listed.stderr
    entry = next(p for p in json.loads(listed.stdout) if p["name"] == "onnx")
    assert entry["provides"] == {"exporters": ["onnx"], "verifiers": ["onnxruntime"]}
    imported = subprocess.run(
        [sys.executable, "-c", "import sys, ml5_onnx; print(sorted({'onnx', 'onnxruntime', 'numpy'} & set(sys.modules)))"],
        capture_output=True, text=True, check=True,
    )
    assert imported.stdout.strip() == "[]"


@pytest.mark.slow
def test_a_run_exports_and_verifies_it(tmp_path):
    spec = _spec("groove")
    registry = Registry(load())
    if "supervised" not in registry.trainers or spec.default_dataset not in registry.datasets:
        pytest.skip(f"the run needs ml5-trainer and the {spec.default_dataset!r} data set (pip install ./plugins/ml5-trainer ./plugins/ml5-synthetic)")
    config = tmp_path / "ml5.toml"
    config.write_text('[run]\nexporters = ["onnx"]\n[train]\nepochs = 1\n')
    done = run_cli("run", "--plugins", "groove", "--config", str(config), "--out", str(tmp_path / "run"))
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((tmp_path / "run" / "report.json").read_text())["models"][0]
    assert result["exports"]["onnx"]["path"] == f"exports/{spec.stem}.onnx"
    (check,) = [v for v in result["verifications"] if v["verifier"] == "onnxruntime"]
    assert check["passed"] and check["max_abs_error"] <= 1e-5
    assert "onnxruntime" in (tmp_path / "run" / "report.md").read_text()
    exported = tmp_path / "run" / result["exports"]["onnx"]["path"]
    validated = run_cli("validate", str(exported.parent))
    assert validated.returncode == 0 and "1 file(s) checked, 0 problem(s)" in validated.stderr, validated.stderr
    exported.write_bytes(exported.read_bytes()[:-100])  # truncated
    validated = run_cli("validate", str(exported.parent))
    assert validated.returncode == 1 and validated.stdout.startswith(f"{exported}: not a valid ONNX model"), validated.stdout
