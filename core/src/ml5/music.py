"""Small music facts several plugins share: pitch names and Harte-style chord labels."""

from __future__ import annotations

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
