"""Splits by piece: never by window, even when a small selection puts every piece in train."""

import numpy as np
from ml5_midi.dataset import _hold_out_one_piece, split_by_piece


def test_split_by_piece_is_deterministic_and_about_ten_percent():
    keys = [f"song{i}" for i in range(2000)]
    splits = [split_by_piece(k) for k in keys]
    assert splits == [split_by_piece(k) for k in keys]
    assert 150 < splits.count("validation") < 250 and set(splits) == {"train", "validation"}


def test_one_whole_piece_is_held_out_when_none_was():
    owners = np.array(["/a/x.mid", "/a/x.mid", "/a/y.mid", "/a/y.mid", "/a/y.mid", "/a/z.mid"])
    split = _hold_out_one_piece(np.array(["train"] * 6), owners)
    held = set(owners[split == "validation"])
    assert len(held) == 1
    (piece,) = held
    assert (split[owners == piece] == "validation").all() and (split[owners != piece] == "train").all()
    official = np.array(["train", "train", "test", "test", "test", "train"])
    assert _hold_out_one_piece(official, owners).tolist() == official.tolist()
