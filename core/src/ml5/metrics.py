"""Task metrics of a trained model on held-out data, each beside its trivial baseline.

Which metric a model gets follows from its loss (so a new model plugin needs nothing here):

- ``kl`` (a softmax over categories, e.g. harmony's chords): top-1 and top-3 accuracy against the
  target's most likely category; baseline: always the training set's majority category (and its
  three most frequent for top-3).
- ``bce`` (independent probabilities, e.g. melody's pitches): pitch-set F1 — the predicted set is
  every output ≥ 0.5, the true set every target ≥ 0.5, F1 per example, averaged (an example with
  both sets empty scores 1); baseline: the training targets' mean distribution, same rule.
- ``mse`` (regression heads): mean squared error; baseline: predicting the training mean.
- ``valence_arousal`` (a model whose output is the emotion embedding; set as ``ModelSpec.metric``):
  valence and arousal read back from the embedding (``ml5.music.embedding_emotion``), their
  mean squared error and Pearson r; baseline: the training mean (whose r is 0).

Beside the trivial baseline, the trainer passes the predictions of a linear model fitted on the
same training rows (``ml5.nn.fit_linear``): the same metric of it is ``linear`` (and
``linear_top3_accuracy`` for a softmax). A NaN target is unknown and left out.

numpy only; the trainer calls ``task_metrics`` and its result goes into the report.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: loss -> (headline metric, whether higher is better)
HEADLINE = {
    "kl": ("top1_accuracy", True),
    "bce": ("pitch_set_f1", True),
    "mse": ("mse", False),
    "valence_arousal": ("valence_arousal_mse", False),
}


def _topk_hits(scores: np.ndarray, truth: np.ndarray, k: int) -> np.ndarray:
    top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return (top == truth[:, None]).any(axis=1)


def set_f1(predicted: np.ndarray, truth: np.ndarray) -> float:
    """Mean per-example F1 of two boolean (n, k) arrays; both empty counts as a perfect 1."""
    tp = (predicted & truth).sum(axis=1)
    size = predicted.sum(axis=1) + truth.sum(axis=1)
    f1 = np.where(size == 0, 1.0, 2 * tp / np.maximum(size, 1))
    return float(f1.mean()) if len(f1) else 0.0


def task_metrics(loss: str, predictions: Any, targets: Any, train_targets: Any, linear: Any = None) -> dict[str, Any]:
    """``{"metric": name, "value": …, "baseline": …, "higher_is_better": …, **details}``;
    with ``linear`` (a linear model's predictions on the same rows) also ``"linear": …``."""
    out = _metrics(loss, predictions, targets, train_targets)
    if linear is not None:
        of_linear = _metrics(loss, linear, targets, train_targets)
        out["linear"] = of_linear["value"]
        for key in ("top3_accuracy", "valence_r", "arousal_r"):
            if key in of_linear:
                out[f"linear_{key}"] = of_linear[key]
        out["linear_rule"] = LINEAR_RULES[loss]
    return out


LINEAR_RULES = {
    "kl": "softmax regression on the same inputs, fitted on the training rows",
    "bce": "logistic regression per output on the same inputs, fitted on the training rows",
    "mse": "ridge regression on the same inputs, fitted on the training rows",
    "valence_arousal": "ridge regression on the same inputs, fitted on the training rows",
}


def _metrics(loss: str, predictions: Any, targets: Any, train_targets: Any) -> dict[str, Any]:
    pred = np.asarray(predictions, dtype=np.float64)
    true = np.asarray(targets, dtype=np.float64)
    train = np.asarray(train_targets, dtype=np.float64)
    name, higher = HEADLINE[loss]
    out: dict[str, Any] = {"metric": name, "higher_is_better": higher, "examples": len(true)}
    if loss == "kl":
        truth = true.argmax(axis=1)
        counts = np.bincount(train.argmax(axis=1), minlength=true.shape[1]).astype(np.float64)
        majority = np.broadcast_to(counts, pred.shape)  # scores ranking the training frequencies
        out.update(
            value=float(_topk_hits(pred, truth, 1).mean()),
            baseline=float(_topk_hits(majority, truth, 1).mean()),
            top3_accuracy=float(_topk_hits(pred, truth, 3).mean()),
            baseline_top3_accuracy=float(_topk_hits(majority, truth, 3).mean()),
            baseline_rule="always the training set's most frequent category",
        )
    elif loss == "bce":
        truth_sets = true >= 0.5
        mean = np.broadcast_to(train.mean(axis=0), pred.shape)
        out.update(
            value=set_f1(pred >= 0.5, truth_sets),
            baseline=set_f1(mean >= 0.5, truth_sets),
            baseline_rule="the training targets' mean distribution, thresholded at 0.5",
        )
    elif loss == "valence_arousal":
        from ml5.music import embedding_emotion

        (pv, pa), (tv, ta), (mv, ma) = (embedding_emotion(x) for x in (pred, true, train))
        for name_, p_, t_, m_ in (("valence", pv, tv, mv), ("arousal", pa, ta, ma)):
            out[f"{name_}_mse"] = float(np.mean((p_ - t_) ** 2))
            out[f"baseline_{name_}_mse"] = float(np.mean((m_.mean() - t_) ** 2))
            out[f"{name_}_r"] = _pearson(p_, t_)
        out.update(
            value=(out["valence_mse"] + out["arousal_mse"]) / 2,
            baseline=(out["baseline_valence_mse"] + out["baseline_arousal_mse"]) / 2,
            baseline_rule="the training mean of valence and of arousal (Pearson r 0)",
        )
        if pred.shape[1] > 32:  # the embedding's musical context, where the data knows it
            out["context"] = context_metrics(pred, true)
    else:
        mean = known_mean(train)
        out.update(
            value=_nanmean((pred - true) ** 2),
            baseline=_nanmean((mean[None, :] - true) ** 2),
            baseline_rule="the training targets' mean",
        )
    return out


def known_mean(t: np.ndarray) -> np.ndarray:
    """Per column, the mean of the known (non-NaN) values; 0 where none is known."""
    t = np.asarray(t, dtype=np.float64)
    known = ~np.isnan(t)
    return np.where(known.any(axis=0), np.nansum(t, axis=0) / np.maximum(known.sum(axis=0), 1), 0.0)


def _nanmean(x: np.ndarray) -> float:
    known = ~np.isnan(x)
    return float(x[known].mean()) if known.any() else float("nan")


def context_metrics(pred: np.ndarray, true: np.ndarray) -> dict[str, Any]:
    """Held-out measures of the embedding's musical context (``ml5.music``: dims 24-63), on the
    rows whose context is known: Pearson r of each scalar, and for each profile how often the
    predicted strongest bin is the true one (beside the share of the most frequent true one)."""
    from ml5.music import BASS_DIMS, CONTEXT_SCALARS, OCTAVE_DIMS, PITCH_CLASS_DIMS, SCALAR_DIMS

    known = ~np.isnan(true[:, SCALAR_DIMS.start:]).any(axis=1)
    out: dict[str, Any] = {"examples": int(known.sum())}
    if known.sum() < 2:
        return out
    p, t = pred[known], true[known]
    out["r"] = {name: _pearson(p[:, d], t[:, d]) for name, d in zip(CONTEXT_SCALARS, SCALAR_DIMS)}
    for name, dims in (("pitch_class", PITCH_CLASS_DIMS), ("bass", BASS_DIMS), ("octave", OCTAVE_DIMS)):
        truth = t[:, dims.start:dims.stop].argmax(axis=1)
        out[f"{name}_top1"] = float((p[:, dims.start:dims.stop].argmax(axis=1) == truth).mean())
        out[f"{name}_top1_majority"] = float(np.bincount(truth).max() / len(truth))
    return out


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) < 2 or np.std(a) == 0 or np.std(b) == 0:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


def beats_baseline(metrics: dict[str, Any]) -> bool:
    value, baseline = metrics["value"], metrics["baseline"]
    return bool(value > baseline if metrics["higher_is_better"] else value < baseline)
