"""Latency of the C++ MultiModelProcessor on the five networks (seeded, exported to RTNeural
JSON as the tests do): the synchronous full pipeline, and the async pipeline from submit() to
the poll() that returns the result (one request in flight, so the worker's wake-up is in it).

pytest-benchmark times the Python calls (binding overhead included); the p50 / p99 in
``extra_info`` (and printed) are timed in C++ around each call, over FRAMES calls.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
ml5_native = pytest.importorskip("ml5_native")

from ml5.plugins import load  # noqa: E402
from ml5.registry import Registry  # noqa: E402
from ml5_rtneural.export import model_text  # noqa: E402

CHAIN = ("emotion", "melody", "harmony", "dynamics", "groove")
FRAMES = 5000


@pytest.fixture(scope="module")
def processor(tmp_path_factory):
    models = Registry(load()).models
    folder = tmp_path_factory.mktemp("pipeline")
    for i, name in enumerate(CHAIN):
        spec = models[name].spec
        torch.manual_seed(100 + i)
        (folder / f"{spec.stem}.json").write_text(model_text(spec, spec.build().layer_weights()))
    proc = ml5_native.Processor()
    assert all(s.loaded for s in proc.initialize(folder))
    return proc


@pytest.fixture(scope="module")
def features():
    return np.random.default_rng(0).standard_normal(128).astype(np.float32)


def _percentiles(ns: np.ndarray) -> dict[str, float]:
    us = ns / 1e3
    return {"frames": int(us.size), "p50_us": float(np.percentile(us, 50)), "p99_us": float(np.percentile(us, 99)),
            "mean_us": float(us.mean()), "max_us": float(us.max())}


def _report(benchmark, capsys, what: str, figures: dict[str, float]) -> None:
    benchmark.extra_info.update(figures)
    with capsys.disabled():
        print(f"\n{what}: p50 {figures['p50_us']:.1f} µs, p99 {figures['p99_us']:.1f} µs, "
              f"mean {figures['mean_us']:.1f} µs over {figures['frames']} calls (timed in C++)")


def test_sync_pipeline(benchmark, processor, features, capsys):
    benchmark.group = "pipeline"
    figures = _percentiles(processor.time_pipeline(features, FRAMES))
    benchmark(processor.run, features)
    _report(benchmark, capsys, "runFullPipeline (synchronous)", figures)


def test_async_submit_to_result(benchmark, processor, features, capsys):
    benchmark.group = "pipeline"
    processor.start(capacity=256)
    try:
        figures = _percentiles(processor.time_async(features, FRAMES))

        def round_trip():
            request = processor.submit(features)
            while (result := processor.poll()) is None or result[0] != request:
                pass
            return result

        benchmark(round_trip)
    finally:
        processor.stop()
    _report(benchmark, capsys, "async submit -> result", figures)
