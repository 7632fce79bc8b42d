"""The pictures of the ``ml5 infer`` page (docs/infer.md): one piece, as notes and as a piano.

    python docs/infer_pictures.py [EXPORTS_DIR] [--out docs/images]

Joplin's Maple Leaf Rag from music21's corpus (``joplin/maple_leaf_rag.mxl``: no default
training collection holds it), its first SECONDS seconds, written as a MIDI file and as a WAV
played on General MIDI program 1 (bright acoustic piano, one of
``ml5_audio.soundfont.EVALUATION_PROGRAMS``, never drawn for training) on every track, at
44,100 Hz. Each goes through ``ml5 infer FILE --models EXPORTS_DIR --window 4 --plot OUT.png``
(a real subprocess: the ``ml5`` beside this Python), which writes

- ``infer-maple-leaf-midi.png``: the MIDI path (emotion from the notes);
- ``infer-maple-leaf-piano.png``: the audio path (the EmotionRecognizer on the audio features).

EXPORTS_DIR defaults to the newest ``runs/*/exports`` (as ``ml5 infer`` picks it). The piece is
cut as the held-out evaluation cuts its pieces (``first_seconds`` of benchmarks/real_audio.py).
The files are written in a temporary folder; each picture replaces the old one in one rename.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIECE = "joplin/maple_leaf_rag.mxl"
SECONDS = 32.0
WINDOW = 4.0
RATE = 44_100
PIANO = 1  # General MIDI program 1 (0-based): bright acoustic piano
#: picture name -> the file of the piece ml5 infer reads
PICTURES = {"infer-maple-leaf-midi.png": "maple_leaf_rag.mid", "infer-maple-leaf-piano.png": "maple_leaf_rag.wav"}


def newest_exports(root: Path = Path("runs")) -> Path | None:
    """The newest ``runs/*/exports`` folder (by modification time), or None."""
    found = sorted(root.glob("*/exports"), key=lambda p: p.stat().st_mtime) if root.is_dir() else []
    return found[-1] if found else None


def _first_seconds():
    """``first_seconds`` of benchmarks/real_audio.py: the held-out evaluation's cut of a piece."""
    spec = importlib.util.spec_from_file_location("real_audio", ROOT / "benchmarks" / "real_audio.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.first_seconds


def write_piece(folder: Path) -> dict[str, Path]:
    """The piece's first SECONDS seconds as a MIDI file and as a piano WAV in ``folder``."""
    import soundfile
    from ml5_audio.soundfont import EVALUATION_PROGRAMS, midi_bytes, render
    from ml5_midi.score import piece_from_score
    from music21 import corpus

    if PIANO not in EVALUATION_PROGRAMS:  # the point of the right-hand picture: an instrument training never hears
        raise SystemExit(f"program {PIANO} is no longer one of ml5_audio.soundfont.EVALUATION_PROGRAMS {EVALUATION_PROGRAMS}")
    piece = _first_seconds()(piece_from_score(corpus.parse(PIECE)), SECONDS)
    programs = [PIANO] * len(set(piece.track.tolist()))
    midi, wav = folder / PICTURES["infer-maple-leaf-midi.png"], folder / PICTURES["infer-maple-leaf-piano.png"]
    midi.write_bytes(midi_bytes(piece, programs))
    soundfile.write(wav, render(piece, programs, rate=RATE)[: int(SECONDS * RATE)], RATE)
    return {"midi": midi, "wav": wav}


def infer_picture(file: Path, exports: Path, picture: Path, cache: Path) -> None:
    """``ml5 infer FILE --models EXPORTS --window WINDOW --plot PICTURE``, as a user runs it; its
    feature cache in ``cache`` (the file's features computed afresh, the user's cache untouched)."""
    ml5 = Path(sys.executable).parent / ("ml5.exe" if os.name == "nt" else "ml5")
    command = [str(ml5), "infer", str(file), "--models", str(exports), "--window", str(WINDOW), "--plot", str(picture)]
    result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "ML5_CACHE_DIR": str(cache)})
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed (exit {result.returncode}):\n{result.stderr[-3000:]}")


def main(argv: list[str] | None = None) -> list[Path]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("exports", nargs="?", type=Path, help="folder of exported models (default: the newest runs/*/exports)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images", help="where the pictures go (default: docs/images)")
    args = parser.parse_args(argv)
    exports = args.exports or newest_exports()
    if exports is None:
        parser.error("no exports folder: no runs/*/exports here (train with `ml5 run`) and none given as EXPORTS_DIR")
    if not exports.is_dir():
        parser.error(f"{exports} is not a folder of exported models")
    args.out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="ml5-infer-pictures-") as tmp:
        folder = Path(tmp)
        write_piece(folder)
        # the exports folder as given: the picture's title names it, and ml5 infer runs here
        for name, source in PICTURES.items():
            # ml5 infer writes the picture beside its final place, then one rename replaces the old one
            partial = args.out / f".{Path(name).stem}.partial.png"
            try:
                infer_picture(folder / source, exports, partial, folder / "cache")
                os.replace(partial, args.out / name)
            finally:
                partial.unlink(missing_ok=True)
            written.append(args.out / name)
            print(args.out / name)
    return written


if __name__ == "__main__":
    main()
