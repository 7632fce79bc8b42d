"""The trainer against the smallest PyTorch loop that trains the same thing, in one run.

Per model, on the synthetic set's data for it (in memory), the same number of epochs, batch
size, optimizer, loss, seed and thread count:

- the trainer: ``ml5_trainer``'s ``train()`` as ``ml5 run`` calls it — shuffling per (seed,
  epoch), validation loss every epoch, checkpoints, curves, the progress bar;
- the minimal loop: ``randperm`` → forward → loss → backward → step, and the validation loss
  after each epoch (what picks the epoch to keep) — nothing else.

Samples per second of each: the trainer's over its epochs (its own ``samples_per_second``: the
epochs with their validation pass and checkpoints), and over the whole call (with building the
model, the metrics and the curves plot, a fixed cost per model). Ratios are the loop's
throughput over the trainer's (1.0 = no overhead). The two are timed alternately, five times
each, and the median kept. Results: results/trainer_overhead.json.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("ml5_trainer")

import ml5  # noqa: E402
from ml5.config import TrainSettings  # noqa: E402
from ml5.nn import build_module, loss_fn  # noqa: E402
from ml5.plugins import load  # noqa: E402
from ml5.registry import Registry  # noqa: E402
from ml5_trainer.loop import split_indices, train  # noqa: E402

MODELS = ("emotion", "melody", "harmony", "dynamics", "groove")
EPOCHS = 4
REPEATS = 5
SAMPLES = 16384  # synthetic examples: epochs long enough to time (80% train, 20% validation)
RESULTS: dict[str, dict] = {}


@pytest.fixture(scope="module", autouse=True)
def report():
    yield
    if RESULTS:
        out = Path(__file__).parent / "results" / "trainer_overhead.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps({"epochs": EPOCHS, "repeats": REPEATS, "threads": torch.get_num_threads(),
                                   "models": RESULTS}, indent=2) + "\n")
        print("\ntrainer overhead:", json.dumps(RESULTS, indent=2))


def _minimal_loop(spec: ml5.ModelSpec, x: torch.Tensor, y: torch.Tensor, x_val: torch.Tensor, y_val: torch.Tensor,
                  settings: TrainSettings, seed: int) -> float:
    """What a PyTorch user writes by hand to get the same result: the epochs, and the validation
    loss after each (which picks the epoch to keep); returns seconds."""
    torch.manual_seed(seed)
    model = build_module(spec)
    loss = loss_fn(spec)
    optimizer = torch.optim.Adam(model.parameters(), lr=settings.learning_rate)
    started = time.perf_counter()
    for epoch in range(1, EPOCHS + 1):
        model.train()
        order = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed * 100_003 + epoch))
        for i in range(0, len(order), settings.batch_size):
            rows = order[i : i + settings.batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss(model(x[rows]), y[rows]).backward()
            optimizer.step()
        model.eval()
        with torch.inference_mode():
            float(loss(model(x_val), y_val))
    return time.perf_counter() - started


@pytest.mark.parametrize("name", MODELS)
def test_trainer_vs_minimal_loop(benchmark, name, tmp_path):
    registry = Registry(load())
    spec = registry.models[name].spec
    dataset = registry.datasets["synthetic"]
    data = dataset.spec.open(spec, None, {**dataset.spec.options, "samples": SAMPLES})
    # no early stop, so both run EPOCHS epochs
    settings = TrainSettings(epochs=EPOCHS, patience=EPOCHS + 1, device="cpu")
    train_rows, val_rows = split_indices(data, settings.val_fraction, 0)
    x = torch.as_tensor(data.inputs[train_rows])
    y = torch.as_tensor(data.targets[train_rows])
    x_val, y_val = torch.as_tensor(data.inputs[val_rows]), torch.as_tensor(data.targets[val_rows])

    trainer_seconds, loop_seconds, epochs_throughput = [], [], []

    def trainer_once(i: int) -> None:
        folder = tmp_path / f"trainer{i}"
        folder.mkdir()
        started = time.perf_counter()
        trained = train(ml5.TrainRequest(spec=spec, data=data, settings=settings, seed=0, folder=folder))
        trainer_seconds.append(time.perf_counter() - started)
        epochs_throughput.append(trained.metrics["samples_per_second"])

    benchmark.group = f"trainer vs minimal loop: {name}"
    for i in range(REPEATS):  # alternate, so that a noisy neighbour slows both alike
        if i == 0:
            benchmark.pedantic(trainer_once, args=(i,), rounds=1, iterations=1)
        else:
            trainer_once(i)
        loop_seconds.append(_minimal_loop(spec, x, y, x_val, y_val, settings, 0))
    trainer, loop = statistics.median(trainer_seconds), statistics.median(loop_seconds)
    samples = EPOCHS * len(train_rows)
    epochs = statistics.median(epochs_throughput)
    RESULTS[name] = {
        "train_examples": len(train_rows),
        "minimal_loop_samples_per_second": round(samples / loop),
        "trainer_epochs_samples_per_second": round(epochs),
        "trainer_whole_call_samples_per_second": round(samples / trainer),
        "loop_over_trainer_epochs": round(samples / loop / epochs, 3),
        "loop_over_trainer_whole_call": round(trainer / loop, 3),
    }
