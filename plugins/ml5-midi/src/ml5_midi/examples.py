"""Per-file work: every model's examples from one MIDI or score file, as arrays to cache.

One file gives, for each phrase (``phrase_bars`` consecutive bars) and each bar, the targets of
the four downstream models, the proxy emotion of the phrase they lie in and its musical context
(``ml5_midi.context``); the data set decides later whether valence and arousal come from that
proxy or from its own labels. The arrays are
what ``ml5.filework`` caches, keyed by file content and ``settings`` (which carry ``ml5_midi.settings.VERSION``).
EmotionRecognizer's rows need the notes heard as audio: a ``rendering`` (``ml5_midi.rendering``)
handed in by the data set renders them and reads their features; ml5-midi imports no audio library.
Each rendering also gives harmony rows whose context is measured on its audio, beside those whose
context is modelled from the notes.

Nothing is left out unseen: the windows that give a model no row are counted by reason (array
``left_out``, one count per entry of ``LEFT_OUT``: numbers, not text, so that the counts held for
every file of a large data set cost little memory), and the tunes of an ABC collection that
cannot be read are named with their reason (arrays ``skipped_parts``, ``skipped_part_reasons``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from ml5.filework import SkipFile
from ml5.music import CONTEXT_SIZE

from ml5_midi import bands, targets
from ml5_midi.emotion import window_embedding_parts
from ml5_midi.piece import Piece, read_midi
from ml5_midi.rendering import Rendering

#: every array the per-file work returns, with the width of one row (0 = one value per row)
FIELDS = {
    "melody_targets": 128, "melody_va": 2, "melody_music": CONTEXT_SIZE,
    "dynamics_targets": 16, "dynamics_va": 2, "dynamics_music": CONTEXT_SIZE,
    "harmony_chord": 0, "harmony_context": bands.CONTEXT_BANDS, "harmony_va": 2, "harmony_music": CONTEXT_SIZE,
    "groove_targets": 32, "groove_va": 2, "groove_music": CONTEXT_SIZE,
    # with a rendering: each phrase's audio features (the 128 raw features of ml5-audio, one row
    # per rendering of the piece), for EmotionRecognizer
    "emotion_features": 128, "emotion_va": 2, "emotion_music": CONTEXT_SIZE,
}
MODELS_WITH_ROWS = ("melody", "dynamics", "harmony", "groove", "emotion")
#: a rendering's phrases start every this many bars (overlapping when fewer than phrase_bars):
#: the audio is rendered once, and more of its windows are EmotionRecognizer's rows. A rendering
#: gives harmony rows too, their context measured on the audio (each bar once), so that harmony
#: learns the contexts a host measures besides those modelled from notes
EMOTION_STEP_BARS = 1

#: why a window or example gives no row: (the model it gives none to, "" for every model; the
#: reason). Too ordinary to name one by one (a rest, a bar in 3/4 for groove), so counted, per
#: file; the order is that of the ``left_out`` array (a change needs a new settings.VERSION)
LEFT_OUT = {
    "zero_bar": ("", "bars of zero length"),
    "after_last_note": ("", "phrases after the last note"),
    "no_onset": ("", "phrases without a note onset"),
    "no_melody": ("melody", "phrases without a sounding pitched note"),
    "few_notes": ("dynamics", "phrases with fewer than 2 notes"),
    "first_bar": ("harmony", "first bars of a piece (no bar before them for the harmony context)"),
    "silent_bars": ("harmony", "bars where nothing sounds in them or the bar before"),
    "not_44": ("groove", "bars not in 4/4"),
    "few_onsets": ("groove", "bars with fewer than 2 onsets"),
    "nothing_heard": ("emotion", "phrases where nothing the instrument plays sounds (drums are not rendered)"),
    # counted when a data set holds one model's rows (ml5_midi.dataset.held_for), not here
    "capped": ("", "examples over max_examples_per_file (an option)"),
}


def piece_examples(
    whole: Piece, phrase_bars: int, heard: Callable[[np.ndarray], np.ndarray] | None = None,
    left_out: Counter[str] | None = None, rendered: bool | None = None, models: Sequence[str] = MODELS_WITH_ROWS,
    phrase_step: int | None = None, measured_context: Callable[[np.ndarray], np.ndarray] | None = None,
) -> dict[str, list]:
    """The rows of ``models`` of one piece, a phrase (``phrase_bars`` bars) starting every
    ``phrase_step`` bars (default: ``phrase_bars``; harmony's rows are each bar's once, from
    the phrase it opens when phrases overlap). With ``heard`` (a phrase's [start, end] in seconds
    -> rows of the raw audio features of that span), EmotionRecognizer's too: each phrase's raw features beside its embedding's parts. With
    ``measured_context`` (a bar's [start, end] in seconds -> the harmony context measured on the
    audio), harmony's context comes from the audio instead of the notes (``ml5_midi.bands``).
    Windows that give a model no row are counted in ``left_out`` by their ``LEFT_OUT`` key;
    ``rendered`` (default: whether ``heard`` is given) says EmotionRecognizer's rows were asked
    for, so the phrases that give none are counted too — all of them for a piece with nothing
    the instrument plays, which has no ``heard``."""
    rendered = (heard is not None if rendered is None else rendered) and "emotion" in models
    step = phrase_bars if phrase_step is None else phrase_step
    rows: dict[str, list] = {name: [] for name in FIELDS}
    counted: Counter[str] = Counter() if left_out is None else left_out
    keep = whole.bar_length > 1e-6
    counted["zero_bar"] += int((~keep).sum())
    starts, lengths = whole.bar_start[keep], whole.bar_length[keep]
    nums, dens = whole.bar_numerator[keep], whole.bar_denominator[keep]
    ends = starts + lengths
    last_onset = float(whole.start.max())
    for first in range(0, len(starts), step):
        bars = range(first, min(first + phrase_bars, len(starts)))
        begin, end = float(starts[bars[0]]), float(ends[bars[-1]])
        if begin > last_onset:
            counted["after_last_note"] += len(range(first, len(starts), step))
            break
        # only the notes that can matter to this phrase (and the bar before it): linear time
        reach = float(ends[list(bars)].max())
        piece = whole.around((float(starts[first - 1]) if first > 0 else begin) - 1.0, reach)
        inside = (piece.start >= begin) & (piece.start < end)
        if not inside.any():
            counted["no_onset"] += 1
            continue
        va, music = window_embedding_parts(piece, begin, end)
        if rendered and (heard is None or not (inside & piece.sounding).any()):  # drums are not rendered
            counted["nothing_heard"] += 1
        elif rendered:
            for features in heard(whole.seconds(np.array([begin, end]))):
                rows["emotion_features"].append(features)
                rows["emotion_va"].append(va)
                rows["emotion_music"].append(music)
        if "melody" in models:
            melody = targets.melody_occupancy(piece, begin, end)
            if melody.any():
                rows["melody_targets"].append(melody)
                rows["melody_va"].append(va)
                rows["melody_music"].append(music)
            else:
                counted["no_melody"] += 1
        if "dynamics" in models:
            if inside.sum() >= 2:
                rows["dynamics_targets"].append(targets.dynamics_parameters(piece, begin, end, starts))
                rows["dynamics_va"].append(va)
                rows["dynamics_music"].append(music)
            else:
                counted["few_notes"] += 1
        for b in bars:
            b0, b1 = float(starts[b]), float(ends[b])
            if "harmony" in models and b - first < step:  # each bar once
                if b == 0:
                    counted["first_bar"] += 1
                elif (piece.sounding & (piece.end > float(starts[b - 1])) & (piece.start < b1)).any():
                    before = float(starts[b - 1])
                    rows["harmony_chord"].append(targets.bar_chord(piece, b0, b1))
                    rows["harmony_context"].append(bands.bar_bands(piece, before, b0) if measured_context is None
                                                   else measured_context(whole.seconds(np.array([before, b0]))))
                    rows["harmony_va"].append(va)
                    rows["harmony_music"].append(music)
                else:
                    counted["silent_bars"] += 1
            if "groove" in models:
                in_bar = (piece.start >= b0 - targets.STEP / 2) & (piece.start < b1 - targets.STEP / 2)
                if (nums[b], dens[b]) != (4, 4) or abs(lengths[b] - 4.0) >= 1e-6:
                    counted["not_44"] += 1
                elif in_bar.sum() < 2:
                    counted["few_onsets"] += 1
                else:
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


def examples_of(
    pieces: list[Piece], settings: dict, parts_left_out: Sequence[tuple[str, str]] = (),
    rendering: Rendering | None = None,
) -> dict[str, np.ndarray]:
    """Every model's rows of a file's pieces, its statistics, and what was left out of it: the
    windows that gave a model no row (counted by reason) and ``parts_left_out``, the (tune,
    reason) pairs its reader could not use. With ``rendering``, EmotionRecognizer's rows too:
    each piece played as ``settings["rendering_options"]`` ask (``Rendering.hear``: each time the
    piece as played — transposed, at another tempo … — and the analysis of its audio), each
    phrase's features in each rendering beside the embedding of the notes played."""
    rows: dict[str, list] = {name: [] for name in FIELDS}
    left_out: Counter[str] = Counter()
    phrase_bars = int(settings["phrase_bars"])
    downstream = tuple(m for m in MODELS_WITH_ROWS if m != "emotion")
    for piece in pieces:
        played = []
        if rendering is not None and piece.sounding.any():  # drums only: nothing the instrument plays
            played = rendering.hear(piece, settings.get("rendering_options", {}))
        # nothing to hear: the phrases are counted as giving EmotionRecognizer no row
        silent = rendering is not None and not played
        for name, values in piece_examples(piece, phrase_bars, None, left_out, rendered=silent,
                                           models=downstream + (("emotion",) if silent else ())).items():
            rows[name] += values
        for variant, analysis in played:  # each rendering: the piece as played, and what was heard
            heard: Counter[str] = Counter()
            for name, values in piece_examples(
                variant, phrase_bars, _phrase_features(rendering, analysis), heard, models=("emotion", "harmony"),
                phrase_step=EMOTION_STEP_BARS, measured_context=_bar_context(rendering, analysis),
            ).items():
                rows[name] += values
            left_out["nothing_heard"] += heard["nothing_heard"]  # the other reasons are the piece's, counted above
    arrays = _stack(rows)
    if not any(len(arrays[f"{m}_va"]) for m in MODELS_WITH_ROWS):
        raise SkipFile("no complete bar with notes to learn from")
    return {**arrays, **_piece_stats(pieces), **_left_out(left_out, parts_left_out)}


def _phrase_features(rendering: Rendering, analysis: Any) -> Callable[[np.ndarray], np.ndarray]:
    """A phrase's [start, end] in seconds -> the raw features of that span of one rendering (a row)."""

    def features(seconds: np.ndarray) -> np.ndarray:
        return rendering.window_features(analysis, seconds.mean(keepdims=True), float(np.ptp(seconds)))

    return features


def _bar_context(rendering: Rendering, analysis: Any) -> Callable[[np.ndarray], np.ndarray]:
    """A bar's [start, end] in seconds -> harmony's context measured on one rendering."""

    def context(seconds: np.ndarray) -> np.ndarray:
        return rendering.harmony_context(analysis, float(seconds[0]), float(seconds[1]))

    return context


def _left_out(counted: Counter[str], parts: Sequence[tuple[str, str]]) -> dict[str, np.ndarray]:
    """What was left out of a file, as arrays the cache can hold (text, never objects)."""
    return {
        "left_out": np.asarray([counted[key] for key in LEFT_OUT], dtype=np.int64),
        "skipped_parts": np.asarray([part for part, _ in parts], dtype=str),
        "skipped_part_reasons": np.asarray([reason for _, reason in parts], dtype=str),
    }


def midi_file_examples(path: str, settings: dict, rendering: Rendering | None = None) -> dict[str, np.ndarray]:
    """Per-file work of MIDI data sets (runs in worker processes)."""
    try:
        piece = read_midi(path)
    except ValueError as exc:
        raise SkipFile(str(exc)) from None
    return examples_of([piece], settings, rendering=rendering)


def score_file_examples(path: str, settings: dict, rendering: Rendering | None = None) -> dict[str, np.ndarray]:
    """Per-file work of score data sets (music21)."""
    from ml5_midi.score import read_score_parts

    try:
        read = read_score_parts(path)
    except ValueError as exc:
        raise SkipFile(str(exc)) from None
    return examples_of(read.pieces, settings, read.left_out, rendering)
