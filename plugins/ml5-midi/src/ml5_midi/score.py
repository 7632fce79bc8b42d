"""Scores (MusicXML, Humdrum kern, ABC, …) read with music21 into the same ``Piece`` as MIDI.

A score is a notation, not a performance: onsets are exact, tempo is the score's metronome marks
(none = 120 quarter notes per minute, as for MIDI), velocities are the score's dynamics as
music21 realises them (pp ≈ 45, mf ≈ 90 — also what an unmarked score gets —, ff = 127). Bars are the score's own measures (a pickup bar stays short);
ties are merged into one note; chords give one note per pitch; grace notes are zero-length;
chord symbols (lead-sheet harmony annotations) are not notes and are left out.
An ABC file holding several tunes gives one Piece per tune.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ml5_midi.piece import Piece, make_piece


def read_score(path: str | Path) -> list[Piece]:
    """Every piece in a score file; ValueError when music21 cannot read one with notes."""
    from music21 import converter, stream

    try:
        parsed = converter.parse(str(path))
    except MemoryError:
        raise
    except Exception as exc:  # music21 raises many kinds; the reason is what matters here
        raise ValueError(f"music21 cannot parse it ({type(exc).__name__}: {exc})") from None
    scores = list(parsed.scores) if isinstance(parsed, stream.Opus) else [parsed]
    pieces = []
    for score in scores:
        try:
            pieces.append(piece_from_score(score))
        except ValueError:
            continue  # a tune without notes inside a collection: the others still count
    if not pieces:
        raise ValueError("no notes in the score")
    return pieces


def piece_from_score(score: object) -> Piece:
    from music21 import chord, harmony, meter, note, stream, tempo

    score = score.stripTies(inPlace=False)  # type: ignore[attr-defined]
    parts = list(score.parts) or [score]  # type: ignore[attr-defined]
    columns: dict[str, list[float]] = {k: [] for k in ("start", "end", "pitch", "velocity", "drum", "track")}
    for index, part in enumerate(parts):
        for element in part.flatten().notes:
            if isinstance(element, harmony.Harmony):  # a chord symbol is an annotation, not sounding notes
                continue
            pitches = element.pitches if isinstance(element, chord.Chord) else (
                [element.pitch] if isinstance(element, note.Note) else [])
            # the dynamic marking in force (music21's realised volume, 0..1)
            velocity = element.volume.velocity or max(1, round(127 * element.volume.getRealized()))
            onset, length = float(element.offset), float(element.quarterLength)
            for p in pitches:
                columns["start"].append(onset)
                columns["end"].append(onset + length)
                columns["pitch"].append(p.midi)
                columns["velocity"].append(velocity)
                columns["drum"].append(False)
                columns["track"].append(index)
    arrays = {k: np.asarray(v) for k, v in columns.items()}
    marks = [
        (float(m.getOffsetInHierarchy(score)), float(m.getQuarterBPM()))
        for m in score.recurse().getElementsByClass(tempo.MetronomeMark)  # type: ignore[attr-defined]
        if m.getQuarterBPM()
    ]
    measures = list(parts[0].getElementsByClass(stream.Measure))
    bars = None
    if measures:
        starts, lengths, nums, dens = [], [], [], []
        for m in measures:
            signature = m.timeSignature or m.getContextByClass(meter.TimeSignature)
            starts.append(float(m.offset))
            lengths.append(float(m.duration.quarterLength) or (signature.barDuration.quarterLength if signature else 4.0))
            nums.append(signature.numerator if signature else 4)
            dens.append(signature.denominator if signature else 4)
        # a measure never reaches past the next one (music21 can report a longer duration)
        starts_a, lengths_a = np.array(starts), np.array(lengths)
        lengths_a[:-1] = np.minimum(lengths_a[:-1], np.diff(starts_a))
        bars = (starts_a, lengths_a, np.array(nums), np.array(dens))
    signatures = [
        (float(ts.getOffsetInHierarchy(score)), ts.numerator, ts.denominator)
        for ts in score.recurse().getElementsByClass(meter.TimeSignature)  # type: ignore[attr-defined]
    ]
    return make_piece(
        arrays,
        np.array([b for b, _ in marks]),
        np.array([q for _, q in marks]),
        signatures,
        np.zeros((0, 2)),
        performed=False,
        bars=bars,
    )
