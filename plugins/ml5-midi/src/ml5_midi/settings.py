"""What declaring a data set (``ml5_midi.format``) and reading it (``ml5_midi.dataset``) share:
the version and settings of the per-file work, part of every cache key, and the rule that picks
which files or rows a cap keeps. Imports nothing (``format`` is imported whenever plugins are
listed)."""

from __future__ import annotations

#: bump on any change to a target, the proxy, the bands or the readers: it is part of every cache key
VERSION = "8"

#: per-file settings a data set may change (its options), with their defaults
SETTINGS = {"phrase_bars": 2}


def evenly_spaced(count: int, most: int) -> list[int]:
    """At most ``most`` of the indices 0 .. count-1 (0 = all), evenly spaced from the first to
    the last: a quick run sees every part of a data set, or of a long file."""
    if not most or most >= count:
        return list(range(count))
    step = (count - 1) / (most - 1) if most > 1 else 0.0
    return sorted({round(k * step) for k in range(most)})
