from __future__ import annotations

import pytest
from ml5 import LSTM, Dense, ModelSpec
from ml5.music import chord_pitch_classes, parse_chord
from ml5.specs import GRU, DatasetFormat


def spec(**kw):
    base = dict(name="m", title="M", stem="m", input_size=4, output_size=2,
                layers=[Dense(4, 3, "tanh"), Dense(3, 2, "sigmoid")], head="sigmoid", loss="bce")
    return ModelSpec(**{**base, **kw})


def test_parameter_count_from_the_stack():
    # dense: in*out + out; LSTM: 4H(in+H) + two bias vectors of 4H, as PyTorch counts
    s = spec(input_size=4, output_size=2, layers=[Dense(4, 6, "relu"), LSTM(6, 5), Dense(5, 2, "sigmoid")])
    assert s.param_count == (4 * 6 + 6) + (4 * 5 * (6 + 5) + 8 * 5) + (5 * 2 + 2)
    assert GRU(3, 2).param_count == 3 * 2 * (3 + 2) + 6 * 2


def test_a_spec_with_its_own_training_defaults_stays_hashable_and_compares_by_them():
    own = spec(train={"optimizer": "adamw", "weight_decay": 3.0})
    assert {own: 1}[spec(train={"optimizer": "adamw", "weight_decay": 3.0})] == 1
    assert own != spec() and hash(own) == hash(spec())
    assert spec(train={"weight_decay": 3}).train == {"weight_decay": 3.0}  # kept as checked: a float
    assert isinstance(spec(train={"weight_decay": 3}).train["weight_decay"], float)


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"layers": [Dense(4, 3, "tanh"), Dense(4, 2, "sigmoid")]}, "layers\\[1\\] takes 4 inputs but layers\\[0\\] gives 3"),
        ({"input_size": 5}, "input_size 5"),
        ({"output_size": 3}, "output_size 3"),
        ({"head": "tanh"}, "head 'tanh'"),
        ({"loss": "kl"}, "loss 'kl' does not fit"),
        ({"loss": "hinge"}, "loss"),
        ({"name": "Bad Name"}, "lower-case"),
        ({"output_labels": ["a"]}, "output_labels"),
        ({"layers": []}, "at least one layer"),
        ({"train": {"weight_decai": 1.0}}, "model 'm': train.weight_decai: unknown key"),
        ({"train": {"optimizer": "adagrad"}}, "model 'm': train.optimizer: expected one of"),
        ({"train": {"batch_size": 0}}, "model 'm': train.batch_size: expected a number > 0"),
    ],
)
def test_invalid_specs_are_refused(kw, message):
    with pytest.raises((ValueError, TypeError), match=message):
        spec(**kw)


def test_unknown_activation_is_refused():
    with pytest.raises(ValueError, match="linear"):
        Dense(2, 2, "linear")


def test_specs_are_frozen():
    s = spec()
    with pytest.raises(AttributeError):
        s.name = "other"


def test_chord_labels():
    assert parse_chord("F#:min7") == (6, "min7")
    assert chord_pitch_classes("C:maj") == {0, 4, 7}
    assert chord_pitch_classes("N") == frozenset()
    with pytest.raises(ValueError, match="H:maj"):
        parse_chord("H:maj")


def test_a_preferred_real_data_set_is_the_default_where_installed():
    spec = ModelSpec(
        name="m", title="M", stem="m", input_size=2, output_size=2, layers=[Dense(2, 2, "tanh")], head="tanh",
        loss="mse", preferred_datasets=["corpus", "lakh"],
    )
    assert spec.preferred_datasets == ("corpus", "lakh")
    assert spec.default_dataset_among({"synthetic": 1, "corpus": 2, "lakh": 3}) == "corpus"
    assert spec.default_dataset_among({"synthetic": 1, "lakh": 3}) == "lakh"
    assert spec.default_dataset_among({"synthetic": 1}) == "synthetic"  # none installed: the model's own


def test_a_data_set_formats_options_default_to_what_a_config_file_gives():
    from pathlib import Path

    def open_nothing(*_):
        raise AssertionError("not opened")

    fmt = DatasetFormat(name="tiny", feeds=("groove",), open=open_nothing, options={"n": 3, "names": ["a"], "on": True})
    assert fmt.options["names"] == ["a"]
    with pytest.raises(ValueError, match=r"dataset format 'tiny': option 'root' defaults to a PosixPath; a config file gives only"):
        DatasetFormat(name="tiny", feeds=("groove",), open=open_nothing, options={"root": Path("/data")})
