"""Dataset format ``lakh``: the Lakh MIDI Dataset as distributed — ``lmd_full/<0-f>/<md5>.mid``,
or ``lmd_matched/`` and ``lmd_aligned/`` nested by Million Song Dataset track id
(``<A-Z>/<A-Z>/<A-Z>/<TRACKID>/<md5>.mid``). FOLDER is one of those or the folder holding them.

Feeds melody and harmony (pop songs carry melody and chords; their drums and unquantised velocities
are too uneven for dynamics and groove). No emotion labels: ml5-midi's proxy. A MIDI file matched to
several tracks (the same MD5 in several folders) is read once; the copies are counted. Split: by
file (SHA-256 of the MD5 name), about 10% validation. Broken, empty, type-2, absurd-tempo and
drums-only files are skipped with the reason; files with hundreds of tracks are read like any other.
"""

from __future__ import annotations

from pathlib import Path

import ml5
from ml5.splits import split_by_piece
from ml5_midi.format import Index, symbolic_format

RELEASES = ("lmd_full", "lmd_matched", "lmd_aligned")
SUFFIXES = (".mid", ".midi")
#: the files left out as copies of one already read (the same MD5 matched to several tracks)
COPIES = "copies of a file matched to several tracks (read once)"


def find_root(path: Path) -> Path:
    """FOLDER itself when it holds MIDI files, else the first release folder inside it."""
    for release in RELEASES:
        if (path / release).is_dir():
            return path / release
    return path


def index(path: Path | None, options: dict) -> Index:
    if path is None:
        raise ml5.DataError("lakh reads a folder on disk: give the path of lmd_full (or lmd_matched, lmd_aligned)")
    root = find_root(Path(path))
    by_md5: dict[str, Path] = {}
    copies = 0
    for file in sorted(p for p in root.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()):
        copies += file.stem in by_md5
        by_md5.setdefault(file.stem, file)  # one song matched to several tracks: read once
    if not by_md5:
        raise ml5.DataError(
            f"lakh: no .mid files under {root}; expected lmd_full/<0-f>/<md5>.mid "
            "(or lmd_matched/ and lmd_aligned/ nested by track id)"
        )
    files = sorted(by_md5.values(), key=lambda f: f.stem)
    return Index(files=files, root=root, split_of=lambda file: split_by_piece(file.stem), piece_of=lambda file: file.stem,
                 left_out={COPIES: copies} if copies else {})


FORMAT = symbolic_format(
    name="lakh",
    feeds=("melody", "harmony"),
    index=index,
    options={},
    description="Lakh MIDI Dataset (lmd_full, lmd_matched, lmd_aligned) for melody and harmony",
    citation="Raffel, C. (2016). Learning-Based Methods for Comparing Sequences, with Applications to "
    "Audio-to-MIDI Alignment and Matching. PhD thesis, Columbia University.",
    license="CC BY 4.0",
)


@ml5.hookimpl
def ml5_register_datasets(register):
    register(FORMAT)
