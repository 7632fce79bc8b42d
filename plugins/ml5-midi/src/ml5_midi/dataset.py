"""What every MIDI or score data set shares: run the per-file work over a list of files (pool,
cache, skips), then assemble one model's ``ml5.Data`` — inputs from the emotion (labels or the
proxy), targets, the split by piece — and describe it for ``ml5 datasets NAME FOLDER --stats``.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import attrs
import ml5
import numpy as np
from ml5.filework import FileResults, Skipped, process_files
from ml5.music import CHORD_VOCABULARY, emotion_embedding, pitch_name
from ml5.splits import hold_out_one_piece

from ml5_midi import bands
from ml5_midi.examples import SETTINGS, VERSION, midi_file_examples, score_file_examples

#: models a symbolic data set can feed: the emotion embedding (or its valence half) in
MODELS = ("melody", "harmony", "dynamics", "groove")


@attrs.frozen
class Examples:
    """The per-file arrays of a data set, with the files that gave none."""

    files: FileResults
    extra_skipped: tuple[Skipped, ...] = ()  # found while indexing (a CSV row naming no file …)
    root: Path | None = None  # files are named relative to it

    @property
    def skipped(self) -> list[Skipped]:
        return [*self.extra_skipped, *self.files.skipped]

    def summary(self) -> dict[str, Any]:
        summary = self.files.summary()
        summary["files"] += len(self.extra_skipped)
        summary["files_skipped"] += len(self.extra_skipped)
        summary["skipped"] = [attrs.asdict(s) for s in self.skipped]
        return summary


def collect(
    files: Sequence[Path],
    *,
    kind: str,
    options: dict[str, Any],
    root: Path,
    description: str,
    extra_skipped: Sequence[Skipped] = (),
    model: str | None = None,
) -> Examples:
    """Per-file examples of MIDI (``kind="midi"``) or score (``"score"``) files, over all cores,
    through the cache shared by every data set of that kind. With ``model``, only that model's
    arrays are held, compacted (see ``held_for``); without, everything (for statistics)."""
    work = midi_file_examples if kind == "midi" else score_file_examples
    reader = "symusic" if kind == "midi" else "music21"
    settings = {
        "version": VERSION,
        "kind": kind,
        # what else shapes a cached result: the parser's version and the chord indexes stored
        "reader": f"{reader} {metadata.version(reader)}",
        "vocabulary": hashlib.sha256("|".join(CHORD_VOCABULARY).encode()).hexdigest()[:12],
        **{k: options.get(k, v) for k, v in SETTINGS.items()},
    }
    results = process_files(
        work, files, settings=settings, namespace=f"{kind}-examples", workers=int(options.get("workers", 0)),
        description=description, root=root,
        keep=held_for(model, int(options.get("max_examples_per_file", 0))) if model else None,
    )
    return Examples(results, tuple(extra_skipped), root)


def held_for(model: str, most: int = 0) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """What is held of one file's cached arrays while a data set is read for ``model``: that
    model's rows only (at most ``most`` per file, evenly spaced; 0 = all), melody's 0/1 pitch
    sets as bits (16 bytes a row, not 512). Memory then grows with the examples one model uses,
    not with everything the per-file work computes for all four."""
    if model not in MODELS:
        raise ml5.DataError(f"no data for model {model!r} (symbolic data feeds {', '.join(MODELS)})")
    fields = ("harmony_chord", "harmony_context") if model == "harmony" else (f"{model}_targets",)

    def keep(arrays: dict[str, Any]) -> dict[str, Any]:
        rows = np.arange(len(arrays[f"{model}_va"]))
        if most and len(rows) > most:
            rows = np.unique(np.linspace(0, len(rows) - 1, most).round().astype(int))
        held = {"va": np.asarray(arrays[f"{model}_va"], np.float32)[rows], "stat_drum_only": arrays["stat_drum_only"]}
        for field in fields:
            held[field] = np.asarray(arrays[field])[rows]
        if model == "melody":
            held["melody_targets"] = np.packbits(held["melody_targets"] > 0.5, axis=1)
        return held

    return keep


def to_data(
    examples: Examples,
    model: str,
    *,
    split_of: Callable[[Path], str],
    emotion_of: Callable[[Path], tuple[float, float] | None] = lambda path: None,
    piece_of: Callable[[Path], str] = lambda path: path.name,
    name: str,
) -> ml5.Data:
    """One model's Data: inputs from ``emotion_of(file)`` when it gives (valence, arousal), else
    from each example's proxy emotion; ``split_of(file)`` is the split of every example of it."""
    if model not in MODELS:
        raise ml5.DataError(f"{name}: no data for model {model!r} (symbolic data feeds {', '.join(MODELS)})")
    held = held_for(model)
    used: list[tuple[Path, dict[str, Any]]] = []
    drums_only: list[Skipped] = []
    for path, arrays in examples.files.results:
        arrays = arrays if "va" in arrays else held(arrays)  # collected for all models (statistics)
        if len(arrays["va"]):
            used.append((path, arrays))
        elif model in ("melody", "harmony") and bool(arrays["stat_drum_only"][0]):
            where = path.relative_to(examples.root).as_posix() if examples.root else str(path)
            drums_only.append(Skipped(where, f"drums only: no pitch for {model}"))
    if not used:
        skipped = examples.skipped
        why = f"; {len(skipped)} file(s) skipped, e.g. {skipped[0].file}: {skipped[0].reason}" if skipped else ""
        raise ml5.DataError(f"{name}: no usable {model} examples in {examples.files.summary()['files']} file(s){why}")
    # one float32 array each, filled in place: no list of per-file copies to concatenate
    n = sum(len(arrays["va"]) for _, arrays in used)
    width_in = {"dynamics": 32, "harmony": 64 + bands.CONTEXT_BANDS}.get(model, 64)
    width_out = {"melody": 128, "dynamics": 16, "groove": 32, "harmony": len(CHORD_VOCABULARY)}[model]
    x = np.empty((n, width_in), np.float32)
    y = np.zeros((n, width_out), np.float32)
    splits, owners = np.empty(n, object), np.empty(n, object)
    labelled, row = 0, 0
    for path, arrays in used:
        va = arrays["va"].astype(np.float64)
        rows = slice(row, row + len(va))
        label = emotion_of(path)
        if label is not None:
            va = np.broadcast_to(np.asarray(label, dtype=np.float64), va.shape)
            labelled += len(va)
        embedding = emotion_embedding(va[:, 0], va[:, 1])
        if model == "melody":
            x[rows] = embedding
            y[rows] = np.unpackbits(arrays["melody_targets"], axis=1, count=128)
        elif model == "dynamics":
            x[rows], y[rows] = embedding[:, :32], arrays["dynamics_targets"]
        elif model == "groove":
            x[rows], y[rows] = embedding, arrays["groove_targets"]
        else:
            x[rows] = np.concatenate([embedding, arrays["harmony_context"]], axis=1)
            y[np.arange(rows.start, rows.stop), arrays["harmony_chord"].astype(np.int64)] = 1.0
        splits[rows], owners[rows] = split_of(path), piece_of(path)
        row = rows.stop
    split = hold_out_one_piece(splits.astype(str), owners.astype(str), f"{name} ({model})")
    digest = hashlib.sha256()
    for part in (x, y):  # hashed in place: no second copy of the data as bytes
        digest.update(memoryview(part).cast("B"))
    digest.update("".join(split.tolist()).encode())
    counts = {s: int((split == s).sum()) for s in ("train", "validation", "test") if (split == s).any()}
    source = "emotion labels" if labelled == n else "the emotion proxy" if labelled == 0 else "labels and the proxy"
    return ml5.Data(
        inputs=x,
        targets=y,
        fingerprint=f"{name}-{model}-{digest.hexdigest()[:16]}",
        description=f"{name}: {n} {model} examples ({', '.join(f'{k} {s}' for s, k in counts.items())}), emotion from {source}",
        split=split,
        stats={"examples": n, "examples_per_split": counts, **_with(examples.summary(), drums_only)},
    )


def _with(summary: dict[str, Any], unused: list[Skipped]) -> dict[str, Any]:
    """The file summary with files that gave this model nothing (drums only …) counted as skipped."""
    if unused:
        summary = {**summary, "files_used": summary["files_used"] - len(unused),
                   "files_skipped": summary["files_skipped"] + len(unused),
                   "skipped": [*summary["skipped"], *(attrs.asdict(s) for s in unused)]}
    return summary


def describe(examples: Examples, datas: dict[str, ml5.Data]) -> dict[str, Any]:
    """Statistics for ``ml5 datasets NAME FOLDER --stats``: examples per split, skipped files,
    chord histogram, melody pitch range, velocities, tempi."""
    velocity = np.zeros(128, np.int64)
    qpm: list[float] = []
    for _, arrays in examples.files.results:
        velocity += arrays["stat_velocity_histogram"]
        qpm += list(arrays["stat_qpm"])
    out: dict[str, Any] = {"files": examples.summary(), "models": {}}
    for model, data in datas.items():
        entry: dict[str, Any] = {"examples": len(data.inputs), "per_split": data.stats.get("examples_per_split", {})}
        if model == "harmony":
            counts = np.bincount(data.targets.argmax(axis=1), minlength=len(CHORD_VOCABULARY))
            entry["chords"] = {CHORD_VOCABULARY[i]: int(counts[i]) for i in np.argsort(-counts, kind="stable") if counts[i]}
        if model == "melody":
            used = np.flatnonzero(data.targets.any(axis=0))
            entry["pitch_range"] = [pitch_name(int(used.min())), pitch_name(int(used.max()))] if len(used) else []
            entry["pitches_per_phrase"] = float(data.targets.sum(axis=1).mean())
        out["models"][model] = entry
    if velocity.sum():
        levels = np.repeat(np.arange(128), velocity)
        out["velocity"] = {q: int(np.percentile(levels, p)) for q, p in (("min", 0), ("median", 50), ("max", 100))}
    if qpm:
        out["tempo_qpm"] = {"min": round(min(qpm), 1), "median": round(float(np.median(qpm)), 1), "max": round(max(qpm), 1)}
    return out


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


def _spread(files: list[Path], most: int) -> list[Path]:
    """At most ``most`` files (0 = all), evenly spaced through the list: a quick run sees every
    part of the data set (and its splits), not just its first folder."""
    if not most or most >= len(files):
        return files
    return [files[i] for i in np.unique(np.linspace(0, len(files) - 1, most).round().astype(int))]


SPLITS = ("train", "validation", "test")


def index_split_table(
    table: Path,
    name: str,
    *,
    columns: Sequence[str] = (),
    reject: Callable[[dict[str, str]], str | None] = lambda row: None,
    wanted: Callable[[dict[str, str]], bool] = lambda row: True,
) -> Index:
    """An index from a CSV that lists MIDI files (``midi_filename``, relative to its folder) with
    their official ``split`` — GMD's info.csv, MAESTRO's CSV. A row with an unknown split, a
    ``reject(row)`` reason or a file not on disk is skipped and named; ``wanted(row)`` leaves rows
    out silently (an option's choice). Header names and cells are stripped of spaces."""
    root = table.parent
    with table.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        header = [h.strip() for h in reader.fieldnames or []]
        missing = [c for c in ("midi_filename", "split", *columns) if c not in header]
        if missing:
            raise ml5.DataError(f"{name}: {table} has no column {', '.join(missing)}; its header is {', '.join(header)}")
        rows = [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in reader]
    files, splits, skipped = [], {}, []
    for line, row in enumerate(rows, start=2):
        where = f"{table.name} row {line} ({row['midi_filename'] or 'no midi_filename'})"
        reason = f"split {row['split']!r} is not one of {', '.join(SPLITS)}" if row["split"] not in SPLITS else reject(row)
        if reason:
            skipped.append(Skipped(where, reason))
            continue
        if not wanted(row):
            continue
        file = root / row["midi_filename"]
        if not row["midi_filename"] or not file.is_file():
            skipped.append(Skipped(where, "the MIDI file it names is not on disk"))
            continue
        files.append(file)
        splits[file] = row["split"]
    return Index(files=files, root=root, split_of=lambda file: splits[file], skipped=tuple(skipped))


#: options every symbolic data set accepts, beside its own
COMMON_OPTIONS = {**SETTINGS, "max_files": 0, "max_examples_per_file": 0, "workers": 0}


def symbolic_format(
    *,
    name: str,
    feeds: tuple[str, ...],
    index: Callable[[Path | None, dict[str, Any]], Index],
    options: dict[str, Any],
    needs_path: bool = True,
    **about: str,
) -> ml5.DatasetFormat:
    """A ``DatasetFormat`` from a data set's ``index(path, options)``: the pool, cache, splits,
    validation and statistics are the same for every MIDI or score data set."""
    all_options = {**COMMON_OPTIONS, **options}

    def examples(path: Path | None, opts: dict[str, Any], model: str | None = None) -> tuple[Index, Examples]:
        for option, least in (("phrase_bars", 1), ("max_files", 0), ("max_examples_per_file", 0), ("workers", 0)):
            if int(opts[option]) < least:
                raise ml5.DataError(f"{name}: option {option} = {opts[option]}; use a whole number of at least {least}")
        found = index(path, opts)
        files = _spread(found.files, int(opts["max_files"]))
        return found, collect(files, kind=found.kind, options=opts, root=found.root,
                              description=f"{name}: reading", extra_skipped=found.skipped, model=model)

    def open_(spec: ml5.ModelSpec, path: Path | None, opts: dict[str, Any]) -> ml5.Data:
        found, ex = examples(path, {**all_options, **opts}, spec.name)
        return to_data(ex, spec.name, split_of=found.split_of, emotion_of=found.emotion_of,
                       piece_of=found.piece_of, name=name)

    def validate(path: Path | None) -> list[str]:
        try:
            _, ex = examples(path, dict(all_options))
        except ml5.DataError as exc:
            return [str(exc)]
        return [f"{s.file}: {s.reason}" for s in ex.skipped]

    def stats(path: Path | None, opts: dict[str, Any]) -> dict[str, Any]:
        merged = {**all_options, **opts}
        found, ex = examples(path, merged)
        datas = {}
        for model in feeds:
            try:
                datas[model] = to_data(ex, model, split_of=found.split_of, emotion_of=found.emotion_of,
                                       piece_of=found.piece_of, name=name)
            except ml5.DataError:
                continue
        return describe(ex, datas)

    return ml5.DatasetFormat(
        name=name, feeds=feeds, open=open_, needs_path=needs_path, validate=validate, stats=stats,
        options=all_options, **about,
    )

