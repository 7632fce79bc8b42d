"""A piece of music as arrays — notes, bars, tempo map, pedal — read from a MIDI file (symusic)
or a score (music21). Every target, proxy and statistic is computed from this one shape.

Time is kept in beats (quarter notes from the start of the piece), the unit bars, grids and
onsets are measured in; seconds come from the tempo map (``Piece.seconds``). Rules applied on
reading, identically for every source:

- ticks → beats is ``tick / ticks_per_quarter``; beats → seconds integrates the file's tempo map
  (every tempo event of every track, as the MIDI standard says; none = 120 quarter notes per
  minute). Each track is converted on its own ticks, never by summing times across tracks.
- A note that starts while the same pitch still sounds on the same track ends there (a MIDI
  note-on of a sounding pitch retriggers it).
- Zero-length notes are onsets without duration: they count for rhythm (groove, density,
  velocities) but never sound (melody, chords, bands).
- Drums: notes on MIDI channel 10 (symusic's ``is_drum``) are marked ``drum``; they carry rhythm
  and dynamics, never pitch.
- Bars follow the time signatures (none = 4/4); a change mid-bar starts a new bar there.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import numpy as np

DEFAULT_QPM = 120.0  # the MIDI standard's tempo when a file sets none
MIN_QPM, MAX_QPM = 10.0, 1000.0  # tempi outside are corrupt data, not music


@attrs.frozen(eq=False)
class Piece:
    start: np.ndarray  # (n,) onset in beats
    end: np.ndarray  # (n,) release in beats (== start for zero-length notes)
    pitch: np.ndarray  # (n,) MIDI pitch
    velocity: np.ndarray  # (n,) 1..127
    drum: np.ndarray  # (n,) bool
    track: np.ndarray  # (n,) track index
    bar_start: np.ndarray  # (b,) beats
    bar_length: np.ndarray  # (b,) beats
    bar_numerator: np.ndarray  # (b,)
    bar_denominator: np.ndarray  # (b,)
    tempo_beat: np.ndarray  # (t,) where each tempo starts, beats; tempo_beat[0] == 0
    tempo_qpm: np.ndarray  # (t,) quarter notes per minute
    pedal: np.ndarray = attrs.field(factory=lambda: np.zeros((0, 2)))  # (p, 2) sustain-down intervals, beats
    performed: bool = True  # velocities and timing from a performance (False: a notated score)
    #: per note, facts that look past any window, computed once on the whole piece (make_piece):
    #: the next onset on the same track (inf if none), and whether nothing sounds for more than
    #: a 16th after the note ends
    next_onset_in_track: np.ndarray = attrs.field(factory=lambda: np.zeros(0))
    rest_after: np.ndarray = attrs.field(factory=lambda: np.zeros(0, bool))

    def around(self, begin: float, end: float) -> Piece:
        """The same piece with only the notes that can sound in [begin, end) — every note starting
        from ``begin`` minus the longest note, up to ``end`` — so that work on a window costs the
        window, not the whole piece. Bars, tempo map, pedal and the per-note facts are kept."""
        longest = float((self.end - self.start).max()) if len(self.start) else 0.0
        lo = int(np.searchsorted(self.start, begin - longest - 1e-9, side="left"))
        hi = int(np.searchsorted(self.start, end, side="right"))
        picked = slice(lo, hi)
        return attrs.evolve(
            self, start=self.start[picked], end=self.end[picked], pitch=self.pitch[picked],
            velocity=self.velocity[picked], drum=self.drum[picked], track=self.track[picked],
            next_onset_in_track=self.next_onset_in_track[picked], rest_after=self.rest_after[picked],
        )

    @property
    def pitched(self) -> np.ndarray:
        return ~self.drum

    @property
    def sounding(self) -> np.ndarray:
        """Notes that sound: pitched, with a duration."""
        return ~self.drum & (self.end > self.start)

    def seconds(self, beats: np.ndarray | float) -> np.ndarray:
        """Beats → seconds through the tempo map."""
        beats = np.asarray(beats, dtype=np.float64)
        seconds_per_beat = 60.0 / self.tempo_qpm
        at_change = np.concatenate([[0.0], np.cumsum(np.diff(self.tempo_beat) * seconds_per_beat[:-1])])
        i = np.clip(np.searchsorted(self.tempo_beat, beats, side="right") - 1, 0, None)
        return at_change[i] + (beats - self.tempo_beat[i]) * seconds_per_beat[i]

    def mean_qpm(self, begin: float, end: float) -> float:
        """Tempo averaged over beats ``begin``..``end`` as beats per minute of elapsed time."""
        span = float(self.seconds(end) - self.seconds(begin))
        return 60.0 * (end - begin) / span if span > 0 else float(self.tempo_qpm[0])

    def qpm_spread(self, begin: float, end: float) -> float:
        """Std / mean of the tempo over ``begin``..``end``, weighted by beats (0 = steady)."""
        edges = np.unique(np.clip(np.concatenate([[begin, end], self.tempo_beat]), begin, end))
        if len(edges) < 2:
            return 0.0
        widths = np.diff(edges)
        i = np.clip(np.searchsorted(self.tempo_beat, edges[:-1], side="right") - 1, 0, None)
        qpm = self.tempo_qpm[i]
        mean = np.average(qpm, weights=widths)
        return float(np.sqrt(np.average((qpm - mean) ** 2, weights=widths)) / mean)


def _cut_retriggers(start: np.ndarray, end: np.ndarray, key: np.ndarray) -> np.ndarray:
    """End each note no later than the next onset of the same (track, pitch) key."""
    end = end.copy()
    order = np.lexsort((start, key))
    same = key[order][1:] == key[order][:-1]
    nxt = start[order][1:]
    cut = np.where(same, np.minimum(end[order][:-1], nxt), end[order][:-1])
    end[order[:-1]] = cut
    return end


def bars_from_signatures(
    signatures: list[tuple[float, int, int]], total_beats: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Bars from (beat, numerator, denominator) changes, covering 0..total_beats. Of several
    changes at one beat the last written wins (a file may write a default 4/4 before its own)."""
    by_beat: dict[float, tuple[float, int, int]] = {}
    for change in signatures:  # in file order: a later change at the same beat replaces it
        if change[0] < total_beats:
            by_beat[change[0]] = change
    signatures = sorted(by_beat.values(), key=lambda change: change[0])
    if not signatures or signatures[0][0] > 0:
        signatures.insert(0, (0.0, 4, 4))
    starts, lengths, nums, dens = [], [], [], []
    for i, (at, num, den) in enumerate(signatures):
        last = i + 1 == len(signatures)
        until = total_beats if last else min(signatures[i + 1][0], total_beats)
        length = num * 4.0 / den
        t = at
        while t < until - 1e-9:
            starts.append(t)
            lengths.append(length if last else min(length, until - t))
            nums.append(num)
            dens.append(den)
            t += length
    return np.array(starts, float), np.array(lengths, float), np.array(nums, int), np.array(dens, int)


def read_midi(path: str | Path) -> Piece:
    """Read a Standard MIDI File with symusic. Raises ValueError on a file it cannot use:
    unreadable, type 2 (independent sequences, not one piece), no notes, or a tempo outside
    MIN_QPM..MAX_QPM (a corrupt or joke tempo map would make every time meaningless)."""
    import symusic

    with open(path, "rb") as f:
        header = f.read(14)
    if len(header) == 14 and header[:4] == b"MThd" and int.from_bytes(header[8:10], "big") == 2:
        raise ValueError("type-2 MIDI file (independent sequences), not one piece")
    try:
        score = symusic.Score(str(path), ttype="tick")
    except MemoryError:
        raise
    except Exception as exc:  # symusic raises RuntimeError with the parser's reason
        raise ValueError(f"not a readable MIDI file ({exc})") from None
    tpq = float(score.ticks_per_quarter)
    if tpq <= 0:
        raise ValueError(f"ticks per quarter note is {score.ticks_per_quarter}")
    columns: dict[str, list[np.ndarray]] = {k: [] for k in ("start", "end", "pitch", "velocity", "drum", "track")}
    pedal = []
    for i, track in enumerate(score.tracks):
        notes = track.notes.numpy()
        if len(notes["time"]):
            start = notes["time"].astype(np.float64) / tpq
            columns["start"].append(start)
            columns["end"].append(start + np.maximum(notes["duration"], 0).astype(np.float64) / tpq)
            columns["pitch"].append(notes["pitch"].astype(np.int16))
            columns["velocity"].append(notes["velocity"].astype(np.int16))
            columns["drum"].append(np.full(len(start), bool(track.is_drum)))
            columns["track"].append(np.full(len(start), i, np.int16))
        pedal += _pedal_intervals(track, tpq, float(score.end()) / tpq)
    arrays = {k: np.concatenate(v) if v else np.zeros(0) for k, v in columns.items()}
    tempos = score.tempos.numpy()
    tempo_beat = tempos["time"].astype(np.float64) / tpq
    tempo_qpm = 60_000_000.0 / np.maximum(tempos["mspq"].astype(np.float64), 1)
    absurd = (tempo_qpm < MIN_QPM) | (tempo_qpm > MAX_QPM)
    if absurd.any():
        raise ValueError(f"absurd tempo {tempo_qpm[absurd][0]:.1f} quarter notes per minute "
                         f"(outside {MIN_QPM:g}..{MAX_QPM:g})")
    signatures = [
        (float(t) / tpq, int(n), int(d))
        for t, n, d in zip(*(score.time_signatures.numpy()[k] for k in ("time", "numerator", "denominator")))
        if n > 0 and d > 0
    ]
    return make_piece(arrays, tempo_beat, tempo_qpm, signatures, np.array(pedal).reshape(-1, 2))


def _pedal_intervals(track: object, tpq: float, piece_end: float) -> list[tuple[float, float]]:
    """Sustain (CC64) down intervals in beats: value ≥ 64 is down; a pedal never lifted is
    down until the end of the piece."""
    controls = track.controls.numpy()  # type: ignore[attr-defined]
    sustain = controls["number"] == 64
    times, values = controls["time"][sustain].astype(np.float64) / tpq, controls["value"][sustain]
    intervals, down_at = [], None
    for t, value in zip(times, values):
        if value >= 64 and down_at is None:
            down_at = t
        elif value < 64 and down_at is not None:
            intervals.append((down_at, t))
            down_at = None
    if down_at is not None and piece_end > down_at:
        intervals.append((down_at, piece_end))
    return intervals


def make_piece(
    arrays: dict[str, np.ndarray],
    tempo_beat: np.ndarray,
    tempo_qpm: np.ndarray,
    signatures: list[tuple[float, int, int]],
    pedal: np.ndarray,
    performed: bool = True,
    bars: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> Piece:
    """The one place a Piece is assembled: note rules, tempo map and bars applied."""
    start = np.asarray(arrays["start"], np.float64)
    if len(start) == 0:
        raise ValueError("no notes")
    end = np.maximum(np.asarray(arrays["end"], np.float64), start)
    pitch = np.asarray(arrays["pitch"]).astype(np.int16)
    track = np.asarray(arrays["track"]).astype(np.int16)
    drum = np.asarray(arrays["drum"]).astype(bool)
    velocity = np.clip(np.asarray(arrays["velocity"]).astype(np.int16), 0, 127)
    keep = (velocity > 0) & (pitch >= 0) & (pitch < 128)  # velocity 0 is a note-off
    start, end, pitch, track, drum, velocity = (a[keep] for a in (start, end, pitch, track, drum, velocity))
    if len(start) == 0:
        raise ValueError("no notes with a velocity above 0")
    end = _cut_retriggers(start, end, track.astype(np.int64) * 128 + pitch)
    order = np.lexsort((pitch, start))
    start, end, pitch, track, drum, velocity = (a[order] for a in (start, end, pitch, track, drum, velocity))
    # tempo map: sorted, the last event at a given beat wins, one entry at beat 0
    tempo_beat, tempo_qpm = np.asarray(tempo_beat, np.float64), np.asarray(tempo_qpm, np.float64)
    ok = np.isfinite(tempo_qpm) & (tempo_qpm > 0)
    tempo_beat, tempo_qpm = tempo_beat[ok], tempo_qpm[ok]
    if len(tempo_beat) == 0 or tempo_beat.min() > 0:
        tempo_beat, tempo_qpm = np.r_[0.0, tempo_beat], np.r_[DEFAULT_QPM, tempo_qpm]
    order = np.lexsort((np.arange(len(tempo_beat)), tempo_beat))
    tempo_beat, tempo_qpm = tempo_beat[order], tempo_qpm[order]
    last = np.r_[tempo_beat[1:] != tempo_beat[:-1], True]
    tempo_beat, tempo_qpm = tempo_beat[last], tempo_qpm[last]
    next_onset, rest_after = _lookahead(start, end, track)
    total = float(max(end.max(), start.max() + 1e-6))  # a zero-length note at the very end still gets its bar
    bar_arrays = bars if bars is not None else bars_from_signatures(signatures, total)
    return Piece(start, end, pitch, velocity, drum, track, *bar_arrays, tempo_beat, tempo_qpm,
                 np.asarray(pedal, np.float64).reshape(-1, 2), performed, next_onset, rest_after)


REST = 0.25  # beats: a gap longer than a 16th is a rest


def _lookahead(start: np.ndarray, end: np.ndarray, track: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per note (notes sorted by onset): the next later onset on its track, and whether it is
    followed by a rest — no note still sounding at its end, the next onset more than REST away."""
    next_onset = np.full(len(start), np.inf)
    for t in np.unique(track):
        mine = np.flatnonzero(track == t)
        onsets = np.unique(start[mine])
        after = np.searchsorted(onsets, start[mine], side="right")
        has = after < len(onsets)
        next_onset[mine[has]] = onsets[after[has]]
    ends_so_far = np.maximum.accumulate(end)  # latest end among notes started so far
    after = np.searchsorted(start, end, side="right")  # notes starting at or before each end
    covering = np.where(after > 0, ends_so_far[np.maximum(after - 1, 0)], -np.inf) > end + 1e-9
    following = np.where(after < len(start), start[np.minimum(after, len(start) - 1)], np.inf)
    return next_onset, ~covering & (following - end > REST)
