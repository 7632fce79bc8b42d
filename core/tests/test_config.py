from __future__ import annotations

import json

import pytest
from ml5 import config
from ml5.config import ConfigError


def write(tmp_path, text, name="ml5.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_defaults_when_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = config.load()
    assert cfg.train.epochs == config.TrainSettings().epochs and cfg.models == {}


def test_model_overrides_merge_over_defaults(tmp_path):
    cfg = config.load(write(tmp_path, """
        [train]
        epochs = 5
        learning_rate = 0.01
        [models.groove.train]
        epochs = 9
        [models.groove.options]
        samples = 100
    """.replace("\n        ", "\n")))
    groove = cfg.train_settings("groove")
    assert (groove.epochs, groove.learning_rate) == (9, 0.01)
    assert cfg.train_settings("melody").epochs == 5
    assert cfg.model("groove").options == {"samples": 100}


def test_a_networks_own_defaults_sit_under_what_the_file_sets(tmp_path):
    own = {"optimizer": "adamw", "weight_decay": 3.0, "batch_size": 256}
    assert config.Config().train_settings("emotion", own).weight_decay == 3.0  # no file: the network's
    cfg = config.load(write(tmp_path, """
        [train]
        batch_size = 32
        epochs = 7
        [models.emotion.train]
        weight_decay = 0.5
    """.replace("\n        ", "\n")))
    emotion = cfg.train_settings("emotion", own)
    # [models.emotion.train] over everything; the [train] keys the file sets over the network's;
    # the network's over TrainSettings' defaults
    assert (emotion.weight_decay, emotion.batch_size, emotion.optimizer, emotion.epochs) == (0.5, 32, "adamw", 7)
    assert cfg.train_settings("melody", {}).optimizer == config.TrainSettings().optimizer


def test_a_file_that_picks_the_optimizer_takes_the_weight_decay_with_it(tmp_path):
    own = {"optimizer": "adamw", "weight_decay": 3.0, "batch_size": 512}
    cfg = config.load(write(tmp_path, '[train]\noptimizer = "adam"\n'))
    # under Adam a weight decay of 3 is a strong L2 penalty: the network's value is not carried over
    emotion = cfg.train_settings("emotion", own)
    assert (emotion.optimizer, emotion.weight_decay, emotion.batch_size) == ("adam", 0.0, 512)


def test_json_with_same_structure(tmp_path):
    path = write(tmp_path, json.dumps({"run": {"seed": 3}, "models": {"groove": {"train": {"batch_size": 8}}}}), "c.json")
    cfg = config.load(path)
    assert cfg.run.seed == 3 and cfg.train_settings("groove").batch_size == 8


@pytest.mark.parametrize(
    "text, key, words",
    [
        ("[train]\nepoch = 3\n", "train.epoch", "unknown key"),
        ("[train]\nepochs = 'ten'\n", "train.epochs", "expected an integer"),
        ("[train]\nepochs = 2.5\n", "train.epochs", "expected an integer"),
        ("[train]\nlearning_rate = -1\n", "train.learning_rate", "> 0"),
        ("[train]\nval_fraction = 1.5\n", "train.val_fraction", "between 0 and 1"),
        ("[train]\noptimizer = 'adagrad'\n", "train.optimizer", "'adam'"),
        ("[models.groove]\ndatset = 'x'\n", "models.groove.datset", "unknown key"),
        ("[models.groove.train]\nepochs = true\n", "models.groove.train.epochs", "expected an integer"),
        ("[run]\nexporters = 'rtneural'\n", "run.exporters", "list of strings"),
        ("models = 3\n", "models", "table"),
        ("[bogus]\n", "bogus", "unknown key"),
    ],
)
def test_bad_values_name_the_key(tmp_path, text, key, words):
    with pytest.raises(ConfigError) as info:
        config.load(write(tmp_path, text))
    assert info.value.key == key
    assert words in str(info.value) and str(tmp_path / "ml5.toml") in str(info.value)


def test_syntax_error_names_file(tmp_path):
    path = write(tmp_path, "[train\nepochs = 1")
    with pytest.raises(ConfigError, match="ml5.toml"):
        config.load(path)


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        config.load(tmp_path / "nope.toml")


def test_to_toml_round_trips(tmp_path):
    cfg = config.load(write(tmp_path, "[run]\nseed = 4\n[models.groove.train]\nepochs = 2\n"))
    again = config.from_dict(config.tomllib.loads(config.to_toml(cfg.to_dict())))
    assert again.to_dict() == cfg.to_dict()


def test_json_null_means_not_set_where_the_default_is_unset(tmp_path):
    cfg = config.load(write(tmp_path, json.dumps({"run": {"exporters": None}, "models": {"groove": {"dataset": None}}}), "c.json"))
    assert cfg.run.exporters is None and cfg.model("groove").dataset is None
    with pytest.raises(config.ConfigError, match="train.epochs: expected an integer"):
        config.load(write(tmp_path, json.dumps({"train": {"epochs": None}}), "d.json"))
