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


def test_windowed_work_equals_work_on_the_whole_piece(tmp_path, monkeypatch):
    """Each phrase is computed on ``Piece.around`` (linear time); it must change no number:
    held notes across phrases, a drone over the whole piece, drums, a tempo change."""
    from ml5_midi import examples
    from ml5_midi.piece import Piece, read_midi
    from ml5_midi.testing import drum_bar, write_midi

    rng = np.random.default_rng(0)
    melody = [(0.5 * i, float(rng.choice([0.25, 0.5, 3.0])), int(rng.integers(60, 84)), int(rng.integers(40, 120)))
              for i in range(64)]
    drone = [(0.0, 32.0, 36, 70)]
    drums = [n for bar in range(8) for n in drum_bar(bar)]
    piece = read_midi(write_midi(tmp_path / "p.mid", [melody, drone, drums], drums=[False, False, True],
                                 tempos=[(0, 100), (12, 140)], pedal=[(2, 9)]))
    windowed = examples.piece_examples(piece, 2)
    monkeypatch.setattr(Piece, "around", lambda self, begin, end: self)
    whole = examples.piece_examples(piece, 2)
    assert windowed.keys() == whole.keys()
    for name in whole:
        assert np.array_equal(np.asarray(windowed[name]), np.asarray(whole[name])), name
