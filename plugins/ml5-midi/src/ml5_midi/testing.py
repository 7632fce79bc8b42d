"""Writing real MIDI files for tests of symbolic data sets: fixtures in the real layouts are
Standard MIDI Files written by symusic, never stand-ins."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

#: (onset beat, length in beats, pitch, velocity)
NoteSpec = tuple[float, float, int, int]


def write_midi(
    path: str | Path,
    tracks: Sequence[Sequence[NoteSpec]],
    *,
    drums: Sequence[bool] = (),
    tempos: Sequence[tuple[float, float]] = ((0.0, 120.0),),
    signatures: Sequence[tuple[float, int, int]] = ((0.0, 4, 4),),
    pedal: Sequence[tuple[float, float]] = (),
    tpq: int = 480,
) -> Path:
    """A type-1 MIDI file: one track per note list (``drums[i]`` puts track i on channel 10),
    tempo changes as (beat, quarter notes per minute), time signatures as (beat, numerator,
    denominator), sustain-pedal intervals (beats) on the first track."""
    from symusic import ControlChange, Note, Score, Tempo, TimeSignature, Track

    score = Score(tpq)
    for beat, qpm in tempos:
        score.tempos.append(Tempo(round(beat * tpq), float(qpm)))
    for beat, numerator, denominator in signatures:
        score.time_signatures.append(TimeSignature(round(beat * tpq), numerator, denominator))
    for i, notes in enumerate(tracks):
        drum = bool(drums[i]) if i < len(drums) else False
        track = Track(name=f"track {i}", program=0, is_drum=drum)
        for onset, length, pitch, velocity in notes:
            track.notes.append(Note(round(onset * tpq), round(length * tpq), pitch, velocity))
        if i == 0:
            for down, up in pedal:
                track.controls.append(ControlChange(round(down * tpq), 64, 127))
                track.controls.append(ControlChange(round(up * tpq), 64, 0))
        score.tracks.append(track)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    score.dump_midi(str(path))
    return path


def drum_bar(bar: int, *, kick: int = 100, snare: int = 90, hat: int = 60, late: float = 0.0) -> list[NoteSpec]:
    """One 4/4 bar of a rock beat starting at beat 4·bar: kick on 1 and 3, snare on 2 and 4
    (``late`` beats behind the grid), closed hi-hat on every 8th. Zero-length hits, as drum
    recorders write them."""
    at = 4.0 * bar
    notes: list[NoteSpec] = [(at, 0.0, 36, kick), (at + 2, 0.0, 36, kick)]
    notes += [(at + 1 + late, 0.0, 38, snare), (at + 3 + late, 0.0, 38, snare)]
    notes += [(at + 0.5 * k, 0.0, 42, hat) for k in range(8)]
    return notes
