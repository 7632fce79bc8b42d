"""What every MIDI or score data set shares: run the per-file work over a list of files (pool,
cache, skips), then assemble one model's ``ml5.Data`` — inputs from the emotion (labels or the
proxy), targets, the split by piece — and describe it for ``ml5 datasets NAME FOLDER --stats``.
"""

from __future__ import annotations

import functools
import hashlib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import attrs
import ml5
import numpy as np
from ml5.filework import FileResults, Skipped, process_files
from ml5.music import CHORD_VOCABULARY, EMBEDDING_SIZE, emotion_embedding, pitch_name
from ml5.skipped import summary as skipped_summary
from ml5.splits import hold_out_one_piece

from ml5_midi.examples import LEFT_OUT, midi_file_examples, score_file_examples
from ml5_midi.rendering import Rendering
from ml5_midi.settings import SETTINGS, VERSION, evenly_spaced

#: models a symbolic data set can feed: the emotion embedding (or its first half) in; and
#: EmotionRecognizer, from the audio of the scores rendered (a data set's ``render_audio`` option)
MODELS = ("melody", "harmony", "dynamics", "groove", "emotion")


@attrs.frozen
class Examples:
    """The per-file arrays of a data set, with what was left out: the files that gave none, the
    tunes of a collection that could not be read, the windows that gave a model no row."""

    files: FileResults
    extra_skipped: tuple[Skipped, ...] = ()  # found while indexing (a CSV row naming no file …)
    root: Path | None = None  # files are named relative to it
    #: counted while indexing, by reason: rows an option leaves out, a second copy of a file …
    left_out: Mapping[str, int] = attrs.field(factory=dict)

    def name(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix() if self.root else str(path)

    @property
    def skipped(self) -> list[Skipped]:
        """Every row, file and tune left out, with its reason."""
        parts = [Skipped(f"{self.name(path)} {part}", str(reason))
                 for path, arrays in self.files.results
                 for part, reason in zip(arrays.get("skipped_parts", ()), arrays.get("skipped_part_reasons", ()))]
        return [*self.extra_skipped, *self.files.skipped, *parts]

    def left_out_counts(self, model: str | None = None, unused: Sequence[Skipped] = ()) -> dict[str, int]:
        """What the files used left out, counted by reason, most first: the windows that gave
        ``model`` no row (every model's, named "model: reason", when None) and what indexing
        counted; files in ``unused`` are not among the files used."""
        counts: Counter[str] = Counter(self.left_out)
        not_used = {item.file for item in unused}
        for path, arrays in self.files.results:
            if self.name(path) in not_used:
                continue
            for (who, reason), count in zip(LEFT_OUT.values(), arrays["left_out"]):
                if model is None or who in ("", model):
                    counts[f"{who}: {reason}" if who and model is None else reason] += int(count)
        return {reason: count for reason, count in counts.most_common() if count}

    def summary(self, model: str | None = None, unused: Sequence[Skipped] = ()) -> dict[str, Any]:
        """File counts, the skipped items counted by kind with the first few of each, and what
        was left out of the files used; ``unused``: files that gave ``model`` nothing."""
        summary = self.files.summary()
        summary.update(files=summary["files"] + len(self.extra_skipped),
                       files_used=summary["files_used"] - len(unused),
                       files_skipped=summary["files_skipped"] + len(self.extra_skipped) + len(unused),
                       **skipped_summary([*self.skipped, *unused]))
        left_out = self.left_out_counts(model, unused)
        return {**summary, **({"left_out": left_out} if left_out else {})}


def collect(
    files: Sequence[Path],
    *,
    kind: str,
    options: dict[str, Any],
    root: Path,
    name: str,
    extra_skipped: Sequence[Skipped] = (),
    model: str | None = None,
    left_out: Mapping[str, int] | None = None,
    rendering: Rendering | None = None,
) -> Examples:
    """Per-file examples of MIDI (``kind="midi"``) or score (``"score"``) files, over all cores,
    through the cache shared by every data set of that kind. With ``model``, only that model's
    arrays are held, compacted (see ``held_for``); without, everything (for statistics). With
    ``rendering`` and the option ``render_audio``, EmotionRecognizer's rows too (the pieces
    rendered to audio, ``rendering_audio``). ``name``: the data set's, in its progress and errors."""
    work: Callable[[str, dict], dict[str, Any]] = midi_file_examples if kind == "midi" else score_file_examples
    reader = "symusic" if kind == "midi" else "music21"
    settings = {
        "version": VERSION,
        "kind": kind,
        # what else shapes a cached result: the parser's version and the chord indexes stored
        "reader": f"{reader} {metadata.version(reader)}",
        "ml5": metadata.version("ml5"),  # the embedding's and harmony context's rules live in ml5.music
        "vocabulary": hashlib.sha256("|".join(CHORD_VOCABULARY).encode()).hexdigest()[:12],
        **{k: options.get(k, v) for k, v in SETTINGS.items()},
        # EmotionRecognizer's rows: the scores rendered to audio, its features
        "audio": rendering_audio(options, rendering),
    }
    if rendering is not None and settings["audio"]:
        chosen = {k: options.get(k, v) for k, v in rendering.options.items()}
        try:
            settings["rendering"] = dict(rendering.settings(chosen))
        except ValueError as exc:
            raise ml5.DataError(f"{name}: {exc}") from None
        settings["rendering_options"] = chosen
        work = functools.partial(work, rendering=rendering)
    results = process_files(
        work, files, settings=settings, namespace=f"{kind}-examples", workers=int(options.get("workers", 0)),
        description=f"{name}: reading", root=root,
        keep=held_for(model, int(options.get("max_examples_per_file", 0))) if model else None,
    )
    return Examples(results, tuple(extra_skipped), root, dict(left_out or {}))


def rendering_audio(options: dict[str, Any], rendering: Rendering | None) -> bool:
    """Whether the per-file work renders the scores to audio for EmotionRecognizer: the data set
    asks for it (option ``render_audio``) and has a rendering to do it with."""
    return bool(options.get("render_audio")) and rendering is not None


def held_for(model: str, most: int = 0) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """What is held of one file's cached arrays while a data set is read for ``model``: that
    model's rows only (at most ``most`` per file, evenly spaced; 0 = all), melody's 0/1 pitch
    sets as bits (16 bytes a row, not 512). Memory then grows with the examples one model uses,
    not with everything the per-file work computes for all four."""
    if model not in MODELS:
        raise ml5.DataError(f"no data for model {model!r} (symbolic data feeds {', '.join(MODELS)})")
    fields = {"harmony": ("harmony_chord", "harmony_context"), "emotion": ("emotion_features",)}.get(
        model, (f"{model}_targets",))

    def keep(arrays: dict[str, Any]) -> dict[str, Any]:
        rows = evenly_spaced(len(arrays[f"{model}_va"]), most)
        left_out = np.array(arrays["left_out"])  # what was left out of the file stays counted
        left_out[list(LEFT_OUT).index("capped")] += len(arrays[f"{model}_va"]) - len(rows)
        held = {"va": np.asarray(arrays[f"{model}_va"], np.float32)[rows],
                "music": np.asarray(arrays[f"{model}_music"], np.float32)[rows], "stat_drum_only": arrays["stat_drum_only"],
                "left_out": left_out}
        if len(arrays["skipped_parts"]):  # most files have none: nothing held for them
            held.update(skipped_parts=arrays["skipped_parts"], skipped_part_reasons=arrays["skipped_part_reasons"])
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
    rendering: Rendering | None = None,
) -> ml5.Data:
    """One model's Data: the emotion embedding of each example's valence and arousal — from
    ``emotion_of(file)`` when it gives them, else the example's proxy emotion — and its musical
    context; ``split_of(file)`` is the split of every example of it. Harmony's second input half
    (the harmony context) is standardised with its training rows' statistics, which go into
    the model card (``input_standardisation``) for hosts to apply. EmotionRecognizer's inputs (the
    rendered audio's features) are standardised by ``rendering``'s rule."""
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
            drums_only.append(Skipped(examples.name(path), f"drums only: no pitch for {model}"))
    if not used and model == "emotion":
        raise ml5.DataError(f"{name}: no emotion examples: EmotionRecognizer learns from the scores rendered to audio, "
                            "which needs ml5-audio installed (pip install ml5-audio) and the option render_audio = true")
    if not used:
        skipped = examples.skipped
        why = f"; {len(skipped)} file(s) skipped, e.g. {skipped[0].file}: {skipped[0].reason}" if skipped else ""
        raise ml5.DataError(f"{name}: no usable {model} examples in {examples.files.summary()['files']} file(s){why}")
    # one float32 array each, filled file by file: no list of per-file copies to concatenate
    n = sum(len(arrays["va"]) for _, arrays in used)
    x = y = None
    splits, owners = np.empty(n, object), np.empty(n, object)
    labelled, row = 0, 0
    for path, arrays in used:
        va = arrays["va"].astype(np.float64)
        label = emotion_of(path)
        if label is not None:
            va = np.broadcast_to(np.asarray(label, dtype=np.float64), va.shape)
            labelled += len(va)
        x_file, y_file = _file_rows(model, va, arrays)
        if x is None:  # the widths are the model's: the first file gives them
            x, y = np.empty((n, x_file.shape[1]), np.float32), np.empty((n, y_file.shape[1]), np.float32)
        rows = slice(row, row + len(va))
        x[rows], y[rows] = x_file, y_file
        splits[rows], owners[rows] = split_of(path), piece_of(path)
        row = rows.stop
    split = hold_out_one_piece(splits.astype(str), owners.astype(str), f"{name} ({model})")
    card = {}
    if model == "harmony":
        card["input_standardisation"] = standardise_harmony_context(x, split == "train")
    if model == "emotion" and rendering is not None:  # rows only come from a rendering: its rule, fitted on training rows
        card["input_standardisation"] = rendering.fit_standardisation(x[split == "train"] if (split == "train").any() else x)
        x[:] = rendering.standardise(x, card["input_standardisation"])
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
        stats={"examples": n, "examples_per_split": counts, **examples.summary(model, drums_only)},
        card=card,
        skipped=[*examples.skipped, *drums_only],
    )


def standardise_harmony_context(x: np.ndarray, train: np.ndarray) -> dict[str, Any]:
    """Standardise harmony inputs 64-127 (the harmony context) in place with the mean and std of
    the training rows; inputs 0-63 (the embedding) stay as they are. Returns the model card's
    ``input_standardisation``: 128 means and stds, 0 and 1 for the embedding."""
    half = slice(EMBEDDING_SIZE, None)
    rows = x[train] if train.any() else x
    mean = np.zeros(x.shape[1], np.float64)
    std = np.ones(x.shape[1], np.float64)
    mean[half] = rows[:, half].mean(axis=0)
    std[half] = np.maximum(rows[:, half].std(axis=0), 0.05)  # a band the notes barely reach stays on scale
    x[:, half] = (x[:, half] - mean[half].astype(np.float32)) / std[half].astype(np.float32)
    return {
        "mean": [float(v) for v in mean],
        "std": [float(v) for v in std],
        "rule": "input = (raw - mean) / std per input; raw inputs 64-127 are ml5.music.harmony_context of the "
                "bar before (from audio: ml5_audio.features.harmony_context; from notes: ml5_midi.bands)",
    }


def _file_rows(model: str, va: np.ndarray, arrays: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """One file's inputs and targets for ``model``, from its rows' (valence, arousal) and the
    arrays ``held_for(model)`` kept."""
    embedding = emotion_embedding(va[:, 0], va[:, 1], arrays["music"])
    if model == "melody":
        return embedding, np.unpackbits(arrays["melody_targets"], axis=1, count=128)
    if model == "dynamics":
        return embedding[:, :32], arrays["dynamics_targets"]
    if model == "groove":
        return embedding, arrays["groove_targets"]
    if model == "emotion":
        return np.asarray(arrays["emotion_features"], np.float32), embedding
    chords = np.eye(len(CHORD_VOCABULARY), dtype=np.float32)[arrays["harmony_chord"].astype(np.int64)]
    return np.concatenate([embedding, arrays["harmony_context"]], axis=1), chords


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
