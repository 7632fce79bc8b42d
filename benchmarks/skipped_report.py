"""The run report of a Lakh-layout folder with thousands of broken files, before and after skipped
items were counted by kind of reason: report.json's size, what report.md's data section says,
and the full list in skipped.jsonl.

    python benchmarks/skipped_report.py [OUT] [--broken 3000] [--good 40] [--before 89bd3fa]
                                        [--worktree /tmp/skip-before] [--workers 1]

Not a test (it takes minutes): run it on demand. It writes the data set into OUT/data — GOOD
songs as real MIDI files (a melody over a four-chord loop) and BROKEN unusable .mid files of four
kinds (empty, cut short after the header, type 2, no note), in ``lmd_full/<hex>/<md5>.mid`` —,
checks out the commit BEFORE as a git worktree (kept and reused), and runs
``ml5 run --plugins harmony`` on it twice: with that worktree's sources on PYTHONPATH (before)
and with this checkout (after), into OUT/before and OUT/after, each with its own cache. Prints
per run the size of report.json, the skipped items it lists, its counts by kind of reason, the
data section of report.md and the lines of skipped.jsonl; all of it also in OUT/summary.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TYPE_2 = (b"MThd\x00\x00\x00\x06\x00\x02\x00\x01\x01\xe0"
          b"MTrk\x00\x00\x00\x0c\x00\x90\x3c\x40\x83\x60\x80\x3c\x00\x00\xff\x2f\x00")
NO_NOTE = b"MThd\x00\x00\x00\x06\x00\x00\x00\x01\x01\xe0MTrk\x00\x00\x00\x04\x00\xff\x2f\x00"
#: the broken files, written in turn: empty, cut short after the header, type 2, a track without a note
BROKEN = (b"", b"MThd\x00\x00\x00\x06\x00\x01\x00\x02\x01\xe0MTrk\x00\x00\x10\x00\x90", TYPE_2, NO_NOTE)
CHORDS = [(60, 64, 67), (57, 60, 64), (65, 69, 72), (55, 59, 62)]  # C, Am, F, G


def make_data(root: Path, good: int, broken: int) -> Path:
    from ml5_midi.testing import write_midi

    full = root / "lmd_full"
    for i in range(good):
        name, shift = f"{i:032x}", i % 5
        chords = [(4.0 * b, 4.0, p - 12 + shift, 70) for b in range(8) for p in CHORDS[b % 4]]
        melody = [(1.0 * k, 1.0, CHORDS[(k // 4) % 4][k % 3] + 12 + shift, 90) for k in range(32)]
        write_midi(full / name[0] / f"{name}.mid", [melody, chords], tempos=[(0, 90 + i % 40)])
    for i in range(broken):
        name = f"f{i:031x}"  # no good song's name starts with f
        path = full / f"{i % 16:x}" / f"{name}.mid"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(BROKEN[i % len(BROKEN)])
    return root


def worktree(path: Path, commit: str) -> Path:
    if not (path / "core" / "src" / "ml5").is_dir():
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(path), commit], check=True)
    return path


def run(label: str, out: Path, data: Path, sources: Path | None, workers: int) -> dict:
    """``ml5 run --plugins harmony`` on the data, with ``sources`` (a checkout) on PYTHONPATH."""
    folder = out / label
    config = out / f"{label}.toml"
    config.write_text(f'[run]\nexporters = ["rtneural"]\nverifiers = ["reference"]\n'
                      f'[train]\nepochs = 2\nbatch_size = 32\nthreads = 1\n'
                      f'[models.harmony]\ndataset = "lakh"\npath = "{data}"\n'
                      f'[models.harmony.options]\nworkers = {workers}\n')
    env = {**os.environ, "ML5_CACHE_DIR": str(out / f"cache-{label}"), "ML5_PLUGINS": "harmony,lakh,trainer,rtneural"}
    if sources is not None:
        paths = [sources / "core" / "src", *sorted((sources / "plugins").glob("*/src"))]
        env["PYTHONPATH"] = os.pathsep.join(str(p) for p in paths)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "ml5", "run", "--plugins", "harmony", "--config", str(config),
                             "--out", str(folder)], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{label}: ml5 run failed ({result.returncode}):\n{result.stderr[-3000:]}")
    report = json.loads((folder / "report.json").read_text())
    data_stats = report["models"][0]["data"]
    markdown = (folder / "report.md").read_text()
    section = markdown[markdown.index("## Data"):].split("\n## ")[0].rstrip() if "## Data" in markdown else ""
    jsonl = folder / "skipped.jsonl"
    return {
        "seconds": round(seconds, 1),
        "report_json_bytes": (folder / "report.json").stat().st_size,
        "report_md_bytes": (folder / "report.md").stat().st_size,
        "files": data_stats["files"],
        "files_skipped": data_stats["files_skipped"],
        "skipped_listed_in_report_json": len(data_stats.get("skipped", [])),
        "skipped_by_reason": data_stats.get("skipped_by_reason"),
        "skipped_jsonl_lines": len(jsonl.read_text().splitlines()) if jsonl.exists() else None,
        "report_md_data_section": section,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=Path("/tmp/skip-report"))
    parser.add_argument("--broken", type=int, default=3000)
    parser.add_argument("--good", type=int, default=40)
    parser.add_argument("--before", default="89bd3fa")
    parser.add_argument("--worktree", type=Path, default=Path("/tmp/skip-before"))
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    out = args.out.resolve()
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out} is not empty: give an empty or new folder")
    data = make_data(out / "data", args.good, args.broken)
    summary = {
        "broken": args.broken, "good": args.good,
        "before": {"commit": args.before, **run("before", out, data, worktree(args.worktree, args.before), args.workers)},
        "after": run("after", out, data, None, args.workers),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    for label in ("before", "after"):
        r = summary[label]
        print(f"## {label}: report.json {r['report_json_bytes']:,} bytes, {r['skipped_listed_in_report_json']:,} skipped "
              f"items listed of {r['files_skipped']:,}; skipped.jsonl lines: {r['skipped_jsonl_lines']}; {r['seconds']} s")
        print(f"skipped by reason: {r['skipped_by_reason']}")
        print(r["report_md_data_section"], end="\n\n")
    print(f"summary: {out / 'summary.json'}")


if __name__ == "__main__":
    main()
