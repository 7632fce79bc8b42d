"""Each model's target, computed from a window of a ``Piece`` — the executable form of what the
model plugins' ``output_meaning`` say. Windows are bars (harmony, groove) and phrases of
consecutive bars (melody, dynamics); positions are in beats (quarter notes).
"""

from __future__ import annotations

import numpy as np
from ml5.music import CHORD_VOCABULARY, NO_CHORD, chord_pitch_classes, parse_chord

from ml5_midi.piece import Piece

#: a chord must match the bar's pitch-class profile at least this well (cosine), else "N"
MIN_CHORD_MATCH = 0.5

_TEMPLATES = np.array(
    [[1.0 if pc in chord_pitch_classes(c) else 0.0 for pc in range(12)] for c in CHORD_VOCABULARY]
)
_NORMS = np.linalg.norm(_TEMPLATES, axis=1)
_ROOTS = np.array([-1 if parse_chord(c) is None else parse_chord(c)[0] for c in CHORD_VOCABULARY])


def _nearest(position: np.ndarray) -> np.ndarray:
    """Nearest whole step, halves rounded up: a step owns [k − ½, k + ½) (np.rint would send
    halves to the even step)."""
    return np.floor(np.asarray(position) + 0.5)


def _in_window(piece: Piece, begin: float, end: float) -> np.ndarray:
    """Notes whose onset lies in [begin, end)."""
    return (piece.start >= begin - 1e-9) & (piece.start < end - 1e-9)


def _overlap(piece: Piece, begin: float, end: float) -> np.ndarray:
    """How long (beats) each note sounds inside [begin, end); 0 for drums and zero-length notes."""
    span = np.clip(np.minimum(piece.end, end) - np.maximum(piece.start, begin), 0, None)
    return np.where(piece.sounding, span, 0.0)


# ---------------------------------------------------------------- melody


def melody_notes(piece: Piece, begin: float, end: float) -> np.ndarray:
    """Indexes of the melody's notes with onsets in [begin, end), by the skyline rule: at each
    onset the highest pitch starting there, unless a higher note is still sounding (then the
    melody is that held note). Pitched notes with a duration only."""
    candidates = np.flatnonzero(_in_window(piece, begin, end) & piece.sounding)
    around = np.flatnonzero(piece.sounding & (piece.start < end) & (piece.end > begin))  # may be held
    chosen = []
    for onset in np.unique(piece.start[candidates]):
        here = candidates[piece.start[candidates] == onset]
        top = here[np.argmax(piece.pitch[here])]
        held = (piece.start[around] < onset) & (piece.end[around] > onset) & (piece.pitch[around] > piece.pitch[top])
        if not held.any():
            chosen.append(top)
    return np.array(chosen, dtype=np.int64)


def melody_occupancy(piece: Piece, begin: float, end: float) -> np.ndarray:
    """MelodyTransformer target: out[p] = 1 if MIDI pitch p is a melody note of the phrase, else 0."""
    target = np.zeros(128, np.float32)
    target[piece.pitch[melody_notes(piece, begin, end)]] = 1.0
    return target


# ---------------------------------------------------------------- harmony


def pitch_class_profile(piece: Piece, begin: float, end: float, bass_weight: float = 2.0) -> np.ndarray:
    """Beats each pitch class sounds in [begin, end), summed over voices; the lowest sounding
    pitch of the window counts ``bass_weight`` times (the bass decides between chords that share
    their tones)."""
    weight = _overlap(piece, begin, end)
    profile = np.bincount(piece.pitch % 12, weights=weight, minlength=12)[:12]
    bass = _bass_note(piece, weight)
    if bass is not None:
        profile[piece.pitch[bass] % 12] += (bass_weight - 1.0) * weight[bass]
    return profile


def _bass_note(piece: Piece, weight: np.ndarray) -> int | None:
    """Index of the lowest note sounding in the window (``weight`` > 0), if any."""
    sounding = np.flatnonzero(weight > 0)
    return int(sounding[np.argmin(piece.pitch[sounding])]) if len(sounding) else None


def recognize_chord(profile: np.ndarray, bass: int | None = None) -> int:
    """Index in ``CHORD_VOCABULARY`` of the chord whose pitch-class template best matches a
    12-bin profile by cosine similarity. Among equal best matches the one rooted on the ``bass``
    pitch class wins, else the earlier entry (triads before sevenths, a dominant seventh before a
    diminished seventh). "N" when the profile is empty or no chord matches at least
    ``MIN_CHORD_MATCH``."""
    no_chord = CHORD_VOCABULARY.index(NO_CHORD)
    norm = float(np.linalg.norm(profile))
    if norm == 0:
        return no_chord
    scores = np.divide(_TEMPLATES @ profile, _NORMS * norm, out=np.full(len(_NORMS), -1.0), where=_NORMS > 0)
    best = np.flatnonzero(scores >= scores.max() - 1e-9)
    on_bass = best[_ROOTS[best] == bass] if bass is not None else best[:0]
    choice = int(on_bass[0] if len(on_bass) else best[0])
    return choice if scores[choice] >= MIN_CHORD_MATCH else no_chord


def bar_chord(piece: Piece, begin: float, end: float) -> int:
    """HarmonyPredictor target of a bar: its chord's index in the 64-chord vocabulary."""
    bass = _bass_note(piece, _overlap(piece, begin, end))
    return recognize_chord(pitch_class_profile(piece, begin, end), None if bass is None else int(piece.pitch[bass] % 12))


# ---------------------------------------------------------------- groove

STEPS = 16  # sixteenth notes in the 4/4 bar of the groove template
STEP = 0.25  # beats per sixteenth


def groove_parameters(piece: Piece, begin: float) -> np.ndarray:
    """GroovePredictor target of the 4/4 bar starting at ``begin``: every onset (drums and
    pitched notes) goes to its nearest 16th step; timing_offset_k = mean deviation of step k's
    onsets in 16ths (−0.5..0.5; 0 where no onset); velocity_offset_k = (loudest velocity at step
    k, 0 if none − mean of the 16 step velocities) / 64, clipped to −1..1."""
    onsets = np.flatnonzero(_in_window(piece, begin - STEP / 2, begin + STEPS * STEP - STEP / 2))
    position = (piece.start[onsets] - begin) / STEP
    step = np.clip(_nearest(position).astype(int), 0, STEPS - 1)
    deviation = position - step
    timing, velocity = np.zeros(STEPS), np.zeros(STEPS)
    for k in range(STEPS):
        at = step == k
        if at.any():
            timing[k] = deviation[at].mean()
            velocity[k] = piece.velocity[onsets][at].max()
    offsets = np.clip((velocity - velocity.mean()) / 64.0, -1, 1)
    return np.concatenate([timing, offsets]).astype(np.float32)


# ---------------------------------------------------------------- dynamics


def _clip01(x: float) -> float:
    return float(min(1.0, max(0.0, x)))


def _articulation(piece: Piece, idx: np.ndarray) -> np.ndarray:
    """For each sounding note of ``idx`` that its track plays on after: sounding length / time
    to the track's next onset, at most 1 (0 staccato .. 1 legato)."""
    mine = idx[piece.sounding[idx] & np.isfinite(piece.next_onset_in_track[idx])]
    gap = piece.next_onset_in_track[mine] - piece.start[mine]
    return np.minimum(1.0, (piece.end[mine] - piece.start[mine]) / gap)


def dynamics_parameters(piece: Piece, begin: float, end: float, bar_starts: np.ndarray) -> np.ndarray:
    """DynamicsEngine target of the phrase [begin, end): the 16 parameters of
    ``ml5.music.DYNAMICS_PARAMETERS`` in that order, each in 0..1 (formulas beside each line)."""
    idx = np.flatnonzero(_in_window(piece, begin, end))
    v = piece.velocity[idx].astype(np.float64)
    onset = piece.start[idx]
    length = end - begin
    # beats relative to the bar each onset lies in: on the beat when within a 32nd of a quarter
    bar_of = bar_starts[np.clip(np.searchsorted(bar_starts, onset, side="right") - 1, 0, None)]
    in_bar = onset - bar_of
    on_beat = np.abs(in_bar - np.rint(in_bar)) < 0.125
    accent = v[on_beat].mean() - v[~on_beat].mean() if on_beat.any() and (~on_beat).any() else 0.0
    where = (onset - begin) / length  # 0..1 through the phrase
    slope = np.polyfit(where, v, 1)[0] if len(np.unique(where)) > 1 else 0.0
    thirds = np.minimum((where * 3).astype(int), 2)
    middle, outer = v[thirds == 1], v[thirds != 1]
    arch = middle.mean() - outer.mean() if len(middle) and len(outer) else 0.0
    grid = onset / STEP
    spread = np.std(grid - _nearest(grid)) * 2 if len(grid) > 1 else 0.0
    times = np.unique(onset)
    ratios = _articulation(piece, idx)
    # chord spread: velocity range among notes struck together (same onset)
    groups = [v[onset == t] for t in times]
    chord_ranges = [g.max() - g.min() for g in groups if len(g) > 1]
    released = v[piece.rest_after[idx] | (onset == times[-1])]
    loudness = np.array([g.mean() for g in groups])
    rises = np.diff(loudness)
    pedal = piece.pedal
    pedal_down = np.clip(np.minimum(pedal[:, 1], end) - np.maximum(pedal[:, 0], begin), 0, None).sum() if len(pedal) else 0.0
    return np.array(
        [
            v.mean() / 127,
            _clip01(v.std() / 64),
            v.min() / 127,
            v.max() / 127,
            _clip01(0.5 + accent / 64),
            _clip01(0.5 + slope / 127),
            _clip01(float(np.mean(ratios))) if len(ratios) else 0.0,
            _clip01(pedal_down / length),
            _clip01(spread),
            _clip01(4 * piece.qpm_spread(begin, end)),
            _clip01(0.5 + arch / 64),
            _clip01(len(times) / length / 8),
            _clip01(float(np.mean(chord_ranges)) / 64) if chord_ranges else 0.0,
            float(np.mean(released)) / 127 if len(released) else 0.0,
            _clip01(float(rises[rises > 0].mean()) / 64) if (rises > 0).any() else 0.0,
            (v.max() - v.min()) / 127,
        ],
        dtype=np.float32,
    )
