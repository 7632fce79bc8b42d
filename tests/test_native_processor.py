"""The C++ MultiModelProcessor against the five torch models and the fallbacks of MODELS.md.

The models are the installed specs built with fixed seeds (no training): what matters here is
that the C++ chain computes exactly what torch composed the same way computes, and that every
missing or refused model is replaced by its documented fallback and reported with a reason.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
ml5_native = pytest.importorskip("ml5_native")

from ml5.plugins import load  # noqa: E402
from ml5.registry import Registry  # noqa: E402
from ml5_rtneural.export import model_text  # noqa: E402

CHAIN = ("emotion", "melody", "harmony", "dynamics", "groove")
TOLERANCE = 1e-5


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


#: MODELS.md's fallbacks, written with numpy (i indexes the output)
FALLBACKS = {
    "emotion": lambda x: np.concatenate([np.tanh(0.3 * x[:32]), np.tanh(0.5 * x[64:96])]),
    "melody": lambda x: _sigmoid(2 * (np.arange(128) % 12) / 12 - 1 + 0.5 * np.concatenate([x[:64], np.zeros(64)])),
    "harmony": lambda x: np.tanh(0.4 * x[:64]),
    "dynamics": lambda x: np.clip(0.5 + 0.3 * x[:16], 0.0, 1.0),
    "groove": lambda x: np.tanh(0.6 * x[:32]),
}


def chain(run_model, features: np.ndarray, harmony_context: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The chain of MODELS.md; ``run_model(name, x)`` runs one model on a 1-D input. Harmony reads
    the emotion embedding then the harmony context, or features[:64] without one."""
    emotion = run_model("emotion", features)
    context = features[:64] if harmony_context is None else harmony_context
    return {
        "emotion": emotion,
        "melody": run_model("melody", emotion),
        "harmony": run_model("harmony", np.concatenate([emotion[:64], context])),
        "dynamics": run_model("dynamics", emotion[:32]),
        "groove": run_model("groove", emotion),
    }


@pytest.fixture(scope="module")
def specs():
    models = Registry(load()).models
    missing = [name for name in CHAIN if name not in models]
    if missing:
        pytest.skip(f"model plugins not installed: {missing}")
    return {name: models[name].spec for name in CHAIN}


@pytest.fixture(scope="module")
def modules(specs):
    """The five torch modules, seeded, in eval mode."""
    built = {}
    for i, name in enumerate(CHAIN):
        torch.manual_seed(100 + i)
        built[name] = specs[name].build().eval()
    return built


def write_models(folder: Path, specs, modules, names=CHAIN) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / f"{specs[name].stem}.json").write_text(model_text(specs[name], modules[name].layer_weights()))
    return folder


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory, specs, modules):
    return write_models(tmp_path_factory.mktemp("exports"), specs, modules)


def torch_model(modules):
    def run(name: str, x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return modules[name](torch.from_numpy(np.asarray(x, np.float32)).reshape(1, -1))[0].numpy()

    return run


def frames(n: int, seed: int = 0) -> np.ndarray:
    """n feature frames: standard normal, then (n > 2) all zeros and all threes."""
    rng = np.random.default_rng(seed)
    extremes = [np.zeros((1, 128)), 3 * np.ones((1, 128))] if n > 2 else []
    return np.concatenate([rng.standard_normal((n - len(extremes), 128)), *extremes]).astype(np.float32)


def test_pipeline_equals_torch_chain(models_dir, modules):
    proc = ml5_native.Processor()
    statuses = proc.initialize(models_dir)
    assert [s.model for s in statuses] == list(CHAIN)
    assert all(s.loaded and s.reason == "none" for s in statuses), statuses
    reference = torch_model(modules)
    worst = 0.0
    for x in frames(32):
        out, sources = proc.run(x, with_sources=True)
        assert set(sources.values()) == {"network"}
        expected = chain(reference, x)
        for name in CHAIN:
            assert out[name].dtype == np.float32 and out[name].shape == expected[name].shape
            worst = max(worst, float(np.max(np.abs(out[name] - expected[name]))))
    assert worst <= TOLERANCE, f"largest difference from torch: {worst:.3g}"


def test_single_model_inference_equals_torch(models_dir, modules, specs):
    proc = ml5_native.Processor()
    proc.initialize(models_dir)
    reference = torch_model(modules)
    rng = np.random.default_rng(1)
    for name in CHAIN:
        x = rng.standard_normal(specs[name].input_size).astype(np.float32)
        np.testing.assert_allclose(proc.infer(name, x), reference(name, x), rtol=0, atol=TOLERANCE)


def test_missing_and_corrupt_models_run_the_fallbacks(tmp_path, specs, modules):
    folder = write_models(tmp_path / "exports", specs, modules, names=("emotion", "harmony", "dynamics"))
    dynamics = folder / "dynamicsengine.json"
    dynamics.write_text(dynamics.read_text()[: len(dynamics.read_text()) // 2])  # cut off: a corrupt file
    proc = ml5_native.Processor()
    statuses = {s.model: s for s in proc.initialize(folder)}
    fallbacks = {name: s for name, s in statuses.items() if not s.loaded}
    assert set(fallbacks) == {"melody", "dynamics", "groove"}
    assert fallbacks["melody"].reason == "missing file" and "melodytransformer.json" in fallbacks["melody"].message
    assert fallbacks["groove"].reason == "missing file" and "groovepredictor.json" in fallbacks["groove"].message
    assert fallbacks["dynamics"].reason == "load error" and "dynamicsengine.json" in fallbacks["dynamics"].message
    assert statuses["emotion"].loaded and statuses["harmony"].loaded

    reference = torch_model(modules)

    def expected_model(name, x):
        return FALLBACKS[name](x) if name in fallbacks else reference(name, x)

    for x in frames(16, seed=2):
        out, sources = proc.run(x, with_sources=True)
        assert sources == {n: "fallback" if n in fallbacks else "network" for n in CHAIN}
        expected = chain(expected_model, x)
        for name in CHAIN:
            np.testing.assert_allclose(out[name], expected[name], rtol=0, atol=TOLERANCE, err_msg=name)
        # The fallbacks on exactly what the processor fed them (its own emotion output).
        np.testing.assert_allclose(out["melody"], FALLBACKS["melody"](out["emotion"]), rtol=0, atol=1e-6)
        np.testing.assert_allclose(out["dynamics"], FALLBACKS["dynamics"](out["emotion"]), rtol=0, atol=1e-6)
        np.testing.assert_allclose(out["groove"], FALLBACKS["groove"](out["emotion"]), rtol=0, atol=1e-6)


def test_every_fallback_formula(tmp_path):
    proc = ml5_native.Processor()
    statuses = proc.initialize(tmp_path)  # an empty folder: every file missing
    assert [s.reason for s in statuses] == ["missing file"] * 5
    for x in frames(16, seed=3):
        out = proc.run(x)
        expected = chain(lambda name, v: FALLBACKS[name](v), x)
        for name in CHAIN:
            np.testing.assert_allclose(out[name], expected[name], rtol=0, atol=1e-6, err_msg=name)
    # dynamics clamps to 0..1
    assert set(np.unique(proc.infer("dynamics", np.array([-9.0, 9.0] * 16)))) == {0.0, 1.0}


def test_file_whose_sizes_do_not_match_its_slot_is_refused(tmp_path, specs, modules):
    folder = write_models(tmp_path, specs, modules)
    # The harmony network (128 -> 64) under the groove's name (64 -> 32).
    (folder / "groovepredictor.json").write_text(model_text(specs["harmony"], modules["harmony"].layer_weights()))
    proc = ml5_native.Processor()
    groove = proc.initialize(folder)[4]
    assert not groove.loaded and groove.reason == "size mismatch"
    assert "128 -> 64" in groove.message and "64 -> 32" in groove.message


def test_statistics_are_what_is_loaded(models_dir, specs):
    proc = ml5_native.Processor()
    proc.initialize(models_dir)
    stats = proc.stats
    # RTNeural files hold one summed LSTM bias: 4·H fewer numbers than PyTorch counts.
    lstm_biases = 4 * 128 + 4 * 256
    assert stats["models_loaded"] == 5
    assert stats["total_params"] == sum(s.param_count for s in specs.values()) - lstm_biases == 1_149_744
    assert stats["total_weight_bytes"] >= 4 * stats["total_params"]
    assert all(m["load_ms"] > 0 for m in stats["models"].values())
    for name, native in ml5_native.load_dir(models_dir).items():
        model = next(m for m, s in specs.items() if s.stem == name)
        assert stats["models"][model]["weight_bytes"] == native.weight_bytes


def test_disabled_model_outputs_zero(models_dir, modules):
    proc = ml5_native.Processor()
    proc.initialize(models_dir)
    x = frames(1)[0]
    proc.disable("harmonypredictor")  # stems, titles and names are accepted
    assert not proc.is_enabled("harmony")
    out, sources = proc.run(x, with_sources=True)
    assert sources["harmony"] == "skipped" and not out["harmony"].any()
    np.testing.assert_allclose(out["groove"], chain(torch_model(modules), x)["groove"], atol=TOLERANCE)
    proc.enable("HarmonyPredictor")
    assert proc.run(x)["harmony"].any()


def test_bad_input_is_an_error_not_a_crash(models_dir):
    proc = ml5_native.Processor()
    proc.initialize(models_dir)
    with pytest.raises(ValueError, match="wrong input size"):
        proc.run(np.zeros(127))
    with pytest.raises(ValueError, match="wrong input size"):
        proc.run(np.zeros((2, 128)))
    with pytest.raises(ValueError, match="non-finite"):
        proc.run(np.full(128, np.nan))
    with pytest.raises(ValueError, match="wrong input size"):
        proc.infer("groove", np.zeros(65))
    with pytest.raises(ValueError, match="unknown model"):
        proc.infer("tempo", np.zeros(64))


def test_harmony_context_reaches_the_harmony_model(models_dir, modules):
    proc = ml5_native.Processor()
    proc.initialize(models_dir)
    assert ml5_native.HARMONY_CONTEXT_SIZE == 64
    reference = torch_model(modules)
    contexts = np.random.default_rng(5).uniform(-2, 2, (16, 64)).astype(np.float32)
    for x, context in zip(frames(16, seed=5), contexts):
        old = proc.run(x)
        out, sources = proc.run(x, harmony_context=context, with_sources=True)
        assert set(sources.values()) == {"network"}
        expected = chain(reference, x, harmony_context=context)
        np.testing.assert_allclose(out["harmony"], expected["harmony"], rtol=0, atol=TOLERANCE)
        assert not np.allclose(out["harmony"], old["harmony"], rtol=0, atol=1e-6)  # the context is really read
        for name in ("emotion", "melody", "dynamics", "groove"):  # nothing else reads it
            np.testing.assert_array_equal(out[name], old[name], err_msg=name)
        # None keeps the original feed: features[:64] after the emotion embedding
        none = proc.run(x, harmony_context=None)
        for name in CHAIN:
            np.testing.assert_array_equal(none[name], old[name], err_msg=name)
        np.testing.assert_allclose(old["harmony"], chain(reference, x)["harmony"], rtol=0, atol=TOLERANCE)


def test_bad_harmony_context_is_an_error_not_a_crash(models_dir):
    proc = ml5_native.Processor()
    proc.initialize(models_dir)
    x = frames(1)[0]
    with pytest.raises(ValueError, match="harmony_context: wrong input size"):
        proc.run(x, harmony_context=np.zeros(63))
    with pytest.raises(ValueError, match="harmony_context: wrong input size"):
        proc.run(x, harmony_context=np.zeros(128))
    with pytest.raises(ValueError, match="harmony_context: wrong input size"):
        proc.run(x, harmony_context=np.zeros((2, 64)))
    with pytest.raises(ValueError, match="harmony_context: non-finite"):
        proc.run(x, harmony_context=np.full(64, np.nan))
    with pytest.raises(ValueError, match="run: non-finite"):  # the features are named, not the context
        proc.run(np.full(128, np.inf), harmony_context=np.zeros(64))
    with pytest.raises(ValueError, match="run: wrong input size"):
        proc.run(np.zeros(127), harmony_context=np.zeros(64))


def test_async_frames_carry_their_own_harmony_context(models_dir):
    proc = ml5_native.Processor()
    proc.initialize(models_dir)
    xs = frames(8, seed=6)
    contexts = [None if i % 2 else c for i, c in enumerate(np.random.default_rng(6).standard_normal((8, 64)).astype(np.float32))]
    expected = [proc.run(x, harmony_context=c) for x, c in zip(xs, contexts)]
    proc.start(capacity=16)
    try:
        with pytest.raises(ValueError, match="harmony_context: wrong input size"):
            proc.submit(xs[0], harmony_context=np.zeros(65))
        ids = [proc.submit(x, harmony_context=c) for x, c in zip(xs, contexts)]
        bad = proc.submit(xs[0], harmony_context=np.full(64, np.nan))
        results = {}
        deadline = time.monotonic() + 10
        while len(results) < len(xs) + 1 and time.monotonic() < deadline:
            if (r := proc.poll()) is not None:
                results[r[0]] = r
    finally:
        proc.stop()
    assert ids == list(range(1, len(xs) + 1))
    for request, x_expected in zip(ids, expected):
        _, status, outputs = results[request]
        assert status == "ok"
        for name in CHAIN:
            np.testing.assert_array_equal(outputs[name], x_expected[name], err_msg=name)
    assert results[bad][1] == "non-finite input" and results[bad][2] is None


def test_reload_after_training(tmp_path, specs, modules):
    folder = write_models(tmp_path, specs, modules)
    proc = ml5_native.Processor()
    proc.initialize(folder)
    x = frames(1)[0]
    before = proc.run(x)
    torch.manual_seed(999)
    retrained = specs["melody"].build().eval()
    (folder / "melodytransformer.json").write_text(model_text(specs["melody"], retrained.layer_weights()))
    result = proc.reload("melody")
    assert result.ok and result.status.generation == 2
    np.testing.assert_allclose(proc.run(x)["melody"], torch_model({**modules, "melody": retrained})("melody", before["emotion"]),
                               atol=TOLERANCE)
    # A failed reload keeps the model in use and says why.
    (folder / "emotionrecognizer.json").write_text('{"in_shape":[null,128],"layers":[{"type":"dense"')
    failed = proc.reload("emotion")
    assert not failed.ok and "emotionrecognizer.json" in failed.error and failed.status.loaded
    np.testing.assert_array_equal(proc.run(x)["emotion"], before["emotion"])
    results = proc.reload_all()
    assert [r.ok for r in results] == [False, True, True, True, True]
    assert proc.stats["reloads"] == 5 and proc.stats["failed_reloads"] == 2


def test_async_results_match_and_carry_their_ids(models_dir):
    proc = ml5_native.Processor()
    proc.initialize(models_dir)
    xs = frames(20, seed=4)
    expected = [proc.run(x) for x in xs]
    proc.start(capacity=8)
    try:
        ids, results = [], {}
        for x in xs:
            while (request := proc.submit(x)) == 0:  # ring full: let the worker catch up
                while (r := proc.poll()) is not None:
                    results[r[0]] = r
            ids.append(request)
        deadline = time.monotonic() + 10
        while len(results) < len(xs) and time.monotonic() < deadline:
            if (r := proc.poll()) is not None:
                results[r[0]] = r
    finally:
        report = proc.stop()
    assert ids == list(range(1, len(xs) + 1))
    assert sorted(results) == ids
    for request, x_expected in zip(ids, expected):
        _, status, outputs = results[request]
        assert status == "ok"
        for name in CHAIN:
            np.testing.assert_array_equal(outputs[name], x_expected[name])
    assert report["accepted"] == report["completed"] == len(xs) and report["dropped_ids"] == []


def test_stop_accounts_for_requests_in_flight(models_dir):
    proc = ml5_native.Processor()
    proc.initialize(models_dir)
    proc.start(capacity=4)
    x = frames(1)[0]
    accepted = [i for i in (proc.submit(x) for _ in range(50)) if i]
    assert proc.async_counters["rejected_full"] == 50 - len(accepted)
    report = proc.stop()
    polled = []
    while (r := proc.poll()) is not None:
        polled.append(r[0])
    assert sorted(polled + report["dropped_ids"]) == accepted
    with pytest.raises(ValueError, match="not running"):
        proc.submit(x)
