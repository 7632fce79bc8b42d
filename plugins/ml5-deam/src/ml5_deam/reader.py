"""Reading DEAM (numpy, the audio features): imported when a model asks for data or the folder
is checked, not when plugins are listed. The layout is described in the package docstring."""

from __future__ import annotations

import csv
import hashlib
import math
from pathlib import Path
from typing import Any

import ml5
import numpy as np
from ml5.filework import Skipped, process_files
from ml5.music import CONTEXT_SIZE, emotion_embedding
from ml5.splits import hold_out_one_piece, split_by_piece

from ml5_deam import ANNOTATION_STEP, AUDIO, AUDIO_SUFFIXES, DYNAMIC, FIRST_ANNOTATION, OPTIONS, STATIC


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


def static_labels(root: Path) -> tuple[dict[str, tuple[float, float]], list[Skipped]]:
    labels, bad = {}, []
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
            labels[str(int(float(song)))] = (scale_static(values[0]), scale_static(values[1]))  # type: ignore[arg-type]
    return labels, bad


def dynamic_labels(root: Path) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], list[Skipped]]:
    """song id → (annotation times in seconds, (n, 2) valence/arousal), rows cut to the shorter."""
    series: dict[str, dict[str, np.ndarray]] = {}
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
            series.setdefault(str(int(float(row[0]))), {})[dimension] = np.asarray(values, np.float64)
    labels = {}
    for song, dims in series.items():
        if len(dims) == 2:
            n = min(len(dims["valence"]), len(dims["arousal"]))
            t = np.asarray(times[:n], np.float64) / 1000.0  # type: ignore[arg-type]
            labels[song] = (t, np.clip(np.stack([dims["valence"][:n], dims["arousal"][:n]], axis=1), -1, 1))
    return labels, bad


def _check_layout(root: Path, labels: str) -> None:
    needed = [Path(AUDIO), *STATIC] if labels == "static" else [Path(AUDIO), DYNAMIC / "valence.csv", DYNAMIC / "arousal.csv"]
    missing = [str(p) for p in needed if not (root / p).exists()]
    if missing:
        raise ml5.DataError(f"deam: {root} is not a DEAM folder: missing {'; '.join(missing)}")


def _audio_files(root: Path) -> dict[str, Path]:
    return {p.stem: p for p in sorted((root / AUDIO).iterdir()) if p.suffix.lower() in AUDIO_SUFFIXES}


def _read(path: Path | None, options: dict[str, Any]) -> tuple[dict[str, Any], Any, list[Skipped], Path]:
    if path is None:
        raise ml5.DataError("deam reads a folder on disk: give the path of the DEAM folder")
    root = Path(path)
    kind = str(options["labels"])
    if kind not in ("static", "dynamic"):
        raise ml5.DataError(f"deam: option labels = {kind!r}; use \"static\" or \"dynamic\"")
    if float(options["window"]) <= 0:
        raise ml5.DataError(f"deam: option window = {options['window']}; use a positive number of seconds")
    _check_layout(root, kind)
    labels, skipped = static_labels(root) if kind == "static" else dynamic_labels(root)
    audio = _audio_files(root)
    songs = sorted((s for s in labels if s in audio), key=lambda s: (len(s), s))
    skipped += [Skipped(f"song {s}", f"labelled but {AUDIO}/{s}.mp3 is missing") for s in sorted(set(labels) - set(audio))]
    if options.get("max_files"):
        songs = songs[: int(options["max_files"])]
    from ml5_audio.features import SETTINGS, file_features

    settings = {**SETTINGS, "first": FIRST_ANNOTATION, "step": ANNOTATION_STEP, "window": float(options["window"])}
    results = process_files(file_features, [audio[s] for s in songs], settings=settings, namespace="audio-features",
                            workers=int(options["workers"]), description="deam: audio features", root=root)
    return labels, results, skipped, root


def open_deam(spec: ml5.ModelSpec, path: Path | None, options: dict[str, Any]) -> ml5.Data:
    if spec.name != "emotion":
        raise ml5.DataError(f"deam has audio and emotion labels: it feeds the emotion model, not {spec.name!r}")
    labels, results, skipped, _ = _read(path, options)
    raw, va, split = [], [], []
    for file, arrays in results.results:
        song = file.stem
        if options["labels"] == "static":
            rows, targets = arrays["song"][None, :], np.asarray([labels[song]])
        else:  # one example per annotated time that has its window in the audio
            times, values = labels[song]
            at = {round(float(t), 3): i for i, t in enumerate(arrays["window_times"])}
            pairs = [(at[round(float(t), 3)], j) for j, t in enumerate(times) if round(float(t), 3) in at]
            rows = arrays["windows"][[i for i, _ in pairs]].reshape(-1, arrays["windows"].shape[1])
            targets = values[[j for _, j in pairs]].reshape(-1, 2)
        raw.append(rows)
        va.append(targets)
        split += [_split(song)] * len(rows)
    all_skipped = [*skipped, *results.skipped]
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
    summary = results.summary()
    summary.update(files=summary["files"] + len(skipped), files_skipped=summary["files_skipped"] + len(skipped),
                   skipped=[{"file": s.file, "reason": s.reason} for s in all_skipped])
    counts = {s: int((split_arr == s).sum()) for s in ("train", "validation") if (split_arr == s).any()}
    digest = hashlib.sha256(inputs.tobytes() + targets.tobytes() + "".join(split_arr).encode()).hexdigest()[:16]
    return ml5.Data(
        inputs=inputs, targets=targets.astype(np.float32), fingerprint=f"deam-{options['labels']}-{digest}",
        description=f"deam ({options['labels']} labels): {len(inputs)} examples "
                    f"({', '.join(f'{n} {s}' for s, n in counts.items())})",
        split=split_arr, stats={"examples": len(inputs), "examples_per_split": counts, **summary},
        card={"input_standardisation": card},
    )


def problems(path: Path) -> list[str]:
    try:
        _, results, skipped, _ = _read(path, dict(OPTIONS))
    except ml5.DataError as exc:
        return [str(exc)]
    return [f"{s.file}: {s.reason}" for s in [*skipped, *results.skipped]]
