"""Music facts several plugins share, defined once: pitch names, the chord vocabulary, the names
of the dynamics and groove parameters, and the emotion embedding every downstream model reads.

Torch-free and dependency-light (numpy only where arrays are made): model plugins, dataset
plugins, ``ml5 infer`` and the docs for C++ hosts all read these definitions.
"""

from __future__ import annotations

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

#: Per-dimension gains of the emotion embedding: each of the 32 dims is a differently saturated
#: copy of valence (dims 0-31) or arousal (dims 32-63).
EMBEDDING_GAINS = tuple(0.8 + 1.2 * i / 31 for i in range(32))


def emotion_embedding(valence: Any, arousal: Any) -> Any:
    """The 64-dim emotion embedding of (valence, arousal), each in -1..1:
    ``[tanh(g·valence) for g in EMBEDDING_GAINS] + [tanh(g·arousal) for g in EMBEDDING_GAINS]``.

    It is what EmotionRecognizer outputs and what melody, harmony, dynamics (dims 0-31) and
    groove read. Scalars give shape (64,), arrays of n values give (n, 64); float32.
    """
    import numpy as np

    v, a = np.asarray(valence, dtype=np.float64), np.asarray(arousal, dtype=np.float64)
    gains = np.asarray(EMBEDDING_GAINS)
    out = np.concatenate([np.tanh(v[..., None] * gains), np.tanh(a[..., None] * gains)], axis=-1)
    return out.astype(np.float32)


def embedding_emotion(embedding: Any) -> tuple[Any, Any]:
    """(valence, arousal) read back from an embedding (the inverse of ``emotion_embedding`` for
    values it made; a least-squares estimate for others), each clipped to -1..1."""
    import numpy as np

    e = np.clip(np.asarray(embedding, dtype=np.float64), -0.999999, 0.999999)
    gains = np.asarray(EMBEDDING_GAINS)
    z = np.arctanh(e)
    # least squares of z = g·x over the 32 dims of each half
    v = (z[..., :32] @ gains) / (gains @ gains)
    a = (z[..., 32:] @ gains) / (gains @ gains)
    return np.clip(v, -1, 1), np.clip(a, -1, 1)
