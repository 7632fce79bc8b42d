"""Music facts several plugins share, defined once: pitch names, the chord vocabulary, the names
of the dynamics and groove parameters, and the emotion embedding every downstream model reads.

Torch-free and dependency-light (numpy only where arrays are made): model plugins, dataset
plugins, ``ml5 infer`` and the docs for C++ hosts all read these definitions.
"""

from __future__ import annotations

import functools
from typing import Any

PITCH_CLASSES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")

#: chord quality (Harte shorthand) -> intervals above the root, in semitones
QUALITY_INTERVALS = {
    "maj": (0, 4, 7),
    "min": (0, 3, 7),
    "7": (0, 4, 7, 10),
    "maj7": (0, 4, 7, 11),
    "min7": (0, 3, 7, 10),
    "dim": (0, 3, 6),
    "aug": (0, 4, 8),
    "dim7": (0, 3, 6, 9),
    "sus4": (0, 5, 7),
}

NO_CHORD = "N"


def chord_label(root: int, quality: str) -> str:
    return f"{PITCH_CLASSES[root % 12]}:{quality}"


def pitch_name(pitch: int) -> str:
    """Scientific pitch name of a MIDI note number: 60 -> ``"C4"``."""
    return f"{PITCH_CLASSES[pitch % 12]}{pitch // 12 - 1}"


def parse_chord(label: str) -> tuple[int, str] | None:
    """(root pitch class, quality) of a label like ``"F#:min7"``; None for ``"N"``."""
    if label == NO_CHORD:
        return None
    root, sep, quality = label.partition(":")
    if not sep or root not in PITCH_CLASSES or quality not in QUALITY_INTERVALS:
        raise ValueError(f"chord label {label!r} is not <root>:<quality> with a quality in {sorted(QUALITY_INTERVALS)}")
    return PITCH_CLASSES.index(root), quality


def chord_pitch_classes(label: str) -> frozenset[int]:
    """Pitch classes of a chord label; ``"N"`` (no chord) has none."""
    parsed = parse_chord(label)
    if parsed is None:
        return frozenset()
    root, quality = parsed
    return frozenset((root + i) % 12 for i in QUALITY_INTERVALS[quality])


#: The HarmonyPredictor's 64-chord vocabulary, index -> Harte-style label: 12 roots × (maj, min,
#: 7, maj7, min7) = 60, the three distinct diminished-seventh chords (on C, C#, D: the others are
#: inversions of these), and "N" for no chord. Published with every export as output_labels.
CHORD_VOCABULARY: tuple[str, ...] = (
    tuple(chord_label(root, quality) for quality in ("maj", "min", "7", "maj7", "min7") for root in range(12))
    + tuple(chord_label(root, "dim7") for root in range(3))
    + (NO_CHORD,)
)

#: The DynamicsEngine's 16 expression parameters of a phrase, all scaled into 0..1. The symbolic
#: music library (ml5-midi) computes each one from notes; its docstrings give the formulas.
DYNAMICS_PARAMETERS: tuple[str, ...] = (
    "velocity_mean",  # mean MIDI velocity / 127
    "velocity_std",  # spread of velocities / 64
    "velocity_min",  # / 127
    "velocity_max",  # / 127
    "accent_strength",  # 0.5 + (mean velocity on beats - off beats) / 64
    "crescendo",  # 0.5 = flat, above = growing, below = fading over the phrase
    "articulation",  # note length / time to the next onset of the voice (0 staccato .. 1 legato)
    "sustain_pedal",  # share of the phrase with the sustain pedal (CC64) down
    "timing_spread",  # std of onset deviations from the 16th grid, in 16ths (x2)
    "rubato",  # tempo fluctuation depth: std / mean of the tempo map over the phrase (x4)
    "phrase_arch",  # 0.5 + (middle third's mean velocity - outer thirds') / 64
    "note_density",  # onsets per beat / 8
    "chord_spread",  # mean velocity range among notes struck together / 64
    "release_velocity",  # mean velocity of notes followed by a rest or ending the phrase / 127
    "attack_sharpness",  # mean rise in velocity from one onset to the next louder one / 64
    "dynamic_range",  # (max - min velocity) / 127
)

#: The GroovePredictor's 32 parameters: one bar of 4/4 as 16 sixteenth steps.
GROOVE_PARAMETERS: tuple[str, ...] = tuple(f"timing_offset_{i:02d}" for i in range(16)) + tuple(
    f"velocity_offset_{i:02d}" for i in range(16)
)

#: The 64 values of the emotion embedding, in order: what EmotionRecognizer outputs, what melody,
#: harmony (inputs 0-63), dynamics (dims 0-31) and groove read, and what a host may set to steer
#: them. Valence and arousal come first as differently saturated copies; the musical context
#: after them is what a listener hears besides the mood, each value in -1..1. Part by part:
#: (first dim, last dim, name, rule). ml5-midi computes each part from notes (``ml5_midi.context``,
#: ``ml5_midi.emotion``); the docs' model pages list them.
EMBEDDING_PARTS: tuple[tuple[int, int, str, str], ...] = (
    (0, 11, "valence", "tanh(g·valence), g = 0.8 … 2.0 in 12 steps (EMBEDDING_GAINS); valence in -1..1"),
    (12, 23, "arousal", "tanh(g·arousal), the same gains"),
    (24, 24, "tempo", "(quarter notes per minute − 100) / 60"),
    (25, 25, "density", "(onsets per second − 4) / 4, notes struck together counted once"),
    (26, 26, "loudness", "(mean velocity − 64) / 40"),
    (27, 27, "mode", "tanh(4·(r_major − r_minor)), Krumhansl–Kessler key correlations: +1 major, −1 minor"),
    (28, 28, "register", "(mean sounding pitch, weighted by duration − 60) / 24"),
    (29, 29, "lowest", "(lowest sounding pitch − 48) / 24"),
    (30, 30, "highest", "(highest sounding pitch − 72) / 24"),
    (31, 31, "syncopation", "2 · share of onsets off the eighth-note grid − 1"),
    (32, 43, "pitch-class profile", "C … B: beats each pitch class sounds, as 2·w/strongest − 1"),
    (44, 55, "bass profile", "C … B: 16th steps on which it is the lowest sounding pitch, same scaling"),
    (56, 63, "octave profile", "octaves 1 … 8 (MIDI 24–35 … 108–119): beats sounding there, same scaling"),
)

VALENCE_DIMS = range(0, 12)  # tanh(g·valence), g in EMBEDDING_GAINS
AROUSAL_DIMS = range(12, 24)  # tanh(g·arousal)
SCALAR_DIMS = range(24, 32)  # one value each, named by CONTEXT_SCALARS
PITCH_CLASS_DIMS = range(32, 44)  # the pitch-class profile (key profile), C .. B
BASS_DIMS = range(44, 56)  # the bass line's pitch-class profile, C .. B
OCTAVE_DIMS = range(56, 64)  # where the notes lie: octaves 1 .. 8 (MIDI 24-35 … 108-119)
CONTEXT_SCALARS = tuple(name for first, _, name, _ in EMBEDDING_PARTS if first in SCALAR_DIMS)
#: the musical context: dims 24-63 (40 values)
CONTEXT_SIZE = 40
EMBEDDING_SIZE = 64
#: one line for model cards and docs: what the 64 values are
EMBEDDING_MEANING = (
    "emotion embedding (ml5.music.emotion_embedding), each value in -1..1: dims 0-11 tanh(g·valence), "
    "12-23 tanh(g·arousal), g from 0.8 to 2.0; 24-31 the musical context's scalars "
    + ", ".join(CONTEXT_SCALARS) + "; 32-43 pitch-class profile (C..B); 44-55 bass pitch-class profile; "
    "56-63 octave profile (octaves 1..8); profiles are 2·weight/strongest - 1"
)

#: Per-dimension gains of the valence and arousal copies: each of the 12 dims is a differently
#: saturated copy, so that both small and large values stay readable after the tanh.
EMBEDDING_GAINS = tuple(0.8 + 1.2 * i / 11 for i in range(12))


def profile_values(weights: Any) -> Any:
    """A profile (pitch classes, bass pitch classes, octaves) as embedding values: each bin
    relative to the strongest, ``2·w/max(w) - 1`` (the strongest 1, an absent bin -1); all -1
    when nothing sounds. Works on the last axis."""
    import numpy as np

    w = np.asarray(weights, dtype=np.float64)
    top = w.max(axis=-1, keepdims=True)
    return np.where(top > 0, 2.0 * w / np.where(top > 0, top, 1.0) - 1.0, -1.0)


#: Krumhansl-Kessler probe-tone ratings, C major and C minor (Krumhansl 1990)
MAJOR_PROFILE = (6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88)
MINOR_PROFILE = (6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17)


def key_correlations(weights: Any) -> tuple[float, float]:
    """(r_major, r_minor): the best Pearson correlation of a 12-bin pitch-class profile (C..B,
    any scale) with the 12 rotations of each Krumhansl-Kessler profile; (0, 0) for a flat one."""
    import numpy as np

    p = np.asarray(weights, dtype=np.float64)
    p = p - p.mean()
    if not np.linalg.norm(p) > 0:
        return 0.0, 0.0
    best = [float(np.max(r @ p / (norms * np.linalg.norm(p)))) for r, norms in _key_rotations()]
    return best[0], best[1]


@functools.cache
def _key_rotations() -> tuple[tuple[Any, Any], ...]:
    """Per Krumhansl-Kessler profile: its 12 rotations, centred, and their norms (made once: the
    key of every window of every rendering is found with them)."""
    import numpy as np

    out = []
    for key_profile in (MAJOR_PROFILE, MINOR_PROFILE):
        rotations = np.stack([np.roll(key_profile, k) for k in range(12)])
        r = rotations - rotations.mean(axis=1, keepdims=True)
        norms = np.linalg.norm(r, axis=1)
        r.setflags(write=False)
        norms.setflags(write=False)
        out.append((r, norms))
    return tuple(out)


def mode_score(weights: Any) -> float:
    """+1 major … -1 minor, from a 12-bin pitch-class profile: tanh(4·(r_major − r_minor)), r of
    ``key_correlations``. The embedding's mode (from notes) and the audio features' (from the
    chroma) are this one rule."""
    import numpy as np

    major, minor = key_correlations(weights)
    return float(np.tanh(4 * (major - minor)))


def typical_context(valence: Any, arousal: Any, tonic: int = 0) -> Any:
    """The musical context a host gets when it sets only valence and arousal (and the synthetic
    set uses): tempo, density and loudness follow arousal, mode follows valence, the register is
    central, no syncopation; the pitch-class profile is the Krumhansl-Kessler profile of
    ``tonic`` major (valence > 0) blended towards minor as valence falls, the bass on the tonic
    and the dominant, the notes in octaves 3 to 5. Shape (n, 40) for arrays, (40,) for scalars."""
    import numpy as np

    v, a = np.asarray(valence, dtype=np.float64), np.asarray(arousal, dtype=np.float64)
    major = (1 + np.tanh(2 * v))[..., None] / 2
    key = major * np.roll(MAJOR_PROFILE, tonic) + (1 - major) * np.roll(MINOR_PROFILE, tonic)
    bass = np.zeros(12)
    bass[tonic % 12], bass[(tonic + 7) % 12] = 1.0, 0.6
    octaves = np.array([0.0, 0.2, 0.7, 1.0, 0.8, 0.2, 0.0, 0.0])
    shape = v.shape
    scalars = np.stack([a, a, a, np.tanh(2 * v), np.zeros(shape), np.zeros(shape), np.zeros(shape), -np.ones(shape)], axis=-1)
    return np.concatenate([
        np.clip(scalars, -1, 1),
        profile_values(key),
        np.broadcast_to(profile_values(bass), shape + (12,)),
        np.broadcast_to(profile_values(octaves), shape + (8,)),
    ], axis=-1)


def emotion_embedding(valence: Any, arousal: Any, context: Any = None) -> Any:
    """The 64-value emotion embedding of (valence, arousal), each in -1..1, and a musical
    context (40 values in -1..1 in the order of dims 24-63; default ``typical_context``):
    ``[tanh(g·valence) for g in EMBEDDING_GAINS] + [tanh(g·arousal) for g in EMBEDDING_GAINS] +
    context``. Scalars give shape (64,), arrays of n values give (n, 64); float32.

    A context value that is NaN stays NaN: a data set whose examples have valence and arousal
    labels but no known music (audio-only labels) marks it unknown, and the loss leaves it out.
    """
    import numpy as np

    v, a = np.asarray(valence, dtype=np.float64), np.asarray(arousal, dtype=np.float64)
    gains = np.asarray(EMBEDDING_GAINS)
    if context is None:
        context = typical_context(v, a)
    context = np.broadcast_to(np.asarray(context, dtype=np.float64), v.shape + (CONTEXT_SIZE,))
    out = np.concatenate([np.tanh(v[..., None] * gains), np.tanh(a[..., None] * gains), context], axis=-1)
    return out.astype(np.float32)


def embedding_emotion(embedding: Any) -> tuple[Any, Any]:
    """(valence, arousal) read back from an embedding (the inverse of ``emotion_embedding`` for
    values it made; a least-squares estimate for others), each clipped to -1..1."""
    import numpy as np

    e = np.clip(np.asarray(embedding, dtype=np.float64), -0.999999, 0.999999)
    gains = np.asarray(EMBEDDING_GAINS)
    z = np.arctanh(e)
    # least squares of z = g·x over the 12 dims of each
    v = (z[..., VALENCE_DIMS.start:VALENCE_DIMS.stop] @ gains) / (gains @ gains)
    a = (z[..., AROUSAL_DIMS.start:AROUSAL_DIMS.stop] @ gains) / (gains @ gains)
    return np.clip(v, -1, 1), np.clip(a, -1, 1)


def embedding_context(embedding: Any) -> Any:
    """The 40 musical-context values of an embedding (dims 24-63)."""
    import numpy as np

    return np.asarray(embedding)[..., SCALAR_DIMS.start:EMBEDDING_SIZE]


#: Harmony's second input half, the harmonic context of the bar before the predicted one, from
#: any source: the power in the 64 lowest bands of the 128-band Slaney mel scale (0-11,025 Hz,
#: ml5-audio's feature definition) averaged over the bar, in dB relative to the bar's loudest
#: band, floored HARMONY_CONTEXT_RANGE dB below it and scaled into -1..0. Audio measures the
#: power (ml5_audio.features.harmony_context); MIDI and scores model it from the notes
#: (ml5_midi.bands). Relative to the loudest band, it does not depend on the recording's level
#: or on how loud a synthesiser plays. A silent bar is all -1. Standardised afterwards with the
#: training rows' statistics (the harmony model card's input_standardisation).
HARMONY_CONTEXT_BANDS = 64
HARMONY_CONTEXT_RANGE = 30.0


def harmony_context(band_power: Any) -> Any:
    """(…, 64) band powers (any linear scale) → (…, 64) harmony context values in -1..0."""
    import numpy as np

    power = np.asarray(band_power, dtype=np.float64)
    top = power.max(axis=-1, keepdims=True)
    db = 10.0 * np.log10(np.maximum(power, 1e-30) / np.where(top > 0, top, 1.0))
    rel = np.maximum(db, -HARMONY_CONTEXT_RANGE) / HARMONY_CONTEXT_RANGE
    return np.where(top > 0, rel, -1.0).astype(np.float32)
