"""Dataset format ``gmd``: the Groove MIDI Dataset as distributed (``groove/info.csv`` and
``groove/drummer*/<session>/*.mid``; the MIDI-only release, whose ``audio_filename`` is empty,
reads the same).

FOLDER is the ``groove`` folder or the one holding it. The official split of ``info.csv``
(train / validation / test) is kept; ``beat_type`` chooses beats, fills or both. Feeds groove
(one 4/4 bar of the performance → its 16 timing and 16 velocity offsets) and dynamics (a phrase
→ its 16 expression parameters). No emotion labels: inputs come from ml5-midi's emotion proxy of
each phrase — drums have no mode, so valence follows the tempo and arousal tempo, density and
loudness. A row naming a missing file, an unknown split or beat type is skipped and named; so
is a file that cannot be read. The rows of the beat type not chosen are counted.
"""

from __future__ import annotations

from pathlib import Path

import ml5
from ml5_midi.format import Index, index_split_table, symbolic_format

COLUMNS = ("drummer", "session", "id", "style", "bpm", "beat_type", "time_signature",
           "midi_filename", "audio_filename", "duration", "split")
BEAT_TYPES = ("beat", "fill")

OPTIONS = {"beat_type": "beat"}  # "beat", "fill" or "all"


def find_root(path: Path) -> Path:
    """The folder holding info.csv: FOLDER itself or FOLDER/groove."""
    for candidate in (path, path / "groove"):
        if (candidate / "info.csv").is_file():
            return candidate
    raise ml5.DataError(
        f"gmd: {path} is not a Groove MIDI Dataset folder: info.csv is missing (looked in {path} and "
        f"{path / 'groove'}); expected groove/info.csv beside groove/drummer1 … drummer10"
    )


def index(path: Path | None, options: dict) -> Index:
    if path is None:
        raise ml5.DataError("gmd reads a folder on disk: give the path of the groove folder")
    root = find_root(Path(path))
    wanted = str(options["beat_type"])
    if wanted not in (*BEAT_TYPES, "all"):
        raise ml5.DataError(f"gmd: option beat_type = {wanted!r}; use \"beat\", \"fill\" or \"all\"")
    return index_split_table(
        root / "info.csv", "gmd", columns=("beat_type",),
        reject=lambda row: None if row["beat_type"] in BEAT_TYPES else f"beat_type {row['beat_type']!r} is not beat or fill",
        wanted=lambda row: wanted in ("all", row["beat_type"]),
        unwanted=f"rows of another beat_type (option beat_type = {wanted!r})",
    )

FORMAT = symbolic_format(
    name="gmd",
    feeds=("groove", "dynamics"),
    index=index,
    options=OPTIONS,
    description="Groove MIDI Dataset (info.csv, official split, beats and fills) for groove and dynamics",
    citation="Gillick, J., Roberts, A., Engel, J., Eck, D. and Bamman, D. (2019). Learning to Groove with "
    "Inverse Sequence Transformations. ICML 2019.",
    license="CC BY 4.0",
)


@ml5.hookimpl
def ml5_register_datasets(register):
    register(FORMAT)
