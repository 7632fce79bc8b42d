"""Dataset format ``emopia``: EMOPIA's pop-piano clips with emotion quadrants, as distributed
(``midis/Q<1-4>_<11-character YouTube id>_<segment>.mid`` and ``label.csv`` with ``ID`` and ``4Q``).

The quadrant of a clip comes from ``label.csv`` and from its file name; when both give one and
they disagree, the clip is skipped and the conflict named (not guessed). A clip only one of them
labels uses that one; a ``label.csv`` row naming no file on disk is skipped and named.

Quadrant → (valence, arousal), the centre of the quadrant in the −1..1 plane: Q1 (+0.5, +0.5)
happy/excited, Q2 (−0.5, +0.5) tense/angry, Q3 (−0.5, −0.5) sad, Q4 (+0.5, −0.5) calm. The real
labels are the input, as ``ml5.music.emotion_embedding`` of that pair. Feeds melody, dynamics and
groove with targets from ml5-midi. No official split in the folder: clips are split by song (the
YouTube id), so segments of one song never straddle train and validation.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import ml5
from ml5.filework import Skipped
from ml5.splits import split_by_piece
from ml5_midi.format import Index, symbolic_format

QUADRANTS = {1: (0.5, 0.5), 2: (-0.5, 0.5), 3: (-0.5, -0.5), 4: (0.5, -0.5)}
CLIP_NAME = re.compile(r"^Q([1-4])_(.{11})_(\d+)$")


def _labels(path: Path) -> tuple[dict[str, int], list[Skipped]]:
    """label.csv: clip ID -> quadrant; bad rows as skips (of a clip listed twice, the later row is
    used and the earlier one named)."""
    labels, bad = {}, []
    row_of: dict[str, int] = {}
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        header = [h.strip() for h in reader.fieldnames or []]
        if "ID" not in header or "4Q" not in header:
            raise ml5.DataError(f"emopia: {path} needs the columns ID and 4Q; its header is {', '.join(header)}")
        for line, row in enumerate(reader, start=2):
            row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            if row["4Q"] not in ("1", "2", "3", "4"):
                bad.append(Skipped(f"label.csv row {line} ({row['ID']})", f"4Q is {row['4Q']!r}, not 1-4", "4Q is not 1-4"))
                continue
            if row["ID"] in row_of:
                bad.append(Skipped(f"label.csv row {row_of[row['ID']]} ({row['ID']})",
                                   f"the clip is labelled again in row {line}, which is used", "clip labelled again"))
            row_of[row["ID"]] = line
            labels[row["ID"]] = int(row["4Q"])
    return labels, bad


def index(path: Path | None, options: dict) -> Index:
    if path is None:
        raise ml5.DataError("emopia reads a folder on disk: give the path of the EMOPIA folder")
    root = Path(path)
    midis, label_file = root / "midis", root / "label.csv"
    missing = [str(p.relative_to(root)) for p in (midis, label_file) if not p.exists()]
    if missing:
        raise ml5.DataError(
            f"emopia: {root} is not an EMOPIA folder: {' and '.join(missing)} missing "
            "(expected midis/Q<1-4>_<youtube id>_<segment>.mid and label.csv beside it)"
        )
    labels, skipped = _labels(label_file)
    on_disk = {p.stem: p for p in sorted(midis.glob("*.mid"))}
    files, emotion, songs = [], {}, {}
    for clip, file in on_disk.items():
        match = CLIP_NAME.match(clip)
        named = int(match.group(1)) if match else None
        listed = labels.get(clip)
        if named is not None and listed is not None and named != listed:
            skipped.append(Skipped(f"midis/{file.name}", f"label.csv says Q{listed}, the file name says Q{named}",
                                   "label.csv and the file name give different quadrants"))
            continue
        quadrant = listed if listed is not None else named
        if quadrant is None:
            skipped.append(Skipped(f"midis/{file.name}", "no quadrant: not in label.csv and the name is not Q<1-4>_<id>_<n>"))
            continue
        files.append(file)
        emotion[file] = QUADRANTS[quadrant]
        songs[file] = match.group(2) if match else clip
    for clip in sorted(set(labels) - set(on_disk)):
        skipped.append(Skipped(f"label.csv ID {clip}", "no midis/<ID>.mid on disk"))
    return Index(
        files=files, root=root, split_of=lambda file: split_by_piece(songs[file]),
        emotion_of=lambda file: emotion[file], skipped=tuple(skipped),
    )


FORMAT = symbolic_format(
    name="emopia",
    feeds=("melody", "dynamics", "groove"),
    index=index,
    options={},
    description="EMOPIA pop-piano clips with emotion quadrants (label.csv and file names) for melody, dynamics, groove",
    citation="Hung, H.-T., Ching, J., Doh, S., Kim, N., Nam, J. and Yang, Y.-H. (2021). EMOPIA: A Multi-Modal "
    "Pop Piano Dataset For Emotion Recognition and Emotion-based Music Generation. ISMIR 2021.",
    license="CC BY-NC-SA 4.0 (per the authors' README; check the record)",
)


@ml5.hookimpl
def ml5_register_datasets(register):
    register(FORMAT)
