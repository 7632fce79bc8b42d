"""Splits by piece, for data sets that ship none: deterministic, and never by window, so no
piece (a song, a score, a performance) has examples on both sides."""

from __future__ import annotations

import hashlib
from typing import Any

from ml5.run import DataError

VALIDATION_SHARE = 0.1


def split_by_piece(key: str, share: float = VALIDATION_SHARE, test_share: float = 0.0) -> str:
    """Deterministic split of a piece by the SHA-256 of its key (a file or song id): about
    ``share`` of the pieces go to "validation", ``test_share`` to "test", the rest to "train";
    every window of a piece lands on the same side, so nothing leaks between them."""
    bucket = int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") / 2**32
    return "validation" if bucket < share else "test" if bucket < share + test_share else "train"


def hold_out_one_piece(split: Any, pieces: Any, what: str) -> Any:
    """Splits stay by piece. When no piece landed in validation or test (a small selection),
    the piece whose key has the lowest hash is held out; when nothing is left to train on, or
    only one piece, that is an error — the trainer would otherwise draw rows, and windows of one
    piece would land on both sides. ``split`` and ``pieces`` are numpy arrays, one entry a row."""
    import numpy as np  # imported here: data set plugins import this module when they are listed
    distinct = np.unique(pieces)
    held_out = np.isin(split, ("validation", "test"))
    if not (~held_out).any():
        raise DataError(
            f"{what}: all {len(distinct)} pieces are in the validation/test split, none to train on; "
            "use more files (max_files) or a selection with training pieces"
        )
    if held_out.any():
        return split
    if len(distinct) < 2:
        raise DataError(f"{what}: one piece only; a piece must be held out for validation, so give at least two")
    held = min(distinct, key=lambda p: hashlib.sha256(str(p).encode()).hexdigest())
    return np.where(pieces == held, "validation", split)
