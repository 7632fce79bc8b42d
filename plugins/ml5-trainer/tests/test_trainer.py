"""The trainer on a small real task: learning, determinism, early stopping, checkpoints, resume."""

from __future__ import annotations

import json

import attrs
import ml5
import numpy as np
import pytest
import torch
from ml5.config import TrainSettings
from ml5.nn import LOSSES
from ml5_trainer.loop import train

SPEC = ml5.ModelSpec(
    name="toy", title="Toy", stem="toy", input_size=6, output_size=3,
    layers=[ml5.Dense(6, 16, "tanh"), ml5.LSTM(16, 8), ml5.Dense(8, 3, "tanh")], head="tanh", loss="mse",
)


def toy_data(n=600, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, 6)).astype(np.float32)
    y = np.tanh(x[:, :3] * 1.5 - x[:, 3:] * 0.7).astype(np.float32)
    return ml5.Data(inputs=x, targets=y, fingerprint=f"toy-{n}-{seed}")


def request(tmp_path, **settings):
    base = dict(epochs=12, batch_size=32, learning_rate=3e-3, patience=50)
    return ml5.TrainRequest(SPEC, toy_data(), TrainSettings(**{**base, **settings}), seed=7, folder=tmp_path)


def test_learns_and_reports_gain_over_baseline(tmp_path):
    model = train(request(tmp_path))
    assert model.metrics["gain_over_baseline"] > 0.8
    assert model.metrics["best_val_loss"] < model.metrics["baseline_loss"]
    task = model.metrics["task"]  # mse head: held-out MSE next to the training mean's
    assert task["metric"] == "mse" and task["value"] < 0.2 * task["baseline"]
    assert task["value"] == pytest.approx(model.metrics["best_val_loss"], rel=1e-4)
    for name in ("curves.json", "curves.csv", "metrics.json", "checkpoints/latest.pt", "checkpoints/best.pt"):
        assert (tmp_path / name).is_file(), name
    curves = json.loads((tmp_path / "curves.json").read_text())
    assert len(curves["epochs"]) == 12 and curves["baseline_loss"] == model.metrics["baseline_loss"]


def test_same_seed_same_weights(tmp_path):
    a = train(request(tmp_path / "a", epochs=3))
    b = train(request(tmp_path / "b", epochs=3))
    for la, lb in zip(a.layer_weights, b.layer_weights):
        for name in la:
            assert np.array_equal(la[name], lb[name]), name


def test_returned_weights_are_the_best_epochs(tmp_path):
    # A learning rate this high makes validation loss jump around: the last epoch is rarely the best.
    model = train(request(tmp_path, epochs=15, learning_rate=0.05, patience=4))
    x = torch.as_tensor(toy_data().inputs)
    module = SPEC.build()
    module.load_layer_weights(model.layer_weights)
    best = torch.load(tmp_path / "checkpoints" / "best.pt", weights_only=True)
    best_module = SPEC.build()
    best_module.load_state_dict(best["model"])
    assert torch.equal(module(x), best_module(x))
    curves = json.loads((tmp_path / "curves.json").read_text())["epochs"]
    assert min(c["val_loss"] for c in curves) == model.metrics["best_val_loss"]
    assert best["epoch"] == model.metrics["best_epoch"]


def test_early_stopping_stops(tmp_path):
    model = train(request(tmp_path, epochs=200, learning_rate=0.2, patience=2, optimizer="sgd"))
    assert model.metrics["stopped_early"] and model.metrics["epochs_run"] < 200


class Interrupt(Exception):
    pass


def test_resume_after_interruption_ends_with_identical_weights(tmp_path):
    full = train(request(tmp_path / "full", epochs=6, lr_schedule="cosine", grad_clip=1.0))

    def stop_at_3(epoch, metrics):
        if epoch == 3:
            raise Interrupt

    cut = attrs.evolve(request(tmp_path / "cut", epochs=6, lr_schedule="cosine", grad_clip=1.0), on_epoch_end=stop_at_3)
    with pytest.raises(Interrupt):
        train(cut)
    resumed = train(attrs.evolve(cut, resume=True, on_epoch_end=lambda e, m: None))
    assert resumed.metrics["epochs_run"] == 6
    for la, lb in zip(full.layer_weights, resumed.layer_weights):
        for name in la:
            assert np.array_equal(la[name], lb[name]), name


def test_resume_refuses_a_checkpoint_of_other_settings(tmp_path):
    train(request(tmp_path, epochs=2))
    with pytest.raises(ml5.RunError, match="belongs to another"):
        train(attrs.evolve(request(tmp_path, epochs=2, learning_rate=0.1), resume=True))


def test_corrupt_checkpoint_is_named(tmp_path):
    (tmp_path / "checkpoints").mkdir(parents=True)
    (tmp_path / "checkpoints" / "latest.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(ml5.RunError, match="latest.pt"):
        train(attrs.evolve(request(tmp_path, epochs=2), resume=True))


@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_losses_are_zero_at_the_target_and_positive_elsewhere(loss):
    target = torch.softmax(torch.randn(4, 5), dim=1)
    assert float(LOSSES[loss](target, target)) == pytest.approx(0.0, abs=1e-5) or loss == "bce"
    other = torch.softmax(torch.randn(4, 5), dim=1)
    assert float(LOSSES[loss](other, target)) > float(LOSSES[loss](target, target))


def test_threads_setting_is_applied(tmp_path):
    before = torch.get_num_threads()
    try:
        train(request(tmp_path, epochs=1, threads=1))
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


def test_the_linear_model_fits_what_is_linear():
    from ml5.nn import fit_linear

    rng = np.random.default_rng(1)
    x = rng.normal(size=(400, 6)).astype(np.float32)
    weights = rng.normal(size=(6, 3)) * 0.2
    y = (x @ weights + 0.1).astype(np.float32)
    spec = attrs.evolve(SPEC, layers=[ml5.Dense(6, 3, "")], head="")
    predict = fit_linear(spec, x[:300], y[:300])
    assert np.abs(predict(x[300:]) - y[300:]).max() < 0.01  # ridge: near-exact on held-out rows
    # softmax regression: the class is the argmax of a linear score
    classes = np.argmax(x @ rng.normal(size=(6, 4)), axis=1)
    soft = ml5.ModelSpec(name="soft", title="Soft", stem="soft", input_size=6, output_size=4,
                         layers=[ml5.Dense(6, 4, "softmax")], head="softmax", loss="kl")
    probabilities = fit_linear(soft, x[:300], np.eye(4, dtype=np.float32)[classes[:300]])(x[300:])
    assert np.allclose(probabilities.sum(axis=1), 1, atol=1e-5)
    assert (probabilities.argmax(axis=1) == classes[300:]).mean() > 0.9


def test_a_small_data_set_still_takes_steps_and_the_test_split_is_scored(tmp_path):
    from ml5_trainer.loop import MIN_STEPS_PER_EPOCH, effective_batch

    assert effective_batch(64, 20) == 3 and effective_batch(64, 10_000) == 64 and effective_batch(64, 3) == 1
    data = toy_data(n=60)
    split = np.array(["train"] * 40 + ["validation"] * 10 + ["test"] * 10)
    req = ml5.TrainRequest(SPEC, attrs.evolve(data, split=split), TrainSettings(epochs=3, batch_size=64, patience=50),
                           seed=7, folder=tmp_path)
    model = train(req)
    assert model.metrics["batch_size"] == 5 == -(-40 // MIN_STEPS_PER_EPOCH)
    test = model.metrics["task_test"]
    assert test["examples"] == 10 and model.metrics["task"]["examples"] == 10
    truth = data.targets[50:]
    assert test["value"] == pytest.approx(float(np.mean((model.predict(data.inputs[50:]) - truth) ** 2)), rel=1e-5)
    assert test["baseline"] == pytest.approx(float(np.mean((data.targets[:40].mean(axis=0) - truth) ** 2)), rel=1e-5)
    assert "linear" in test and "linear" in model.metrics["task"]
