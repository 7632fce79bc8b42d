"""Reading DEAM (numpy, the audio features): imported when a model asks for data or the folder
is checked, not when plugins are listed. The layout is described in the package docstring."""

from __future__ import annotations

import csv
import hashlib
import math
from pathlib import Path
from typing import Any

import attrs
import ml5
import numpy as np
from ml5.filework import FileResults, Skipped, process_files
from ml5.music import CONTEXT_SIZE, emotion_embedding
from ml5.skipped import summary as skipped_summary
from ml5.splits import hold_out_one_piece, split_by_piece

from ml5_deam.layout import ANNOTATION_STEP, AUDIO, AUDIO_SUFFIXES, DYNAMIC, FIRST_ANNOTATION, OPTIONS, STATIC


def scale_static(x: float) -> float:
    """DEAM's 1–9 rating → −1..1."""
    return (x - 5.0) / 4.0


def _split(song: str) -> str:
    return split_by_piece(f"deam-{song}")


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    if not rows:
        raise ml5.DataError(f"deam: {path} is empty")
    return [h.strip() for h in rows[0]], rows[1:]


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


#: why a song's earlier label row is not used
RELABELLED = "song labelled again in a later row"


def static_labels(root: Path) -> tuple[dict[str, tuple[float, float]], list[Skipped], dict[str, int]]:
    """song id → (valence, arousal) scaled to −1..1; the rows left out and named; nothing counted."""
    labels, bad = {}, []
    row_of: dict[str, str] = {}  # song id -> where its label was read (a later row replaces it)
    for relative in STATIC:
        header, rows = _rows(root / relative)
        missing = [c for c in ("song_id", "valence_mean", "arousal_mean") if c not in header]
        if missing:
            raise ml5.DataError(f"deam: {root / relative} has no column {', '.join(missing)}; its header is {', '.join(header)}")
        col = {name: header.index(name) for name in ("song_id", "valence_mean", "arousal_mean")}
        for line, row in enumerate(rows, start=2):
            if not any(cell.strip() for cell in row):
                continue
            song = row[col["song_id"]].strip() if len(row) > col["song_id"] else ""
            values = [_number(row[col[k]]) if len(row) > col[k] else None for k in ("valence_mean", "arousal_mean")]
            if not song or None in values:
                bad.append(Skipped(f"{relative.name} row {line}", "song_id, valence_mean or arousal_mean is not a number"))
                continue
            song = str(int(float(song)))
            if song in row_of:  # the later row is used; the earlier one is named
                bad.append(Skipped(row_of[song], f"song {song} is labelled again in {relative.name} row {line}, "
                                                 "which is used", RELABELLED))
            row_of[song] = f"{relative.name} row {line}"
            labels[song] = (scale_static(values[0]), scale_static(values[1]))  # type: ignore[arg-type]
    return labels, bad, {}


#: the annotations of one dimension past the end of the other's row
CUT = "per-second annotations past the end of the other dimension's row"


def dynamic_labels(root: Path) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], list[Skipped], dict[str, int]]:
    """song id → (annotation times in seconds, (n, 2) valence/arousal), rows cut to the shorter;
    the rows left out and named, and the annotations cut off counted."""
    series: dict[str, dict[str, np.ndarray]] = {}
    row_of: dict[tuple[str, str], str] = {}
    bad: list[Skipped] = []
    for dimension in ("valence", "arousal"):
        path = root / DYNAMIC / f"{dimension}.csv"
        header, rows = _rows(path)
        times = [_number(h.removeprefix("sample_").removesuffix("ms")) for h in header[1:]]
        if not header or header[0] != "song_id" or None in times:
            raise ml5.DataError(f"deam: {path}: expected the header song_id, sample_15000ms, sample_15500ms, …")
        for line, row in enumerate(rows, start=2):
            if not row or not row[0].strip():
                continue
            values = [_number(v) for v in row[1:] if v.strip()]  # ragged: trailing cells are empty
            if None in values:
                bad.append(Skipped(f"{dimension}.csv row {line}", "a value is not a number"))
                continue
            song = str(int(float(row[0])))
            if (song, dimension) in row_of:
                bad.append(Skipped(row_of[song, dimension], f"song {song} is labelled again in {dimension}.csv row {line}, "
                                                            "which is used", RELABELLED))
            row_of[song, dimension] = f"{dimension}.csv row {line}"
            series.setdefault(song, {})[dimension] = np.asarray(values, np.float64)
    labels, cut = {}, 0
    for song, dims in series.items():
        if len(dims) < 2:
            (have,) = dims
            missing = "arousal" if have == "valence" else "valence"
            bad.append(Skipped(row_of[song, have], f"song {song} has per-second {have} but no {missing} row",
                               "per-second labels of one dimension only"))
            continue
        n = min(len(dims["valence"]), len(dims["arousal"]))
        cut += max(len(dims["valence"]), len(dims["arousal"])) - n
        t = np.asarray(times[:n], np.float64) / 1000.0  # type: ignore[arg-type]
        labels[song] = (t, np.clip(np.stack([dims["valence"][:n], dims["arousal"][:n]], axis=1), -1, 1))
    return labels, bad, {CUT: cut} if cut else {}


def _check_layout(root: Path, labels: str) -> None:
    needed = [Path(AUDIO), *STATIC] if labels == "static" else [Path(AUDIO), DYNAMIC / "valence.csv", DYNAMIC / "arousal.csv"]
    missing = [str(p) for p in needed if not (root / p).exists()]
    if missing:
        raise ml5.DataError(f"deam: {root} is not a DEAM folder: missing {'; '.join(missing)}")


def _audio_files(root: Path) -> dict[str, Path]:
    return {p.stem: p for p in sorted((root / AUDIO).iterdir()) if p.suffix.lower() in AUDIO_SUFFIXES}


#: what ``max_files`` leaves out
MAX_FILES = "songs not read (option max_files)"
#: the annotated times whose window does not fit in the song's audio
NO_WINDOW = "per-second annotations without their whole window in the audio"


@attrs.frozen
class Songs:
    """What DEAM's folder gives: labels per song id, the audio features of the songs read, and
    what was left out — named (rows, songs, audio files) or counted by reason."""

    labels: dict[str, Any]
    audio: FileResults
    skipped: list[Skipped]
    left_out: dict[str, int]

    @property
    def all_skipped(self) -> list[Skipped]:
        return [*self.skipped, *self.audio.skipped]


def _read(path: Path | None, options: dict[str, Any]) -> Songs:
    if path is None:
        raise ml5.DataError("deam reads a folder on disk: give the path of the DEAM folder")
    root = Path(path)
    kind = str(options["labels"])
    if kind not in ("static", "dynamic"):
        raise ml5.DataError(f"deam: option labels = {kind!r}; use \"static\" or \"dynamic\"")
    if float(options["window"]) <= 0:
        raise ml5.DataError(f"deam: option window = {options['window']}; use a positive number of seconds")
    _check_layout(root, kind)
    labels, skipped, left_out = static_labels(root) if kind == "static" else dynamic_labels(root)
    audio = _audio_files(root)
    songs = sorted((s for s in labels if s in audio), key=lambda s: (len(s), s))
    skipped += [Skipped(f"song {s}", f"labelled but {AUDIO}/{s}.mp3 is missing", "labelled but its audio is missing")
                for s in sorted(set(labels) - set(audio))]
    skipped += [Skipped(f"{AUDIO}/{audio[s].name}", f"no {kind} label for this song") for s in sorted(set(audio) - set(labels))]
    if options.get("max_files") and len(songs) > int(options["max_files"]):
        left_out[MAX_FILES] = len(songs) - int(options["max_files"])
        songs = songs[: int(options["max_files"])]
    from ml5_audio.features import SETTINGS, file_features

    settings = {**SETTINGS, "first": FIRST_ANNOTATION, "step": ANNOTATION_STEP, "window": float(options["window"])}
    results = process_files(file_features, [audio[s] for s in songs], settings=settings, namespace="audio-features",
                            workers=int(options["workers"]), description="deam: audio features", root=root)
    return Songs(labels, results, skipped, left_out)


def open_deam(spec: ml5.ModelSpec, path: Path | None, options: dict[str, Any]) -> ml5.Data:
    if spec.name != "emotion":
        raise ml5.DataError(f"deam has audio and emotion labels: it feeds the emotion model, not {spec.name!r}")
    songs = _read(path, options)
    labels, results, left_out = songs.labels, songs.audio, dict(songs.left_out)
    raw, va, split = [], [], []
    for file, arrays in results.results:
        song = file.stem
        if options["labels"] == "static":
            rows, targets = arrays["song"][None, :], np.asarray([labels[song]])
        else:  # one example per annotated time that has its window in the audio
            times, values = labels[song]
            at = {round(float(t), 3): i for i, t in enumerate(arrays["window_times"])}
            pairs = [(at[round(float(t), 3)], j) for j, t in enumerate(times) if round(float(t), 3) in at]
            if len(pairs) < len(times):
                left_out[NO_WINDOW] = left_out.get(NO_WINDOW, 0) + len(times) - len(pairs)
            rows = arrays["windows"][[i for i, _ in pairs]].reshape(-1, arrays["windows"].shape[1])
            targets = values[[j for _, j in pairs]].reshape(-1, 2)
        raw.append(rows)
        va.append(targets)
        split += [_split(song)] * len(rows)
    all_skipped = songs.all_skipped
    if not raw or not sum(len(r) for r in raw):
        why = f"; e.g. {all_skipped[0].file}: {all_skipped[0].reason}" if all_skipped else ""
        raise ml5.DataError(f"deam: no usable song{why}")
    x_raw, targets_va, split_arr = np.concatenate(raw), np.concatenate(va), np.asarray(split)
    from ml5_audio.features import fit_standardisation, standardise

    owners = np.concatenate([[f.stem] * len(r) for (f, _), r in zip(results.results, raw)])
    split_arr = hold_out_one_piece(split_arr, owners, "deam (emotion)")
    card = fit_standardisation(x_raw[split_arr == "train"])
    inputs = standardise(x_raw, card)
    # DEAM labels valence and arousal only: the musical context (dims 24-63) of its songs is not
    # known, so it is NaN — left out of the loss — rather than made up
    targets = emotion_embedding(targets_va[:, 0], targets_va[:, 1], np.full(CONTEXT_SIZE, np.nan))
    # the songs named while reading the labels count as files too, as the audio files skipped do
    summary = results.summary()
    summary.update(files=summary["files"] + len(songs.skipped), files_skipped=summary["files_skipped"] + len(songs.skipped),
                   **skipped_summary(all_skipped), **({"left_out": left_out} if left_out else {}))
    counts = {s: int((split_arr == s).sum()) for s in ("train", "validation") if (split_arr == s).any()}
    digest = hashlib.sha256(inputs.tobytes() + targets.tobytes() + "".join(split_arr).encode()).hexdigest()[:16]
    return ml5.Data(
        inputs=inputs, targets=targets.astype(np.float32), fingerprint=f"deam-{options['labels']}-{digest}",
        description=f"deam ({options['labels']} labels): {len(inputs)} examples "
                    f"({', '.join(f'{n} {s}' for s, n in counts.items())})",
        split=split_arr, stats={"examples": len(inputs), "examples_per_split": counts, **summary},
        card={"input_standardisation": card}, skipped=all_skipped,
    )


def problems(path: Path) -> list[str]:
    try:
        songs = _read(path, dict(OPTIONS))
    except ml5.DataError as exc:
        return [str(exc)]
    return [f"{s.file}: {s.reason}" for s in songs.all_skipped]
