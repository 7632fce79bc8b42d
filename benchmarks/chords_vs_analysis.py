"""What a trained harmony model names, window by window, beside the chords a musician reads in
the score: the human Roman-numeral analyses that ship with the music21 corpus (Riemenschneider's
Bach chorales, Monteverdi's madrigals).

    python benchmarks/chords_vs_analysis.py runs/<x>/exports [--window 4] [--piece bach/choraleAnalyses/riemenschneider002]

For each piece: the score is written to MIDI with music21, ``ml5 infer FILE --window W --json``
runs the exports on it (a real subprocess, the user's path), and every window's top-1 chord is
set beside the analysis's chords sounding in that window. A window counts as *named* when the
top-1 chord is one the analyst wrote there (same pitch classes), and *in key* when its tones all
belong to the analysis's key at that point (major scale; minor: natural and harmonic minor).
Prints a Markdown table per piece and the shares; ``--json`` writes them too.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from ml5.music import CHORD_VOCABULARY, chord_pitch_classes
from ml5_midi.piece import read_midi
from ml5_midi.targets import recognize_chord

#: a held-out chorale (BWV 347 is in the corpus data set's test split) and a piece from another
#: collection (the corpus default trains on Bach only)
PIECES = ("bach/choraleAnalyses/riemenschneider002", "monteverdi/madrigal.4.13")
MAJOR, NATURAL_MINOR, HARMONIC_MINOR = (0, 2, 4, 5, 7, 9, 11), (0, 2, 3, 5, 7, 8, 10), (0, 2, 3, 5, 7, 8, 11)


def _corpus() -> Path:
    from music21 import corpus

    return Path(corpus.__file__).parent


def analysis_chords(rntxt: Path) -> list[dict]:
    """Every chord of the analysis: score offset in quarter notes, figure, key, vocabulary label."""
    from music21 import converter

    analysis = converter.parse(str(rntxt))
    chords = []
    for rn in analysis.recurse().getElementsByClass("RomanNumeral"):
        classes = sorted({p.pitchClass for p in rn.pitches})
        profile = np.bincount(classes, minlength=12).astype(float)
        label = CHORD_VOCABULARY[recognize_chord(profile, rn.bass().pitchClass)]
        tonic = rn.key.tonic.pitchClass
        scale = MAJOR if rn.key.mode == "major" else tuple(sorted(set(NATURAL_MINOR) | set(HARMONIC_MINOR)))
        chords.append({"offset": float(rn.getOffsetInHierarchy(analysis)), "length": float(rn.quarterLength),
                       "figure": rn.figure, "key": str(rn.key), "label": label, "pitch_classes": classes,
                       "scale": sorted((tonic + s) % 12 for s in scale)})
    return chords


def score_of(rntxt: Path) -> Path:
    """The score the analysis belongs to: the chorale by its BWV number, the madrigal beside it."""
    if rntxt.parent.name == "choraleAnalyses":
        bwv = next(line.split(":", 1)[1].strip() for line in rntxt.read_text().splitlines() if line.startswith("BWV"))
        found = sorted(rntxt.parent.parent.glob(f"bwv{bwv}.*"))
        if not found:
            raise SystemExit(f"{rntxt}: no score bwv{bwv} in the corpus")
        return found[0]
    return next(p for p in sorted(rntxt.parent.glob(rntxt.stem + ".*")) if p.suffix != ".rntxt")


def compare(piece: str, exports: Path, window: float) -> dict:
    from music21 import converter, harmony

    rntxt = _corpus() / f"{piece}.rntxt"
    score = score_of(rntxt)
    chords = analysis_chords(rntxt)
    with tempfile.TemporaryDirectory() as tmp:
        midi = Path(tmp) / f"{score.stem}.mid"
        parsed = converter.parse(str(score))
        for symbol in list(parsed.recurse().getElementsByClass(harmony.Harmony)):  # annotations, which
            symbol.activeSite.remove(symbol)  # music21 would otherwise write as held chords
        parsed.write("midi", fp=str(midi))
        out = subprocess.run([sys.executable, "-m", "ml5", "infer", str(midi), "--models", str(exports),
                              "--window", str(window), "--json"], capture_output=True, text=True, check=True)
        doc = json.loads(out.stdout)
        notes = read_midi(midi)
    rows = []
    for row in doc["rows"]:
        begin, end = (float(np.interp(t, notes.seconds(np.arange(0, notes.end.max() + 2, 0.25)),
                                      np.arange(0, notes.end.max() + 2, 0.25))) for t in (row["start"], row["end"]))
        there = [c for c in chords if c["offset"] < end and c["offset"] + c["length"] > begin]
        harmony = row["outputs"]["harmony"]
        top = int(np.argmax(harmony))
        label = CHORD_VOCABULARY[top]
        tones = chord_pitch_classes(label)
        named = any(set(c["pitch_classes"]) == set(tones) for c in there)
        in_key = bool(there) and bool(tones) and all(set(tones) <= set(c["scale"]) for c in there[:1])
        rows.append({"start": row["start"], "end": row["end"], "beats": [round(begin, 2), round(end, 2)],
                     "top1": label, "p": round(float(harmony[top]), 3), "named": named, "in_key": in_key,
                     "analysis": [f"{c['figure']} ({c['label']})" for c in there],
                     "key": there[0]["key"] if there else ""})
    return {"piece": piece, "score": str(score.relative_to(_corpus())), "windows": len(rows),
            "named_share": float(np.mean([r["named"] for r in rows])) if rows else 0.0,
            "in_key_share": float(np.mean([r["in_key"] for r in rows])) if rows else 0.0, "rows": rows}


def markdown(result: dict) -> str:
    lines = [f"### {result['piece']} ({result['score']}): {result['windows']} windows, top-1 named by the analyst "
             f"{result['named_share']:.0%}, in key {result['in_key_share']:.0%}", "",
             "| seconds | key | analysis (figure, as vocabulary chord) | model top-1 | named | in key |", "|---|---|---|---|---|---|"]
    for r in result["rows"]:
        lines.append(f"| {r['start']:.0f}–{r['end']:.0f} | {r['key']} | {', '.join(r['analysis'])} | {r['top1']} {r['p']:.2f} | "
                     f"{'yes' if r['named'] else ''} | {'yes' if r['in_key'] else 'no'} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("exports", type=Path)
    parser.add_argument("--window", type=float, default=4.0)
    parser.add_argument("--piece", action="append", help="corpus path of an .rntxt analysis, without suffix")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    results = [compare(piece, args.exports, args.window) for piece in (args.piece or PIECES)]
    print("\n\n".join(markdown(r) for r in results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
