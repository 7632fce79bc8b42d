"""What a MIDI or score data set declares — its index of files, its options, its format — kept
light: the plugins that use it are imported whenever plugins are listed, so nothing here imports
numpy or a MIDI reader. The reading itself (ml5_midi.dataset) is imported when data is asked for;
what both share (the per-file work's settings, ``evenly_spaced``) is in ml5_midi.settings.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import ml5
from ml5.filework import Skipped

from ml5_midi.rendering import Rendering
from ml5_midi.settings import SETTINGS, evenly_spaced


@attrs.frozen
class Index:
    """What a data set's reader finds in a folder before any file is parsed."""

    files: list[Path]
    root: Path  # skipped files are named relative to it
    split_of: Callable[[Path], str]
    kind: str = "midi"  # "midi" or "score"
    emotion_of: Callable[[Path], tuple[float, float] | None] = lambda path: None
    #: the piece a file belongs to (a song of several clips …): splits never cut through one
    piece_of: Callable[[Path], str] = lambda path: path.name
    skipped: tuple[Skipped, ...] = ()  # found while indexing: a listed file missing, a bad split …
    #: left out while indexing, too ordinary to name one by one, counted by reason: rows an option
    #: leaves out, a second copy of a file …
    left_out: Mapping[str, int] = attrs.field(factory=dict)


SPLITS = ("train", "validation", "test")


def index_split_table(
    table: Path,
    name: str,
    *,
    columns: Sequence[str] = (),
    reject: Callable[[dict[str, str]], str | None] = lambda row: None,
    wanted: Callable[[dict[str, str]], bool] = lambda row: True,
    unwanted: str = "rows an option leaves out",
) -> Index:
    """An index from a CSV that lists MIDI files (``midi_filename``, relative to its folder) with
    their official ``split`` — GMD's info.csv, MAESTRO's CSV. A row with an unknown split, a
    ``reject(row)`` reason or a file not on disk is skipped and named; the rows ``wanted(row)``
    leaves out (an option's choice) are counted as ``unwanted``. Header names and cells are
    stripped of spaces."""
    root = table.parent
    with table.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        header = [h.strip() for h in reader.fieldnames or []]
        missing = [c for c in ("midi_filename", "split", *columns) if c not in header]
        if missing:
            raise ml5.DataError(f"{name}: {table} has no column {', '.join(missing)}; its header is {', '.join(header)}")
        rows = [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in reader]
    files, splits, skipped, not_wanted = [], {}, [], 0
    for line, row in enumerate(rows, start=2):
        where = f"{table.name} row {line} ({row['midi_filename'] or 'no midi_filename'})"
        reason = f"split {row['split']!r} is not one of {', '.join(SPLITS)}" if row["split"] not in SPLITS else reject(row)
        if reason:
            skipped.append(Skipped(where, reason))
            continue
        if not wanted(row):
            not_wanted += 1
            continue
        file = root / row["midi_filename"]
        if not row["midi_filename"] or not file.is_file():
            skipped.append(Skipped(where, "the MIDI file it names is not on disk"))
            continue
        files.append(file)
        splits[file] = row["split"]
    return Index(files=files, root=root, split_of=lambda file: splits[file], skipped=tuple(skipped),
                 left_out={unwanted: not_wanted} if not_wanted else {})


#: what ``max_files`` leaves out
MAX_FILES = "files not read (option max_files)"

#: options every symbolic data set accepts, beside its own
COMMON_OPTIONS = {**SETTINGS, "max_files": 0, "max_examples_per_file": 0, "workers": 0}


def symbolic_format(
    *,
    name: str,
    feeds: tuple[str, ...],
    index: Callable[[Path | None, dict[str, Any]], Index],
    options: dict[str, Any],
    needs_path: bool = True,
    rendering: Rendering | None = None,
    **about: str,
) -> ml5.DatasetFormat:
    """A ``DatasetFormat`` from a data set's ``index(path, options)``: the pool, cache, splits,
    validation and statistics are the same for every MIDI or score data set. ``rendering``
    (ml5-audio's ``ml5_audio.scores.RENDERING``) renders the notes to audio for EmotionRecognizer's
    rows when the data set's option ``render_audio`` is on."""
    # a rendering's options (how many renderings, which SoundFonts …) are the data set's too
    all_options = {**COMMON_OPTIONS, **(dict(rendering.options) if rendering is not None else {}), **options}

    def examples(path: Path | None, opts: dict[str, Any], model: str | None = None) -> tuple[Index, Any]:
        from ml5_midi.dataset import collect  # the reading: numpy and the MIDI readers

        for option, least in (("phrase_bars", 1), ("max_files", 0), ("max_examples_per_file", 0), ("workers", 0)):
            if int(opts[option]) < least:
                raise ml5.DataError(f"{name}: option {option} = {opts[option]}; use a whole number of at least {least}")
        found = index(path, opts)
        files = [found.files[i] for i in evenly_spaced(len(found.files), int(opts["max_files"]))]
        left_out = {**found.left_out, **({MAX_FILES: len(found.files) - len(files)} if len(files) < len(found.files) else {})}
        return found, collect(files, kind=found.kind, options=opts, root=found.root, name=name,
                              extra_skipped=found.skipped, model=model, left_out=left_out, rendering=rendering)

    def open_(spec: ml5.ModelSpec, path: Path | None, opts: dict[str, Any]) -> ml5.Data:
        from ml5_midi.dataset import to_data

        found, ex = examples(path, {**all_options, **opts}, spec.name)
        return to_data(ex, spec.name, split_of=found.split_of, emotion_of=found.emotion_of,
                       piece_of=found.piece_of, name=name, rendering=rendering)

    def validate(path: Path | None) -> list[str]:
        try:
            _, ex = examples(path, dict(all_options))
        except ml5.DataError as exc:
            return [str(exc)]
        return [f"{s.file}: {s.reason}" for s in ex.skipped]

    def stats(path: Path | None, opts: dict[str, Any]) -> dict[str, Any]:
        merged = {**all_options, **opts}
        from ml5_midi.dataset import describe, to_data

        found, ex = examples(path, merged)
        datas = {}
        for model in feeds:
            try:
                datas[model] = to_data(ex, model, split_of=found.split_of, emotion_of=found.emotion_of,
                                       piece_of=found.piece_of, name=name, rendering=rendering)
            except ml5.DataError:
                continue
        return describe(ex, datas)

    return ml5.DatasetFormat(
        name=name, feeds=feeds, open=open_, needs_path=needs_path, validate=validate, stats=stats,
        options=all_options, **about,
    )

