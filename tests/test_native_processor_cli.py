"""``ml5 verify DIR``: the native plugin's command running a folder of exports through the C++
MultiModelProcessor."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ml5.testing import run_cli

torch = pytest.importorskip("torch")
pytest.importorskip("ml5_native")

from ml5.plugins import load  # noqa: E402
from ml5.registry import Registry  # noqa: E402
from ml5_rtneural.export import model_text  # noqa: E402

CHAIN = ("emotion", "melody", "harmony", "dynamics", "groove")


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> Path:
    """The five models, seeded, exported as RTNeural JSON; harmony with its chord labels."""
    specs = Registry(load()).models
    folder = tmp_path_factory.mktemp("exports")
    for i, name in enumerate(CHAIN):
        spec = specs[name].spec
        torch.manual_seed(i)
        card = {"output_labels": list(spec.output_labels)} if spec.output_labels else None
        (folder / f"{spec.stem}.json").write_text(model_text(spec, spec.build().layer_weights(), card))
    return folder


def test_verify_json(exports):
    result = run_cli("verify", str(exports), "--json", "--frames", "200")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["ok"] and doc["folder"] == str(exports)
    assert [m["model"] for m in doc["models"]] == list(CHAIN)
    assert all(m["loaded"] and m["n_params"] > 0 for m in doc["models"])
    assert doc["memory"]["parameters"] == 1_149_744 and doc["memory"]["weight_bytes"] >= 4 * 1_149_744
    assert 0 < doc["latency_us"]["p50"] <= doc["latency_us"]["p99"] and doc["latency_us"]["frames"] == 200
    outputs = doc["outputs"]
    assert {name: s["size"] for name, s in outputs.items()} == {"emotion": 64, "melody": 128, "harmony": 64,
                                                                 "dynamics": 16, "groove": 32}
    assert all(s["source"] == "network" for s in outputs.values())
    harmony_labels = Registry(load()).models["harmony"].spec.output_labels
    assert outputs["harmony"]["argmax_label"] == harmony_labels[outputs["harmony"]["argmax"]]


def test_verify_table(exports):
    result = run_cli("verify", str(exports), "--frames", "100")
    assert result.returncode == 0, result.stderr
    for text in ("emotionrecognizer.json", "network", "p50", "p99", "bytes of weights", "argmax"):
        assert text in result.stdout


def test_fallbacks_fail_unless_allowed(exports, tmp_path):
    folder = tmp_path / "partial"
    folder.mkdir()
    for stem in ("emotionrecognizer", "harmonypredictor", "groovepredictor"):
        (folder / f"{stem}.json").write_text((exports / f"{stem}.json").read_text())
    (folder / "groovepredictor.json").write_text("{ not json")
    result = run_cli("verify", str(folder), "--frames", "50")
    assert result.returncode == 1
    assert "3 model(s) on a fallback" in result.stderr and "missing file" in result.stderr and "load error" in result.stderr
    allowed = run_cli("verify", str(folder), "--json", "--frames", "50", "--allow-fallback")
    assert allowed.returncode == 0, allowed.stderr
    doc = json.loads(allowed.stdout)
    assert not doc["ok"]
    assert {m["model"]: m["reason"] for m in doc["models"] if not m["loaded"]} == {
        "melody": "missing file", "dynamics": "missing file", "groove": "load error"}
    assert doc["outputs"]["groove"]["source"] == "fallback"


def test_models_folder_from_environment(exports):
    result = run_cli("verify", "--json", "--frames", "20", env={"ML5_MODELS_PATH": str(exports)})
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["folder"] == str(exports) and doc["searched"][0] == str(exports)


def test_usage_errors(tmp_path):
    assert run_cli("verify", str(tmp_path / "nope")).returncode == 2
    assert run_cli("verify", str(tmp_path), "--frames", "0").returncode == 2


def test_verify_in_half_precision(exports):
    exact = json.loads(run_cli("verify", str(exports), "--json", "--frames", "50").stdout)
    result = run_cli("verify", str(exports), "--json", "--frames", "50", "--precision", "fp16")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert (exact["precision"], doc["precision"]) == ("fp32", "fp16") and "error_vs_fp32" not in exact
    # the weight matrices take two bytes a value instead of four (biases stay float32)
    assert doc["memory"]["parameters"] == exact["memory"]["parameters"]
    assert 0.45 < doc["memory"]["weight_bytes"] / exact["memory"]["weight_bytes"] < 0.55
    error = doc["error_vs_fp32"]
    assert set(error["max_abs"]) == {"emotion", "melody", "harmony", "dynamics", "groove"}
    # rounded weights give different outputs, by about 2^-11 of the terms summed (outputs in -1..1)
    assert 0 < error["overall"] < 5e-3
    table = run_cli("verify", str(exports), "--frames", "20", "--precision", "fp16")
    assert "precision fp16" in table.stdout and "fp16 against fp32" in table.stdout
    bad = run_cli("verify", str(exports), "--precision", "fp8")
    assert bad.returncode == 2 and "use fp32 or fp16" in bad.stderr
