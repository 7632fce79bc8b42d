import ml5
import numpy as np
import pytest
from ml5.testing import DatasetContract
from ml5_synthetic import FORMAT


class TestSynthetic(DatasetContract):
    dataset_name = "synthetic"

    def options(self):
        return {"samples": 512}


def _spec(name):
    from ml5.plugins import load
    from ml5.registry import Registry

    models = Registry(load()).models
    if name not in models:
        pytest.skip(f"model plugin {name!r} not installed")
    return models[name].spec


def test_seed_and_options_change_the_data_and_the_fingerprint():
    spec = _spec("groove")
    a = FORMAT.open(spec, None, {"samples": 64, "noise": 0.05, "seed": 0})
    b = FORMAT.open(spec, None, {"samples": 64, "noise": 0.05, "seed": 1})
    assert a.fingerprint != b.fingerprint and not np.array_equal(a.inputs, b.inputs)


def test_emotion_embedding_follows_valence_and_arousal():
    spec = _spec("emotion")
    data = FORMAT.open(spec, None, {"samples": 256, "noise": 0.05, "seed": 0})
    valence, arousal = data.targets[:, :12], data.targets[:, 12:24]
    # each is one hidden value seen through 12 monotone curves: strongly correlated dims
    assert np.corrcoef(valence[:, 0], valence[:, 11])[0, 1] > 0.9
    assert abs(np.corrcoef(valence[:, 0], arousal[:, 0])[0, 1]) < 0.3
    # the context is the typical one of each example's emotion: tempo follows arousal, mode valence
    assert np.corrcoef(arousal[:, 0], data.targets[:, 24])[0, 1] > 0.9
    assert np.corrcoef(valence[:, 0], data.targets[:, 27])[0, 1] > 0.9


def test_harmony_targets_are_distributions_over_the_vocabulary():
    spec = _spec("harmony")
    data = FORMAT.open(spec, None, {"samples": 128, "noise": 0.05, "seed": 0})
    assert np.allclose(data.targets.sum(axis=1), 1, atol=1e-5) and (data.targets >= 0).all()


def test_path_is_refused():
    with pytest.raises(ml5.DataError, match="generated"):
        FORMAT.open(_spec("groove"), "/somewhere", dict(FORMAT.options))


def test_listing_and_generators_name_the_same_models():
    # FORMAT lives in the light package module (listed without importing numpy); the
    # generators in ml5_synthetic.generate: the two lists must stay one
    from ml5_synthetic.generate import GENERATORS

    assert tuple(GENERATORS) == FORMAT.feeds
