"""What readers leave out, and how much of it a report keeps.

Every file, row or part of a file (a tune of an ABC collection …) that a data set cannot use is
a ``Skipped`` item: what it is, the reason in full, and the kind of reason it is counted under.
Statistics and reports keep the counts by kind and the first few items of each kind
(``summary``); a run writes every item to ``skipped.jsonl`` in its folder (``write_jsonl``), so
that a data set with thousands of broken files still gives a report one can read.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from ml5.atomic import atomic_open

#: items listed per kind of reason in statistics and reports when nothing else is asked for
PER_REASON = 100
#: where a different number is asked for outside a run (``ml5 datasets --stats``, ``ml5 evaluate``)
PER_REASON_VARIABLE = "ML5_SKIPPED_PER_REASON"
#: the full list, in a run folder
JSONL = "skipped.jsonl"

_DETAIL = re.compile(r"\s*\([^()]*\)")
_QUOTED = re.compile(r"(?<!\w)'[^']*'(?!\w)|\"[^\"]*\"")  # not the apostrophe of "doesn't"
_NUMBER = re.compile(r"(?<![\w.-])[-+]?\d+(?:\.\d+)?(?![\w.-])")


def reason_kind(reason: str) -> str:
    """The kind a reason is counted under: the reason without its specifics. Parenthesised
    detail and quoted values are dropped, numbers become N, and of a reason written "what:
    detail" (an exception's type and message …) only the "what" is kept: ``not a readable MIDI
    file (Invalid chunk at 14)`` counts as ``not a readable MIDI file``, ``absurd tempo 4000.0
    quarter notes per minute`` as ``absurd tempo N quarter notes per minute``."""
    text = reason
    while (shorter := _DETAIL.sub("", text)) != text:  # nested parentheses, innermost first
        text = shorter
    text = _QUOTED.sub("", text).split(": ", 1)[0].split(" (", 1)[0]  # and an unclosed "(" too
    text = _NUMBER.sub("N", text)
    text = re.sub(r"\s+([,;:.])", r"\1", re.sub(r"\s{2,}", " ", text)).strip(" ,;:")
    return text or reason.strip() or "no reason given"


@attrs.frozen
class Skipped:
    """A file, row or part of a file that a reader left out."""

    file: str  # the file (relative to the data set's folder), or "info.csv row 12 (…)", "a.abc tune X:3 (…)"
    reason: str  # in full: what a user needs to find the problem
    #: what it is counted under in statistics and reports; by default the reason without its
    #: specifics (``reason_kind``)
    kind: str = attrs.field(default=attrs.Factory(lambda self: reason_kind(self.reason), takes_self=True))

    @classmethod
    def from_dict(cls, item: Mapping[str, Any]) -> Skipped:
        """From the form statistics hold (``attrs.asdict``; ``kind`` may be missing)."""
        reason = str(item.get("reason", ""))
        return cls(str(item.get("file", "")), reason, str(item.get("kind") or reason_kind(reason)))


def per_reason(asked: int | None = None) -> int:
    """How many items of each kind statistics and reports list: ``asked`` (a run's
    ``report.skipped_per_reason``), else ``$ML5_SKIPPED_PER_REASON``, else ``PER_REASON``."""
    if asked is not None:
        return asked
    text = os.environ.get(PER_REASON_VARIABLE, "").strip()
    if not text:
        return PER_REASON
    if not text.isdigit():
        raise ValueError(f"{PER_REASON_VARIABLE}={text!r}: expected a whole number of at least 0 "
                         f"(skipped items listed per kind of reason; default {PER_REASON})")
    return int(text)


def summary(items: Iterable[Skipped], most: int | None = None) -> dict[str, Any]:
    """What statistics and reports keep of skipped items: how many (``skipped_total``), how many
    of each kind, most frequent first (``skipped_by_reason``), and the first ``most`` items of
    each kind in their order (``skipped``; default ``per_reason()``)."""
    limit = per_reason(most)
    counts: dict[str, int] = {}
    listed = []
    for item in items:
        seen = counts.get(item.kind, 0)
        if seen < limit:
            listed.append(attrs.asdict(item))
        counts[item.kind] = seen + 1
    by_kind = dict(sorted(counts.items(), key=lambda pair: (-pair[1], pair[0])))
    return {"skipped_total": sum(counts.values()), "skipped_by_reason": by_kind, "skipped": listed,
            "skipped_per_reason": limit}


def examples_by_kind(stats: Mapping[str, Any], examples: int | None, kinds: int | None = None) -> list[tuple[str | None, int, list[dict]]]:
    """What a printout of a ``summary`` shows: per kind of reason (the ``kinds`` most frequent)
    its count and its first ``examples`` listed items (None: all listed). A summary without
    counts by kind (an older one) gives one group of kind None holding every listed item."""
    listed = list(stats.get("skipped", []))
    by_reason = stats.get("skipped_by_reason") or {}
    if not by_reason:
        return [(None, stats.get("skipped_total", len(listed)), listed[:examples])] if listed else []
    return [(kind, count, [item for item in listed if item.get("kind") == kind][:examples])
            for kind, count in list(by_reason.items())[:kinds]]


def from_stats(stats: Mapping[str, Any]) -> list[Skipped]:
    """The skipped items a data set's statistics list (all of them only if it kept all)."""
    return [Skipped.from_dict(item) for item in stats.get("skipped", [])]


def write_jsonl(path: Path, items: Sequence[Mapping[str, Any]]) -> None:
    """One JSON object per line, written atomically."""
    with atomic_open(path, "w") as f:
        for item in items:
            f.write(json.dumps(item, ensure_ascii=False) + "\n")


__all__ = ["JSONL", "PER_REASON", "PER_REASON_VARIABLE", "Skipped", "from_stats", "per_reason", "reason_kind", "summary",
           "write_jsonl"]
