"""The binding's API: loading, modes, batches, metadata and errors."""

import json
import threading

import ml5_native
import numpy as np
import pytest

LSTM_DENSE = {
    "in_shape": [None, 2],
    "layers": [
        {"type": "lstm", "shape": [None, 1], "weights": [
            [[0.1, 0.2, 0.3, 0.4], [0.5, -0.6, 0.7, -0.8]], [[0.9, -0.1, 0.2, 0.3]], [0.01, 0.02, 0.03, 0.04]]},
        {"type": "dense", "activation": "tanh", "shape": [None, 2], "weights": [[[1.5, -2.0]], [0.1, 0.2]]},
    ],
}


@pytest.fixture
def model():
    return ml5_native.loads(json.dumps(LSTM_DENSE))


def test_metadata(model):
    assert (model.in_size, model.out_size, model.n_params) == (2, 2, 20)
    assert model.weight_bytes > 0
    assert model.stateless is True
    assert model.layers == [("lstm", 2, 1, ""), ("dense", 1, 2, "tanh")]
    assert "2 -> 2" in repr(model)


def test_forward_returns_float32(model):
    y = model.forward(np.array([0.5, -0.5], dtype=np.float32))
    assert y.dtype == np.float32 and y.shape == (2,)
    # Lists and float64 are converted.
    np.testing.assert_array_equal(model.forward([0.5, -0.5]), y)


def test_stateless_rows_are_independent(model):
    X = np.random.default_rng(0).normal(size=(10, 2)).astype(np.float32)
    batch = model.forward_batch(X)
    assert batch.shape == (10, 2) and batch.dtype == np.float32
    for x, y in zip(X, batch):
        np.testing.assert_array_equal(model.forward(x), y)
    np.testing.assert_array_equal(model.forward_batch(X[::-1]), batch[::-1])


def test_streaming_carries_state(model):
    x = np.array([1.0, 1.0], dtype=np.float32)
    model.stateless = False
    first, second = model.forward(x), model.forward(x)
    assert not np.allclose(first, second)
    model.reset()
    np.testing.assert_array_equal(model.forward(x), first)
    model.stateless = True
    np.testing.assert_array_equal(model.forward(x), first)


def test_wrong_input_length(model):
    with pytest.raises(ValueError, match="expected a 1-D array of 2 values"):
        model.forward(np.zeros(3, dtype=np.float32))
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        model.forward_batch(np.zeros((4, 3), dtype=np.float32))
    with pytest.raises(ValueError, match="1-D"):
        model.forward(np.zeros((1, 2), dtype=np.float32))


def test_load_error_is_a_value_error():
    assert issubclass(ml5_native.LoadError, ValueError)
    bad = dict(LSTM_DENSE)
    bad["layers"] = [dict(LSTM_DENSE["layers"][0], activation="relu"), LSTM_DENSE["layers"][1]]
    with pytest.raises(ml5_native.LoadError, match=r"layer 0 \(lstm\).*relu"):
        ml5_native.loads(json.dumps(bad))
    with pytest.raises(ml5_native.LoadError, match="invalid JSON"):
        ml5_native.loads(b"{")
    with pytest.raises(TypeError):
        ml5_native.loads(42)


def test_load_and_load_dir(tmp_path):
    (tmp_path / "tiny.json").write_text(json.dumps(LSTM_DENSE))
    (tmp_path / "notes.txt").write_text("not a model")
    assert ml5_native.load(tmp_path / "tiny.json").in_size == 2
    models = ml5_native.load_dir(tmp_path)
    assert list(models) == ["tiny"]
    with pytest.raises(ml5_native.LoadError, match="cannot open"):
        ml5_native.load(tmp_path / "missing.json")
    (tmp_path / "broken.json").write_text("{}")
    with pytest.raises(ml5_native.LoadError, match="broken.json"):
        ml5_native.load_dir(tmp_path)


def test_batch_from_threads(model):
    X = np.random.default_rng(1).normal(size=(2000, 2)).astype(np.float32)
    expected = model.forward_batch(X)
    results = []
    threads = [threading.Thread(target=lambda: results.append(model.forward_batch(X))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in results:
        np.testing.assert_array_equal(r, expected)


def test_half_precision(conformance):
    path = conformance / "ref_harmonypredictor.model.json"
    exact, half = ml5_native.load(path), ml5_native.load(path, precision="fp16")
    assert (exact.precision, half.precision) == ("fp32", "fp16")
    assert half.n_params == exact.n_params and half.weight_bytes < 0.55 * exact.weight_bytes
    x = np.sin(np.arange(37 * exact.in_size, dtype=np.float32) * 0.37).reshape(37, -1)
    difference = np.abs(half.forward_batch(x) - exact.forward_batch(x)).max()
    assert 0 < difference < 2**-11  # softmax outputs: rounded weights move them, by little
    with pytest.raises(ValueError, match="'fp8': use fp32 or fp16"):
        ml5_native.load(path, precision="fp8")
    assert ml5_native.loads(json.dumps(LSTM_DENSE), precision="fp16").precision == "fp16"


def test_processor_precision(conformance):
    assert ml5_native.Processor().precision == "fp32"
    assert ml5_native.Processor(precision="fp16").precision == "fp16"
    with pytest.raises(ValueError, match="use fp32 or fp16"):
        ml5_native.Processor(precision="half")
