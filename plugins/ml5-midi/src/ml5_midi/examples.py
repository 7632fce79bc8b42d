"""Per-file work: every model's examples from one MIDI or score file, as arrays to cache.

One file gives, for each phrase (``phrase_bars`` consecutive bars) and each bar, the targets of
the four downstream models, the proxy emotion of the phrase they lie in and its musical context
(``ml5_midi.context``); the data set decides later whether valence and arousal come from that
proxy or from its own labels. The arrays are
what ``ml5.filework`` caches, keyed by file content and ``settings`` (which carry ``ml5_midi.format.VERSION``).
"""

from __future__ import annotations

import numpy as np
from ml5.filework import SkipFile
from ml5.music import CONTEXT_SIZE

from ml5_midi import bands, targets
from ml5_midi.emotion import window_embedding_parts
from ml5_midi.piece import Piece, read_midi

#: every array the per-file work returns, with the width of one row (0 = one value per row)
FIELDS = {
    "melody_targets": 128, "melody_va": 2, "melody_music": CONTEXT_SIZE,
    "dynamics_targets": 16, "dynamics_va": 2, "dynamics_music": CONTEXT_SIZE,
    "harmony_chord": 0, "harmony_context": bands.CONTEXT_BANDS, "harmony_va": 2, "harmony_music": CONTEXT_SIZE,
    "groove_targets": 32, "groove_va": 2, "groove_music": CONTEXT_SIZE,
    # with ``settings["audio"]``: each phrase's audio features (ml5-audio's 128 raw band means of
    # the piece rendered by ml5_audio.render), for EmotionRecognizer
    "emotion_features": 128, "emotion_va": 2, "emotion_music": CONTEXT_SIZE,
}
MODELS_WITH_ROWS = ("melody", "dynamics", "harmony", "groove", "emotion")


def piece_examples(whole: Piece, phrase_bars: int, mel: np.ndarray | None = None) -> dict[str, list]:
    """Every model's rows of one piece; with ``mel`` (the dB mel spectrogram of its rendering),
    EmotionRecognizer's too: each phrase's raw features beside its embedding's parts."""
    rows: dict[str, list] = {name: [] for name in FIELDS}
    keep = whole.bar_length > 1e-6
    starts, lengths = whole.bar_start[keep], whole.bar_length[keep]
    nums, dens = whole.bar_numerator[keep], whole.bar_denominator[keep]
    ends = starts + lengths
    last_onset = float(whole.start.max())
    for first in range(0, len(starts), phrase_bars):
        bars = range(first, min(first + phrase_bars, len(starts)))
        begin, end = float(starts[bars[0]]), float(ends[bars[-1]])
        if begin > last_onset:
            break
        # only the notes that can matter to this phrase (and the bar before it): linear time
        reach = float(ends[list(bars)].max())
        piece = whole.around((float(starts[first - 1]) if first > 0 else begin) - 1.0, reach)
        inside = (piece.start >= begin) & (piece.start < end)
        if not inside.any():
            continue
        va, music = window_embedding_parts(piece, begin, end)
        if mel is not None and (inside & piece.sounding).any():  # drums are not rendered: nothing to hear
            from ml5_audio.features import window_features

            seconds = whole.seconds(np.array([begin, end]))
            rows["emotion_features"].append(window_features(mel, seconds.mean(keepdims=True), float(np.ptp(seconds)))[0])
            rows["emotion_va"].append(va)
            rows["emotion_music"].append(music)
        melody = targets.melody_occupancy(piece, begin, end)
        if melody.any():
            rows["melody_targets"].append(melody)
            rows["melody_va"].append(va)
            rows["melody_music"].append(music)
        if inside.sum() >= 2:
            rows["dynamics_targets"].append(targets.dynamics_parameters(piece, begin, end, starts))
            rows["dynamics_va"].append(va)
            rows["dynamics_music"].append(music)
        for b in bars:
            b0, b1 = float(starts[b]), float(ends[b])
            if b > 0 and (piece.sounding & (piece.end > float(starts[b - 1])) & (piece.start < b1)).any():
                rows["harmony_chord"].append(targets.bar_chord(piece, b0, b1))
                rows["harmony_context"].append(bands.bar_bands(piece, float(starts[b - 1]), b0))
                rows["harmony_va"].append(va)
                rows["harmony_music"].append(music)
            in_bar = (piece.start >= b0 - targets.STEP / 2) & (piece.start < b1 - targets.STEP / 2)
            if (nums[b], dens[b]) == (4, 4) and abs(lengths[b] - 4.0) < 1e-6 and in_bar.sum() >= 2:
                rows["groove_targets"].append(targets.groove_parameters(piece, b0))
                rows["groove_va"].append(va)
                rows["groove_music"].append(music)
    return rows


def _stack(rows: dict[str, list]) -> dict[str, np.ndarray]:
    out = {}
    for name, width in FIELDS.items():
        values = rows[name]
        if width == 0:
            out[name] = np.asarray(values, dtype=np.int16).reshape(-1)
        else:
            out[name] = np.asarray(values, dtype=np.float32).reshape(-1, width)
    return out


def _piece_stats(pieces: list[Piece]) -> dict[str, np.ndarray]:
    velocity = np.zeros(128, np.int64)
    pitch = np.zeros(128, np.int64)
    qpm, bars, bars_44 = [], 0, 0
    for p in pieces:
        velocity += np.bincount(p.velocity, minlength=128)[:128]
        pitch += np.bincount(p.pitch[p.sounding], minlength=128)[:128]
        total = float(p.end.max())
        qpm.append(p.mean_qpm(0.0, total) if total > 0 else float(p.tempo_qpm[0]))
        bars += len(p.bar_start)
        bars_44 += int(((p.bar_numerator == 4) & (p.bar_denominator == 4)).sum())
    return {
        "stat_velocity_histogram": velocity,
        "stat_pitch_histogram": pitch,
        "stat_qpm": np.asarray(qpm, np.float64),
        "stat_bars": np.asarray([bars, bars_44], np.int64),
        "stat_drum_only": np.asarray([all(p.drum.all() for p in pieces)]),
    }


def examples_of(pieces: list[Piece], settings: dict) -> dict[str, np.ndarray]:
    rows: dict[str, list] = {name: [] for name in FIELDS}
    for piece in pieces:
        mel = None
        if settings.get("audio") and piece.sounding.any():  # drums only: nothing the instrument plays
            from ml5_audio.features import mel_db
            from ml5_audio.render import render

            mel = mel_db(render(piece))
        for name, values in piece_examples(piece, int(settings["phrase_bars"]), mel).items():
            rows[name] += values
    arrays = _stack(rows)
    if not any(len(arrays[f"{m}_va"]) for m in MODELS_WITH_ROWS):
        raise SkipFile("no complete bar with notes to learn from")
    return {**arrays, **_piece_stats(pieces)}


def midi_file_examples(path: str, settings: dict) -> dict[str, np.ndarray]:
    """Per-file work of MIDI data sets (runs in worker processes)."""
    try:
        piece = read_midi(path)
    except ValueError as exc:
        raise SkipFile(str(exc)) from None
    return examples_of([piece], settings)


def score_file_examples(path: str, settings: dict) -> dict[str, np.ndarray]:
    """Per-file work of score data sets (music21)."""
    from ml5_midi.score import read_score

    try:
        pieces = read_score(path)
    except ValueError as exc:
        raise SkipFile(str(exc)) from None
    return examples_of(pieces, settings)
