"""Scores (MusicXML, Humdrum kern, ABC, …) read with music21 into the same ``Piece`` as MIDI.

A score is a notation, not a performance: onsets are exact, tempo is the score's metronome marks
(none = 120 quarter notes per minute, as for MIDI), velocities are the score's dynamics as
music21 realises them (pp ≈ 45, mf ≈ 90 — also what an unmarked score gets —, ff = 127). Bars are the score's own measures (a pickup bar stays short);
ties are merged into one note; chords give one note per pitch; grace notes are zero-length;
chord symbols (lead-sheet harmony annotations) are not notes and are left out.
An ABC file holding several tunes gives one Piece per tune. Its tunes are read one by one (split
on the ``X:`` reference lines, each with the file's header, as music21 splits a collection), so a
tune that music21 cannot parse or that has no notes is left out and named — "tune X:12 (Title)" —
with its reason, while the file's other tunes are used.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import attrs
import numpy as np

from ml5_midi.piece import Piece, make_piece

_REFERENCE = re.compile(r"^\s*X:\s*(\S*)")
_TITLE = re.compile(r"^\s*T:\s*(.*?)\s*$")


@attrs.frozen
class ScoreParts:
    """What a score file gives: its pieces, and the parts of it left out, as (part, reason)."""

    pieces: list[Piece]
    left_out: list[tuple[str, str]]


def read_score(path: str | Path) -> list[Piece]:
    """Every piece in a score file; ValueError when music21 cannot read one with notes."""
    return read_score_parts(path).pieces


def read_score_parts(path: str | Path) -> ScoreParts:
    """Every piece in a score file, and each tune or score of a collection that was left out
    with its reason. ValueError when no part of the file gives a piece with notes."""
    parts = _abc_parts(Path(path)) if Path(path).suffix.lower() == ".abc" else _parsed_parts(Path(path))
    pieces, left_out = [], []
    for name, parse in parts:
        try:
            pieces.append(_piece(parse, "tune" if name.startswith("tune") else "score"))
        except ValueError as exc:
            left_out.append((name, str(exc)))
    if pieces:
        return ScoreParts(pieces, left_out)
    if len(left_out) == 1:
        raise ValueError(left_out[0][1])
    first, reason = left_out[0] if left_out else ("", "")
    raise ValueError(f"none of its {len(left_out)} tunes or scores can be used ({first}: {reason})")


def _piece(parse: Callable[[], object], what: str) -> Piece:
    """One tune's or score's Piece; ValueError with the reason when music21 cannot parse it or it
    has no notes."""
    try:
        score = parse()
    except MemoryError:
        raise
    except Exception as exc:  # music21 raises many kinds; the reason is what matters here
        raise ValueError(f"music21 cannot parse it ({type(exc).__name__}: {exc})") from None
    try:
        return piece_from_score(score)
    except ValueError as exc:  # make_piece's "no notes"
        raise ValueError(f"{exc} in the {what}") from None


def _parsed_parts(path: Path) -> list[tuple[str, Callable[[], object]]]:
    """A MusicXML, Humdrum … file: parsed whole; an opus gives one part per score in it."""
    from music21 import converter, stream

    try:
        # from the source every time: music21 would otherwise pickle the parsed score into its
        # scratch folder and read the pickle back (a fifth of the parse time, and a pickle loaded)
        parsed = converter.parse(str(path), forceSource=True, storePickle=False)
    except MemoryError:
        raise
    except Exception as exc:
        raise ValueError(f"music21 cannot parse it ({type(exc).__name__}: {exc})") from None
    scores = list(parsed.scores) if isinstance(parsed, stream.Opus) else [parsed]
    return [(f"score {i + 1}" if len(scores) > 1 else "", lambda score=score: score) for i, score in enumerate(scores)]


def _abc_parts(path: Path) -> list[tuple[str, Callable[[], object]]]:
    """An ABC file's tunes, each parsed on its own with the file header before it (what music21's
    ``ABCHandler.splitByReferenceNumber`` gives each tune), named by reference number and title."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark would hide the first X: line
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text, which music21 reads ABC as ({exc})") from None
    header, tunes = split_abc(text)
    if not tunes:  # a single tune without a reference number
        return [("", lambda: _parse_abc(text))]
    return [(name, lambda tune=tune: _parse_abc(header + tune)) for name, tune in tunes]


def split_abc(text: str) -> tuple[str, list[tuple[str, str]]]:
    """An ABC file as (header, [(name, tune text)]): each tune runs from its ``X:`` line to the
    next one, the header is what comes before the first; names are "tune X:12 (Title)"."""
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if _REFERENCE.match(line)]
    if not starts:
        return text, []
    tunes = []
    for first, end in zip(starts, [*starts[1:], len(lines)]):
        body = lines[first:end]
        number = _REFERENCE.match(body[0]).group(1)  # type: ignore[union-attr]
        title = next((m.group(1) for line in body if (m := _TITLE.match(line)) and m.group(1)), "")
        tunes.append((f"tune X:{number}" + (f" ({title})" if title else ""), "".join(body)))
    return "".join(lines[: starts[0]]), tunes


def _parse_abc(text: str) -> object:
    from music21 import abcFormat
    from music21.abcFormat import translate

    return translate.abcToStreamScore(abcFormat.ABCFile().readstr(text))


def piece_from_score(score: object) -> Piece:
    """The notes of a parsed score. Its ties are merged in place (a copy of a whole score costs
    more than reading it): pass a copy to keep the original."""
    from music21 import chord, dynamics, harmony, meter, note, stream, tempo

    score.stripTies(inPlace=True)  # type: ignore[attr-defined]
    parts = list(score.parts) or [score]  # type: ignore[attr-defined]
    columns: dict[str, list[float]] = {k: [] for k in ("start", "end", "pitch", "velocity", "drum", "track")}
    for index, part in enumerate(parts):
        # the dynamic marking in force, followed along the part: music21 would search the
        # score's hierarchy for it again at every note
        marking: dynamics.Dynamic | bool = False
        for element in part.flatten():
            if isinstance(element, dynamics.Dynamic):
                marking = element
            if not isinstance(element, note.NotRest) or isinstance(element, harmony.Harmony):
                continue  # a chord symbol is an annotation, not sounding notes
            pitches = element.pitches if isinstance(element, chord.Chord) else (
                [element.pitch] if isinstance(element, note.Note) else [])
            # music21's realised volume (0..1) under that marking
            velocity = element.volume.velocity or max(1, round(127 * element.volume.getRealized(useDynamicContext=marking)))
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
