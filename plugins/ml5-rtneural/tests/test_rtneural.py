"""The RTNeural exporter, the numpy reference engine and the validator."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from ml5.testing import SAMPLE_SPECS, ExporterContract, conformance_dir
from ml5_rtneural import export, validate
from ml5_rtneural.format import FormatError, parse_text
from ml5_rtneural.reference import Engine

CONFORMANCE = conformance_dir(Path(__file__))


def cases(kind):
    found = []
    for path in sorted(CONFORMANCE.glob("*.case.json")):
        case = json.loads(path.read_text())
        if case["kind"] == kind:
            found.append(pytest.param(case, id=path.name.removesuffix(".case.json")))
    return found


class TestExporter(ExporterContract):
    exporter_name = "rtneural"


@pytest.mark.parametrize("case", cases("accept"))
def test_reference_engine_passes_accept_case(case):
    engine = Engine(parse_text((CONFORMANCE / case["model"]).read_bytes()), stateless=False)
    assert (engine.in_size, engine.out_size) == (case["in_size"], case["out_size"])
    assert engine.model.n_numbers == case["n_params"]
    outputs = np.array([engine.forward(np.array(x)) for x in case["inputs"]])
    assert np.max(np.abs(outputs - np.array(case["expected_double"]))) <= case["tolerance_double"]


@pytest.mark.parametrize("case", cases("reject"))
def test_reference_engine_refuses_reject_case(case):
    with pytest.raises(FormatError) as info:
        parse_text((CONFORMANCE / case["model"]).read_bytes())
    assert str(info.value)


def test_conformance_suite_is_complete():
    assert len(cases("accept")) == 61 and len(cases("reject")) == 43


def _torch_export(spec, tmp_path):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    module = spec.build()
    path = tmp_path / f"{spec.stem}.json"
    path.write_text(export.model_text(spec, module.layer_weights(), {"model": spec.title}))
    return module, path


@pytest.mark.parametrize("spec", SAMPLE_SPECS, ids=lambda s: s.name)
def test_export_matches_torch(spec, tmp_path):
    torch = pytest.importorskip("torch")
    module, path = _torch_export(spec, tmp_path)
    x = np.random.default_rng(1).uniform(-2, 2, (32, spec.input_size)).astype(np.float32)
    expected = module(torch.as_tensor(x)).detach().numpy()
    assert np.max(np.abs(Engine.load(path).forward_batch(x) - expected)) < 1e-5


@pytest.mark.parametrize("spec", SAMPLE_SPECS, ids=lambda s: s.name)
def test_numbers_read_back_as_the_same_float32(spec, tmp_path):
    module, path = _torch_export(spec, tmp_path)
    data = json.loads(path.read_text())
    for layer, raw, weights in zip(spec.layers, data["layers"], module.layer_weights()):
        for written, expected in zip(raw["weights"], export.layer_arrays(layer.kind, weights)):
            assert np.array_equal(np.asarray(written, dtype=np.float64).astype(np.float32), expected.astype(np.float32))


def test_text_is_compact_with_model_card(tmp_path):
    spec = SAMPLE_SPECS[1]
    _, path = _torch_export(spec, tmp_path)
    text = path.read_text()
    assert "\n" not in text.rstrip("\n") and ", " not in text
    data = json.loads(text)
    assert data["in_shape"] == [None, spec.input_size] and data["model_card"]["model"] == spec.title
    assert all("shape" in layer and "activation" not in layer for layer in data["layers"] if layer["type"] == "lstm")


def _broken_variant(path: Path, mutate) -> Path:
    data = json.loads(path.read_text())
    mutate(data)
    out = path.with_name("broken." + path.name)
    out.write_text(json.dumps(data))
    return out


def test_validate_names_the_problem(tmp_path):
    spec = SAMPLE_SPECS[1]  # dense 6→8 tanh, lstm 8→5, dense 5→2 sigmoid
    _, good = _torch_export(spec, tmp_path)
    assert validate.problems(good, spec) == []

    def transpose(d):
        d["layers"][0]["weights"][0] = np.array(d["layers"][0]["weights"][0]).T.tolist()

    def linear(d):
        d["layers"][2]["activation"] = "linear"

    def unsummed(d):
        bias = d["layers"][1]["weights"][2]
        d["layers"][1]["weights"][2] = [bias, [0.0] * len(bias)]

    for mutate, words in ((transpose, "PyTorch out×in"), (linear, "'linear'"), (unsummed, "b_ih + b_hh")):
        found = validate.problems(_broken_variant(good, mutate), spec)
        assert found and any(words in line for line in found), (words, found)
        assert all("layers[" in line for line in found)


def test_validate_checks_against_the_right_spec(tmp_path):
    _, path = _torch_export(SAMPLE_SPECS[0], tmp_path)
    assert validate.problems(path, SAMPLE_SPECS[1])


def test_stateless_resets_before_every_frame(tmp_path):
    spec = SAMPLE_SPECS[1]
    _, path = _torch_export(spec, tmp_path)
    x = np.random.default_rng(0).uniform(-1, 1, spec.input_size)
    stateless, streaming = Engine.load(path), Engine.load(path, stateless=False)
    assert np.array_equal(stateless.forward(x), stateless.forward(x))
    first = streaming.forward(x)
    assert np.array_equal(first, stateless.forward(x)) and not np.array_equal(first, streaming.forward(x))


@pytest.mark.parametrize("text", [b"", b"{", b"\xff\xfe", b"[]", b"null", b'{"in_shape":[null,2],"layers":[' * 2000])
def test_garbage_is_refused_cleanly(text):
    with pytest.raises(FormatError):
        parse_text(text)
