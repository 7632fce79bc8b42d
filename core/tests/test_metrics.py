"""Task metrics beside their trivial baselines, on arrays worked out by hand."""

import numpy as np
import pytest
from ml5.metrics import beats_baseline, set_f1, task_metrics


def test_chord_accuracy_and_the_majority_baseline():
    train = np.eye(4)[[0, 0, 0, 1, 2]]  # class 0 is the majority, then 1 and 2 (tie, 1 first)
    truth = np.eye(4)[[0, 1, 2, 3]]
    pred = np.array([[0.7, 0.1, 0.1, 0.1], [0.1, 0.6, 0.2, 0.1], [0.5, 0.1, 0.3, 0.1], [0.4, 0.3, 0.2, 0.1]])
    m = task_metrics("kl", pred, truth, train)
    assert m["metric"] == "top1_accuracy"
    assert m["value"] == 0.5  # rows 0 and 1 right
    assert m["top3_accuracy"] == 0.75  # row 3's class 3 is ranked last
    assert m["baseline"] == 0.25  # always class 0: right on row 0 only
    assert m["baseline_top3_accuracy"] == 0.75  # classes 0, 1, 2 cover rows 0-2
    assert beats_baseline(m)


def test_pitch_set_f1():
    truth = np.array([[1, 1, 0, 0], [0, 0, 1, 0]], bool)
    pred = np.array([[1, 0, 1, 0], [0, 0, 1, 0]], bool)
    # row 0: tp 1, |pred| 2, |truth| 2 -> 0.5; row 1: perfect
    assert set_f1(pred, truth) == 0.75
    assert set_f1(np.zeros((1, 3), bool), np.zeros((1, 3), bool)) == 1.0
    train = np.array([[1, 1, 0, 0], [1, 0, 0, 0]], float)  # mean [1, .5, 0, 0] -> set {0, 1}
    m = task_metrics("bce", pred.astype(float), truth.astype(float), train)
    # baseline predicts {0, 1}: row 0 perfect, row 1 F1 0
    assert (m["value"], m["baseline"]) == (0.75, 0.5)


def test_mse_against_the_mean():
    train = np.array([[0.0], [1.0]])
    truth = np.array([[1.0], [0.0]])
    m = task_metrics("mse", np.array([[0.9], [0.1]]), truth, train)
    assert m["value"] == pytest.approx(0.01) and m["baseline"] == pytest.approx(0.25)
    assert not m["higher_is_better"] and beats_baseline(m)


def test_valence_arousal_read_back_from_the_embedding():
    from ml5.music import emotion_embedding

    train = emotion_embedding(np.array([0.5, -0.5]), np.array([0.0, 0.0]))  # mean valence 0, arousal 0
    truth = emotion_embedding(np.array([0.4, -0.4, 0.2]), np.array([0.3, -0.3, 0.0]))
    pred = emotion_embedding(np.array([0.5, -0.3, 0.2]), np.array([0.3, -0.3, 0.1]))
    m = task_metrics("valence_arousal", pred, truth, train)
    assert m["valence_mse"] == pytest.approx((0.01 + 0.01 + 0) / 3, abs=1e-6)
    assert m["arousal_mse"] == pytest.approx(0.01 / 3, abs=1e-6)
    assert m["baseline_valence_mse"] == pytest.approx((0.16 + 0.16 + 0.04) / 3, abs=1e-6)
    assert m["valence_r"] == pytest.approx(np.corrcoef([0.5, -0.3, 0.2], [0.4, -0.4, 0.2])[0, 1], abs=1e-5)
    assert m["value"] == pytest.approx((m["valence_mse"] + m["arousal_mse"]) / 2) and beats_baseline(m)


def test_a_linear_models_predictions_get_the_same_metric():
    train = np.eye(3)[[0, 0, 1, 2]]
    truth = np.eye(3)[[0, 1, 2]]
    network = np.array([[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.1, 0.2, 0.7]])  # all right
    linear = np.array([[0.5, 0.3, 0.2], [0.6, 0.3, 0.1], [0.2, 0.5, 0.3]])  # row 0 right; row 2's class 2 last
    m = task_metrics("kl", network, truth, train, linear)
    assert (m["value"], m["linear"]) == (1.0, pytest.approx(1 / 3))
    assert m["linear_top3_accuracy"] == 1.0 and "softmax regression" in m["linear_rule"]
    assert "linear" not in task_metrics("kl", network, truth, train)


def test_unknown_targets_are_left_out_of_mse():
    train = np.array([[0.0, np.nan], [1.0, np.nan], [1.0, 4.0]])  # column 1 known once: mean 4
    truth = np.array([[1.0, np.nan], [0.0, 2.0]])
    pred = np.array([[0.5, 9.0], [0.5, 3.0]])
    m = task_metrics("mse", pred, truth, train)
    assert m["value"] == pytest.approx((0.25 + 0.25 + 1.0) / 3)  # the NaN cell counts nowhere
    assert m["baseline"] == pytest.approx(((1 - 2 / 3) ** 2 + (2 / 3) ** 2 + (4 - 2) ** 2) / 3)


def test_the_emotion_embeddings_musical_context_is_scored_where_known():
    from ml5.music import emotion_embedding

    rng = np.random.default_rng(0)
    v, a = rng.uniform(-1, 1, 40), rng.uniform(-1, 1, 40)
    context = rng.uniform(-1, 1, (40, 40))
    truth = emotion_embedding(v, a, context)
    truth[:10, 24:] = np.nan  # ten rows without a known context
    pred = emotion_embedding(v, a, context * 0.5)  # same order everywhere: r 1, strongest bins right
    m = task_metrics("valence_arousal", pred, truth, truth[10:])
    c = m["context"]
    assert c["examples"] == 30 and c["r"]["tempo"] == pytest.approx(1.0) and c["pitch_class_top1"] == 1.0
    wrong = emotion_embedding(v, a, -context)  # every profile's strongest bin becomes its weakest
    assert task_metrics("valence_arousal", wrong, truth, truth[10:])["context"]["bass_top1"] == 0.0
