"""The audio path in C++ on a real rendered piece, on demand:

    python benchmarks/audio_frontend.py [EXPORTS] [--seconds 60] [--build DIR] [--json OUT]

1. The example host (native/examples/host, built here in Release against the source tree)
   plays a held-out piece (the Maple Leaf Rag, sampled piano on a program training never
   draws), rendered at 48 kHz stereo, through its 256-sample callback paced in real time, with
   rows of 4 s every 1 s (a plugin's setting) and every 4 s: the front end's and the whole
   callback's p50/p99/max per callback, the front end's p99 as a share of the block's 5.33 ms,
   missed callbacks, allocations counted on the audio thread.
2. The same file's features offline: the C++ front end (``ml5_native.analyse_audio``) against
   the Python definition (``ml5 infer``'s reading: ``ml5_audio.features``), seconds of audio
   per second of each and their ratio, in one run; and the largest difference of their rows.

EXPORTS: a run's exports (default: the newest runs/*/exports, else random weights).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RATE = 48_000


def render(path: Path, seconds: float) -> None:
    import soundfile
    from ml5_audio.soundfont import EVALUATION_PROGRAMS
    from ml5_audio.soundfont import render as sampled
    from ml5_midi.score import piece_from_score
    from music21 import corpus

    piece = piece_from_score(corpus.parse("joplin/maple_leaf_rag"))
    tracks = len(set(piece.track.tolist()))
    mono = sampled(piece, [EVALUATION_PROGRAMS[0]] * tracks, rate=RATE)[: int(seconds * RATE)]
    soundfile.write(path, np.stack([mono, mono * 0.9], axis=1) * 0.8, RATE, subtype="PCM_24")


def build_host(build: Path) -> Path:
    subprocess.run(["cmake", "-S", ROOT / "native" / "examples" / "host", "-B", build, "-DCMAKE_BUILD_TYPE=Release",
                    f"-DML5_HOST_RUNTIME_SOURCE={ROOT / 'native'}"], check=True, capture_output=True)
    subprocess.run(["cmake", "--build", build, "-j2"], check=True, capture_output=True)
    return build / "ml5-example-host"


def exports_folder(given: str | None, scratch: Path) -> Path:
    if given:
        return Path(given)
    runs = sorted(Path("runs").glob("*/exports"), key=lambda p: p.stat().st_mtime) if Path("runs").is_dir() else []
    if runs:
        return runs[-1]
    from ml5_audio.testing import random_exports

    return random_exports(scratch / "exports")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exports", nargs="?")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--build", type=Path, help="where to build the example host (default: a temporary folder)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ml5-audio-bench-") as scratch_name:
        scratch = Path(scratch_name)
        exports = exports_folder(args.exports, scratch)
        piece = scratch / "maple_leaf_rag-48k.wav"
        render(piece, args.seconds)
        host = build_host(args.build or scratch / "host")
        out: dict = {"exports": str(exports), "seconds": args.seconds, "host": {}}
        for hop in (1.0, 4.0):
            result = subprocess.run([host, exports, "--play", piece, "--window", "4", "--hop", str(hop), "--json"],
                                    capture_output=True, text=True)
            report = json.loads(result.stdout)
            report.pop("timeline")
            out["host"][f"hop {hop:g} s"] = report
            print(f"example host, rows of 4 s every {hop:g} s: front end p99 {report['front_end_us']['p99']:.1f} us "
                  f"({100 * report['front_end_us']['p99_share_of_block']:.2f}% of the 5.33 ms block), max "
                  f"{report['front_end_us']['max']:.1f} us; callback p99 {report['callback_us']['p99']:.1f} us; "
                  f"{report['missed']} missed of {report['callbacks']}; {report['audio_thread_allocations']} allocations "
                  f"on the audio thread; audio thread {'real-time' if report['audio_thread_realtime'] else 'normal priority'}")
        # offline: C++ against Python on the same decoded samples
        import ml5_native
        import soundfile
        from ml5_audio.infer import _audio_inputs

        samples, rate = soundfile.read(piece, dtype="float32", always_2d=True)
        timings = {"python": [], "c++": []}
        for _ in range(3):
            t0 = time.perf_counter()
            reference = _audio_inputs(piece, 4.0)
            t1 = time.perf_counter()
            rows = ml5_native.analyse_audio(samples, rate, 4.0, 4096)
            t2 = time.perf_counter()
            timings["python"].append(t1 - t0)
            timings["c++"].append(t2 - t1)
        python_s, native_s = min(timings["python"]), min(timings["c++"])
        difference = float(np.abs(rows["raw"] - reference["features"]).max())
        out["offline"] = {"python_s": python_s, "native_s": native_s, "native_speedup": python_s / native_s,
                          "audio_seconds_per_second": {"python": args.seconds / python_s, "c++": args.seconds / native_s},
                          "largest_raw_difference": difference}
        print(f"offline, {args.seconds:g} s at 48 kHz stereo (decoded once): Python {args.seconds / python_s:.0f}x real "
              f"time, C++ {args.seconds / native_s:.0f}x real time (C++ {python_s / native_s:.2f}x faster, best of 3); "
              f"largest raw feature difference {difference:.2g}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
