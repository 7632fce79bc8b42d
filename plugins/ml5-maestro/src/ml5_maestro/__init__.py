"""Dataset format ``maestro``: MAESTRO piano performances as distributed (v3: ``maestro-v3.0.0/``
with year folders of ``.midi`` files and ``maestro-v3.0.0.csv``; v2's ``maestro-v2.0.0.csv`` is
read the same). FOLDER is the ``maestro-v3.0.0`` folder or the one holding it.

Feeds dynamics (velocities, pedal, timing of a real performance) and melody. Not harmony or
groove: the files are recorded without a beat grid (one tempo, bars of nominal 4/4), so a "bar"
is two seconds of playing, not a measure — a bar's chord or a 16th-note groove template would be
measured against a grid the music does not follow. Windows ("phrases") are ``phrase_bars``
nominal bars. No emotion labels: ml5-midi's proxy. Split: the CSV's official split (train /
validation / test), which keeps every composition on one side.
"""

from __future__ import annotations

from pathlib import Path

import ml5
from ml5_midi.format import Index, index_split_table, symbolic_format

CSV_NAMES = ("maestro-v3.0.0.csv", "maestro-v2.0.0.csv")


def find_csv(path: Path) -> Path:
    for folder in (path, path / "maestro-v3.0.0", path / "maestro-v2.0.0"):
        for name in CSV_NAMES:
            if (folder / name).is_file():
                return folder / name
    raise ml5.DataError(
        f"maestro: {path} is not a MAESTRO folder: no {' or '.join(CSV_NAMES)} in it or in its maestro-v3.0.0/ "
        "(expected the CSV beside the year folders 2004 … 2018)"
    )


def index(path: Path | None, options: dict) -> Index:
    if path is None:
        raise ml5.DataError("maestro reads a folder on disk: give the path of maestro-v3.0.0")
    return index_split_table(find_csv(Path(path)), "maestro")

FORMAT = symbolic_format(
    name="maestro",
    feeds=("dynamics", "melody"),
    index=index,
    options={},
    description="MAESTRO v3 (or v2) piano performances, official split, for dynamics and melody",
    citation="Hawthorne, C. et al. (2019). Enabling Factorized Piano Music Modeling and Generation with the "
    "MAESTRO Dataset. ICLR 2019.",
    license="CC BY-NC-SA 4.0",
)


@ml5.hookimpl
def ml5_register_datasets(register):
    register(FORMAT)
