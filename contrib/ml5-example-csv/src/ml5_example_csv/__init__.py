"""Dataset format ``csv-pairs``: rows of model inputs and targets in ``<folder>/pairs.csv``."""

from __future__ import annotations

import csv
import hashlib
import math
from pathlib import Path

import ml5

FILE = "pairs.csv"
SPLITS = ("train", "validation", "test")


def _columns(header: list[str], prefix: str) -> list[int]:
    return [i for i, name in enumerate(header) if name.strip().startswith(prefix)]


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    csv_path = path / FILE
    if not csv_path.is_file():
        raise ml5.DataError(f"{csv_path} not found: a csv-pairs folder holds {FILE} (see the plugin README)")
    with csv_path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if not rows:
        raise ml5.DataError(f"{csv_path} is empty: expected a header row in_0,…,out_0,…")
    return [h.strip() for h in rows[0]], rows[1:]


def problems(path: Path) -> list[str]:
    """One line per problem in the folder; [] when it reads cleanly."""
    try:
        header, rows = _read(Path(path))
    except ml5.DataError as exc:
        return [str(exc)]
    found = []
    if not _columns(header, "in_") or not _columns(header, "out_"):
        found.append(f"{path / FILE}: header needs in_* and out_* columns, got {header[:6]}")
    for line, row in enumerate(rows, start=2):
        if len(row) != len(header):
            found.append(f"{path / FILE} row {line}: {len(row)} fields, header has {len(header)}")
    return found


def open_pairs(spec: ml5.ModelSpec, path: Path, options: dict) -> ml5.Data:
    import numpy as np  # here, not at the top: plugins are imported whenever ml5 lists them

    header, rows = _read(Path(path))
    inputs, outputs = _columns(header, "in_"), _columns(header, "out_")
    csv_path = Path(path) / FILE
    if (len(inputs), len(outputs)) != (spec.input_size, spec.output_size):
        raise ml5.DataError(
            f"{csv_path}: {len(inputs)} in_* and {len(outputs)} out_* columns, but model {spec.name!r} "
            f"takes {spec.input_size} inputs and gives {spec.output_size} outputs"
        )
    split_col = header.index("split") if "split" in header else None
    values = np.empty((len(rows), len(inputs) + len(outputs)), dtype=np.float32)
    splits = []
    for r, row in enumerate(rows):
        line = r + 2
        if len(row) != len(header):
            raise ml5.DataError(f"{csv_path} row {line}: {len(row)} fields, the header has {len(header)}")
        for j, col in enumerate(inputs + outputs):
            try:
                value = float(row[col])
            except ValueError:
                raise ml5.DataError(f"{csv_path} row {line}, column {header[col]}: {row[col]!r} is not a number") from None
            if not math.isfinite(value):
                raise ml5.DataError(f"{csv_path} row {line}, column {header[col]}: {row[col]!r} is not finite")
            values[r, j] = value
        if split_col is not None:
            if row[split_col] not in SPLITS:
                raise ml5.DataError(f"{csv_path} row {line}, column split: {row[split_col]!r} is not one of {SPLITS}")
            splits.append(row[split_col])
    digest = hashlib.sha256(csv_path.read_bytes()).hexdigest()[:16]
    return ml5.Data(
        inputs=values[:, : len(inputs)],
        targets=values[:, len(inputs) :],
        fingerprint=f"csv-pairs-{digest}",
        description=f"{len(rows)} rows from {csv_path}",
        split=np.array(splits) if splits else None,
        stats={"rows": len(rows)},
    )


FORMAT = ml5.DatasetFormat(
    name="csv-pairs",
    feeds=("emotion", "melody", "harmony", "dynamics", "groove"),
    open=open_pairs,
    needs_path=True,
    validate=problems,
    description="input/target pairs in <folder>/pairs.csv (columns in_*, out_*, optional split)",
    license="whatever the data's owner grants (the format adds none)",
)


@ml5.hookimpl
def ml5_register_datasets(register):
    register(FORMAT)
