"""Splits by piece: never by window, even when a small selection puts every piece in train."""

import ml5
import numpy as np
import pytest
from ml5.splits import hold_out_one_piece, split_by_piece


def test_split_by_piece_is_deterministic_and_about_ten_percent():
    keys = [f"song{i}" for i in range(2000)]
    splits = [split_by_piece(k) for k in keys]
    assert splits == [split_by_piece(k) for k in keys]
    assert 150 < splits.count("validation") < 250 and set(splits) == {"train", "validation"}


def test_one_whole_piece_is_held_out_when_none_was():
    owners = np.array(["song x", "song x", "song y", "song y", "song y", "song z"])
    split = hold_out_one_piece(np.array(["train"] * 6), owners, "test data")
    held = set(owners[split == "validation"])
    assert len(held) == 1
    (piece,) = held
    assert (split[owners == piece] == "validation").all() and (split[owners != piece] == "train").all()
    official = np.array(["train", "train", "test", "test", "test", "train"])
    assert hold_out_one_piece(official, owners, "test data").tolist() == official.tolist()


def test_nothing_to_train_on_or_one_piece_is_an_error():
    with pytest.raises(ml5.DataError, match="all 2 pieces are in the validation/test split"):
        hold_out_one_piece(np.array(["test", "test", "validation"]), np.array(["a", "a", "b"]), "gmd (groove)")
    with pytest.raises(ml5.DataError, match="one piece only"):
        hold_out_one_piece(np.array(["train", "train"]), np.array(["a", "a"]), "corpus (melody)")
