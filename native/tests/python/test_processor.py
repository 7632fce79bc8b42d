"""The Processor binding without torch: small dense models of the five slots' sizes, written
as RTNeural JSON from numpy, against the same chain computed with numpy."""

import json
import threading
import time

import ml5_native
import numpy as np
import pytest

SLOTS = {name: (stem, n_in, n_out) for name, _title, stem, n_in, n_out in ml5_native.MODEL_SLOTS}
HEADS = {"emotion": "tanh", "melody": "sigmoid", "harmony": "softmax", "dynamics": "sigmoid", "groove": "tanh"}


def _activation(kind, y):
    if kind == "tanh":
        return np.tanh(y)
    if kind == "sigmoid":
        return 1 / (1 + np.exp(-y))
    e = np.exp(y - y.max())
    return e / e.sum()


def _weights(seed):
    """Per slot: (kernel in x 8, bias 8, kernel 8 x out, bias out), float32."""
    rng = np.random.default_rng(seed)
    out = {}
    for name, (_stem, n_in, n_out) in SLOTS.items():
        out[name] = [rng.uniform(-0.5, 0.5, shape).astype(np.float32) for shape in ((n_in, 8), (8,), (8, n_out), (n_out,))]
    return out


def _model_json(name, w):
    _stem, n_in, n_out = SLOTS[name]
    return json.dumps({"in_shape": [None, n_in], "layers": [
        {"type": "dense", "activation": "tanh", "shape": [None, 8], "weights": [w[0].tolist(), w[1].tolist()]},
        {"type": "dense", "activation": HEADS[name], "shape": [None, n_out], "weights": [w[2].tolist(), w[3].tolist()]},
    ]})


def _numpy_model(name, w, x):
    h = np.tanh(x.astype(np.float64) @ w[0] + w[1])
    return _activation(HEADS[name], h @ w[2] + w[3])


def _chain(run, x):
    e = run("emotion", x)
    return {"emotion": e, "melody": run("melody", e), "harmony": run("harmony", np.concatenate([e[:64], x[:64]])),
            "dynamics": run("dynamics", e[:32]), "groove": run("groove", e)}


@pytest.fixture
def folder(tmp_path):
    weights = _weights(0)
    for name, (stem, _, _) in SLOTS.items():
        (tmp_path / f"{stem}.json").write_text(_model_json(name, weights[name]))
    return tmp_path, weights


def test_slots_table():
    assert [s[0] for s in ml5_native.MODEL_SLOTS] == ["emotion", "melody", "harmony", "dynamics", "groove"]
    assert ml5_native.FEATURE_SIZE == 128
    assert SLOTS["harmony"] == ("harmonypredictor", 128, 64)


def test_chain_matches_numpy(folder):
    path, weights = folder
    proc = ml5_native.Processor()
    assert all(s.loaded for s in proc.initialize(path))
    for x in np.random.default_rng(1).standard_normal((10, 128)).astype(np.float32):
        out = proc.run(x)
        expected = _chain(lambda n, v: _numpy_model(n, weights[n], v), x)
        for name in SLOTS:
            np.testing.assert_allclose(out[name], expected[name], atol=1e-5)


def test_harmony_context(folder):
    path, weights = folder
    proc = ml5_native.Processor()
    proc.initialize(path)
    assert ml5_native.HARMONY_CONTEXT_SIZE == 64
    rng = np.random.default_rng(2)
    x, context = rng.standard_normal(128).astype(np.float32), rng.standard_normal(64).astype(np.float32)
    out = proc.run(x, harmony_context=context)
    emotion = _numpy_model("emotion", weights["emotion"], x)
    np.testing.assert_allclose(out["harmony"], _numpy_model("harmony", weights["harmony"], np.concatenate([emotion, context])),
                               atol=1e-5)
    for name, values in proc.run(x, harmony_context=None).items():  # None: the original feed, features[:64]
        np.testing.assert_array_equal(values, proc.run(x)[name])
    with pytest.raises(ValueError, match="harmony_context: wrong input size"):
        proc.run(x, harmony_context=np.zeros(63))
    with pytest.raises(ValueError, match="harmony_context: non-finite"):
        proc.run(x, harmony_context=np.full(64, np.nan))
    proc.start(capacity=4)
    request = proc.submit(x, harmony_context=context)
    while (result := proc.poll()) is None:
        pass
    proc.stop()
    assert result[0] == request
    np.testing.assert_array_equal(result[2]["harmony"], out["harmony"])


def test_status_reasons(folder):
    path, _ = folder
    (path / "melodytransformer.json").unlink()
    (path / "dynamicsengine.json").write_text("[")
    (path / "groovepredictor.json").write_text((path / "harmonypredictor.json").read_text())
    proc = ml5_native.Processor()
    reasons = {s.model: s.reason for s in proc.initialize(path)}
    assert reasons == {"emotion": "none", "melody": "missing file", "harmony": "none", "dynamics": "load error",
                       "groove": "size mismatch"}
    assert "fallback" in repr(proc.status("groove"))
    assert proc.stats["models_loaded"] == 2


def test_not_initialized_runs_fallbacks():
    proc = ml5_native.Processor()
    assert {s.reason for s in proc.statuses} == {"not initialized"}
    out, sources = proc.run(np.zeros(128), with_sources=True)
    assert set(sources.values()) == {"fallback"}
    np.testing.assert_allclose(out["dynamics"], 0.5)


def test_reload_while_another_thread_runs(folder):
    path, weights = folder
    proc = ml5_native.Processor()
    proc.initialize(path)
    x = np.ones(128, np.float32)
    stop = threading.Event()
    errors = []

    def reload_loop():
        other = _weights(1)
        i = 0
        while not stop.is_set():
            w = (weights if i % 2 else other)["groove"]
            (path / "groovepredictor.json").write_text(_model_json("groove", w))
            if not proc.reload("groove").ok:
                errors.append("reload failed")
            i += 1

    thread = threading.Thread(target=reload_loop)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        runs = 0
        while (runs < 300 or proc.stats["reloads"] < 20) and time.monotonic() < deadline:
            out = proc.run(x)
            assert np.isfinite(out["groove"]).all()
            runs += 1
    finally:
        stop.set()
        thread.join()
    assert not errors and proc.stats["reloads"] > 0


def test_async_roundtrip(folder):
    path, _ = folder
    proc = ml5_native.Processor()
    proc.initialize(path)
    x = np.linspace(-1, 1, 128, dtype=np.float32)
    expected = proc.run(x)
    with pytest.raises(ValueError, match="not running"):
        proc.submit(x)
    proc.start(capacity=4)
    assert proc.running
    request = proc.submit(x)
    while (result := proc.poll()) is None:
        pass
    assert result[0] == request and result[1] == "ok"
    np.testing.assert_array_equal(result[2]["groove"], expected["groove"])
    bad = proc.submit(np.full(128, np.inf, np.float32))
    while (result := proc.poll()) is None:
        pass
    assert result == (bad, "non-finite input", None)
    report = proc.stop()
    assert report["accepted"] == 2 and report["dropped_ids"] == [] and not proc.running
