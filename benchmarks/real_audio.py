"""What the chain makes of real instruments, against what it makes of the notes: held-out pieces
(composers the default run never trains on), first SECONDS seconds, each as MIDI and as audio —
ml5's additive instrument, sampled instruments on General MIDI programs held out from training
(``ml5_audio.soundfont.EVALUATION_PROGRAMS``), optionally another SoundFont — and the sampled
rendering 20 dB quieter, at 44.1 and 48 kHz, and as a 128 kbps MP3.

    python benchmarks/real_audio.py [runs/<x>/exports] [--window 4] [--seconds 64] [--soundfont X.sf2] [--json out.json] [--dev]

Every file goes through ``ml5 infer FILE... --window W --json`` (a real subprocess, the user's
path). Definitions, fixed here:

- a window is *in the key* when every tone of its top-1 chord lies in the key music21's
  ``analyze("key")`` finds for the whole piece (minor keys: natural and harmonic minor); "N" is
  not in the key;
- the windows of two files of a piece are paired by start time;
- *top-1 equal*: the share of paired windows whose top-1 chords are the same label;
- *valence r*, *arousal r*: Pearson r of the paired windows' values (a constant series gives r 0);
- *spread*: the std of valence over a piece's windows, divided by the MIDI path's;
- every figure is computed per piece; the table gives the median over pieces.

``--dev`` runs the same on DEV_PIECES, other pieces of the same composers: choose on those, and
read the held-out table once the choice is made.

The level and format rows compare each variant with the sampled rendering it was made from:
*top-1 changed* (share of windows) and *valence RMS* (difference).
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

#: held out of every training collection: the corpus default trains on Bach only (J. S. Bach;
#: C. P. E. Bach is another composer folder)
PIECES = (
    "mozart/k155/movement1.mxl",
    "haydn/opus1no1/movement1.mxl",
    "beethoven/opus18no1/movement1.mxl",
    "joplin/maple_leaf_rag.mxl",
    "schubert/Lindenbaum.xml",
    "handel/rinaldo/Lascia_chio_pianga.mxl",
    "verdi/laDonnaEMobile.mxl",
    "corelli/opus3no1/1grave.xml",
    "cpebach/h186.mxl",
    "mozart/k156/movement1.mxl",
)
#: the development pieces (``--dev``): other pieces of the same composers, never trained on
#: either. Training choices (settings, features, data) are measured on these first, so that the
#: PIECES table stays a test and not a figure the choices were fitted to
DEV_PIECES = (
    "mozart/k458/movement1.mxl",
    "mozart/k545/movement1_exposition.mxl",
    "mozart/k80/movement1.mxl",
    "haydn/opus74no1/movement1.mxl",
    "haydn/opus74no1/movement4.mxl",
    "haydn/opus1no1/movement3.mxl",
    "beethoven/opus59no1/movement1.mxl",
    "beethoven/opus18no3.mxl",
    "beethoven/opus59no2/movement1.mxl",
    "mozart/k458/movement4.mxl",
)
MAJOR, HARMONIC_MINOR, NATURAL_MINOR = (0, 2, 4, 5, 7, 9, 11), (0, 2, 3, 5, 7, 8, 11), (0, 2, 3, 5, 7, 8, 10)


def key_tones(score) -> frozenset[int]:
    key = score.analyze("key")
    steps = MAJOR if key.mode == "major" else HARMONIC_MINOR + NATURAL_MINOR
    return frozenset((key.tonic.pitchClass + s) % 12 for s in steps)


def first_seconds(piece, seconds: float):
    """The piece's notes that start within its first ``seconds`` (``Piece.around`` up to the last
    such onset, in beats)."""
    return piece.around(0.0, float(piece.start[piece.seconds(piece.start) < seconds].max()))


def write_files(path: str, folder: Path, seconds: float, soundfont: Path | None) -> tuple[dict[str, Path], frozenset[int]]:
    """The piece as MIDI and every audio variant, in ``folder``; and its key's tones."""
    import pedalboard
    import soundfile
    import soxr
    from ml5_audio import render as additive
    from ml5_audio.features import SAMPLE_RATE
    from ml5_audio.soundfont import EVALUATION_PROGRAMS, midi_bytes, render
    from ml5_midi.score import piece_from_score
    from music21 import corpus

    score = corpus.parse(path)
    piece = first_seconds(piece_from_score(score), seconds)
    tracks = len(set(piece.track.tolist()))
    programs = [EVALUATION_PROGRAMS[k % len(EVALUATION_PROGRAMS)] for k in range(tracks)]
    files = {"midi": folder / "piece.mid"}
    files["midi"].write_bytes(midi_bytes(piece, programs))
    n = int(seconds * SAMPLE_RATE)

    def wav(name: str, samples: np.ndarray, rate: int = SAMPLE_RATE) -> None:
        files[name] = folder / f"{name}.wav"
        soundfile.write(files[name], samples[: int(seconds * rate)], rate)

    wav("additive", additive.render(piece)[:n])
    sampled = render(piece, programs)[:n]
    wav("sampled", sampled)
    if soundfont is not None:
        wav("other soundfont", render(piece, programs, soundfont=soundfont)[:n])
    wav("sampled −20 dB", sampled * np.float32(10 ** (-20 / 20)))
    for rate in (44_100, 48_000):
        wav(f"sampled {rate / 1000:g} kHz", render(piece, programs, rate=rate), rate)
    files["sampled MP3 128k"] = folder / "sampled-mp3.mp3"
    source = soxr.resample(sampled, SAMPLE_RATE, 44_100)
    with pedalboard.io.AudioFile(str(files["sampled MP3 128k"]), "w", 44_100, 1, quality="128k") as out:
        out.write(source[None, :])
    return files, key_tones(score)


def infer(models: Path | None, files: list[Path], window: float) -> dict[Path, list[dict]]:
    command = [sys.executable, "-m", "ml5", "infer", *map(str, files), "--window", str(window), "--json"]
    if models is not None:
        command += ["--models", str(models)]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"ml5 infer failed (exit {result.returncode}):\n{result.stderr[-3000:]}")
    out = {}
    for line in result.stdout.splitlines():
        report = json.loads(line)
        out[Path(report["input"])] = report["rows"]
    return out


def windows(rows: list[dict], seconds: float) -> dict[float, tuple[str, float, float]]:
    """start -> (top-1 chord label, valence, arousal) of the whole windows within ``seconds``."""
    return {round(r["start"], 3): (CHORD_VOCABULARY[int(np.argmax(r["outputs"]["harmony"]))], float(r["valence"]),
                                   float(r["arousal"]))
            for r in rows if r["end"] <= seconds + 1e-6}


def pearson(a: list[float], b: list[float]) -> float:
    if len(a) < 2 or np.std(a) == 0 or np.std(b) == 0:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


def compare(reference: dict, other: dict, key: frozenset[int]) -> dict[str, float]:
    paired = sorted(set(reference) & set(other))
    ref_chords, chords = [reference[s][0] for s in paired], [other[s][0] for s in paired]
    ref_val, val = [reference[s][1] for s in paired], [other[s][1] for s in paired]
    ref_aro, aro = [reference[s][2] for s in paired], [other[s][2] for s in paired]
    return {
        "windows": len(paired),
        "in_key": float(np.mean([bool(chord_pitch_classes(c)) and chord_pitch_classes(c) <= key for c in chords])),
        "top1_equal": float(np.mean([a == b for a, b in zip(ref_chords, chords)])),
        "top1_changed": float(np.mean([a != b for a, b in zip(ref_chords, chords)])),
        "valence_r": pearson(ref_val, val),
        "valence_rms": float(np.sqrt(np.mean((np.asarray(ref_val) - np.asarray(val)) ** 2))),
        "arousal_r": pearson(ref_aro, aro),
        "spread": float(np.std(val)),
        "spread_ratio": float(np.std(val) / np.std(ref_val)) if np.std(ref_val) > 0 else float("nan"),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="?", type=Path, help="exports folder (default: ml5 infer's, the newest run)")
    parser.add_argument("--window", type=float, default=4.0)
    parser.add_argument("--seconds", type=float, default=64.0)
    parser.add_argument("--pieces", type=int, help="the first N pieces only")
    parser.add_argument("--dev", action="store_true", help="the development pieces (DEV_PIECES) instead of the held-out ones")
    parser.add_argument("--soundfont", type=Path, help="a SoundFont never used in training")
    parser.add_argument("--json", type=Path, help="also write the per-piece figures here")
    args = parser.parse_args(argv)
    per_piece: dict[str, dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        made = {}
        for k, path in enumerate((DEV_PIECES if args.dev else PIECES)[: args.pieces]):
            folder = Path(tmp) / str(k)
            folder.mkdir()
            made[path] = write_files(path, folder, args.seconds, args.soundfont)
        results = infer(args.models, [f for files, _ in made.values() for f in files.values()], args.window)
        for path, (files, key) in made.items():
            midi = windows(results[files["midi"]], args.seconds)
            sampled = windows(results[files["sampled"]], args.seconds)
            per_piece[path] = {"midi": compare(midi, midi, key)}
            for name, file in files.items():
                if name == "midi":
                    continue
                figures = compare(midi, windows(results[file], args.seconds), key)
                if name.startswith("sampled "):  # level and format: against the rendering they come from
                    against = compare(sampled, windows(results[file], args.seconds), key)
                    figures.update(top1_changed=against["top1_changed"], valence_rms=against["valence_rms"])
                per_piece[path][name] = figures
    names = list(next(iter(per_piece.values())))

    def median(name: str, figure: str) -> float:
        return float(np.nanmedian([per_piece[p][name][figure] for p in per_piece]))

    print(f"{len(per_piece)} {'development' if args.dev else 'held-out'} pieces, first {args.seconds:g} s, {args.window:g} s windows; medians over pieces\n")
    print("| input | windows in the key | top-1 equal to the MIDI path's | valence r with the MIDI path | "
          "arousal r | valence spread (× MIDI's) | top-1 changed vs sampled | valence RMS vs sampled |")
    print("|---|---|---|---|---|---|---|---|")
    for name in names:
        variant = name.startswith("sampled ")
        print(f"| {name} | {median(name, 'in_key'):.0%} | "
              + ("— | — | — | " if name == "midi" else
                 f"{median(name, 'top1_equal'):.0%} | {median(name, 'valence_r'):.2f} | {median(name, 'arousal_r'):.2f} | ")
              + f"{median(name, 'spread'):.2f} ({median(name, 'spread_ratio'):.2f}×) | "
              + (f"{median(name, 'top1_changed'):.0%} | {median(name, 'valence_rms'):.3f} |" if variant else "— | — |"))
    if args.json:
        args.json.write_text(json.dumps(per_piece, indent=1))
    return per_piece


if __name__ == "__main__":
    main()
