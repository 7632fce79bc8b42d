"""The Lakh reader on small copies of lmd_full and lmd_matched, with the odd files the real one
holds: broken, empty, type 2, an absurd tempo, drums only, hundreds of tracks, a duplicate."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from ml5.music import CHORD_VOCABULARY
from ml5.testing import DatasetContract, open_dataset, run_cli
from ml5_lakh import index
from ml5_midi.testing import drum_bar, write_midi

PROGRESSIONS = [(60, 64, 67), (57, 60, 64), (65, 69, 72), (55, 59, 62)]  # C, Am, F, G


def _song(seed: int) -> list[list[tuple[float, float, int, int]]]:
    """Eight bars: a melody over the four-chord loop, transposed by the seed."""
    shift = seed % 5
    chords = [(4.0 * b, 4.0, p - 12 + shift, 70) for b in range(8) for p in PROGRESSIONS[b % 4]]
    melody = [(1.0 * i, 1.0, PROGRESSIONS[(i // 4) % 4][i % 3] + 12 + shift, 90) for i in range(32)]
    return [melody, chords]


def _md5(i: int) -> str:
    return f"{i:032x}"


def make_lakh(root: Path) -> Path:
    full = root / "lmd_full"
    for i in range(12):
        name = _md5(i)
        write_midi(full / name[0] / f"{name}.mid", _song(i), tempos=[(0, 90 + 5 * i)])
    odd = {  # the odd files, each in its own hex folder
        "a": lambda p: p.write_bytes(b"MThd\x00\x00\x00\x06\x00\x01\x00\x02\x01\xe0MTrk\x00\x00\x10\x00\x90"),  # broken
        "b": lambda p: p.write_bytes(b""),  # empty
        "c": lambda p: p.write_bytes(b"MThd\x00\x00\x00\x06\x00\x02\x00\x01\x01\xe0"
                                     b"MTrk\x00\x00\x00\x0c\x00\x90\x3c\x40\x83\x60\x80\x3c\x00\x00\xff\x2f\x00"),  # type 2
        "d": lambda p: write_midi(p, _song(1), tempos=[(0, 4000)]),  # absurd tempo
        "e": lambda p: write_midi(p, [[n for b in range(4) for n in drum_bar(b)]], drums=[True]),  # drums only
        "f": lambda p: write_midi(p, [[(float(t % 32), 1.0, 40 + t % 40, 60)] for t in range(300)]),  # 300 tracks
    }
    for letter, make in odd.items():
        path = full / letter / f"{letter * 32}.mid"
        path.parent.mkdir(parents=True, exist_ok=True)
        make(path)
    return root


def _reasons(data) -> dict[str, str]:
    return {Path(s["file"]).name[:1]: s["reason"] for s in data.stats["skipped"]}


class TestLakh(DatasetContract):
    dataset_name = "lakh"

    def make_dataset(self, tmp_path):
        return make_lakh(tmp_path)

    def options(self):
        return {"workers": 1}


def test_odd_files_skipped_with_reasons(tmp_path):
    data = open_dataset("lakh", "harmony", make_lakh(tmp_path), workers=1)
    reasons = _reasons(data)
    assert "not a readable MIDI file" in reasons["a"] and "not a readable MIDI file" in reasons["b"]
    assert reasons["c"] == "type-2 MIDI file (independent sequences), not one piece"
    assert reasons["d"].startswith("absurd tempo 4000.0 quarter notes per minute")
    assert reasons["e"] == "drums only: no pitch for harmony"
    assert "f" not in reasons  # hundreds of tracks: read like any other file
    assert data.stats["files"] == 18 and data.stats["files_skipped"] == 5
    assert data.description.startswith("lakh: ") and "drums only" not in data.description


def test_chords_of_the_loop(tmp_path):
    data = open_dataset("lakh", "harmony", make_lakh(tmp_path), workers=1)
    # the first song (shift 0): bars 2-8 of C, Am, F, G, C, Am, F, G (bar 1 has no bar before it)
    first = [CHORD_VOCABULARY[i] for i in data.targets[:7].argmax(axis=1)]
    assert first == ["A:min", "F:maj", "G:maj", "C:maj", "A:min", "F:maj", "G:maj"]
    assert np.isin(data.split, ["train", "validation"]).all()


def test_a_song_matched_to_two_tracks_is_read_once(tmp_path):
    matched = tmp_path / "lmd_matched"
    for track in ("TRAAAAA128F9300001", "TRAAAAB128F9300002"):
        write_midi(matched / "A" / "A" / "A" / track / f"{_md5(7)}.mid", _song(7))
    write_midi(matched / "B" / "C" / "D" / "TRBCDXX128F9300003" / f"{_md5(8)}.mid", _song(8))
    found = index(tmp_path, {})
    assert [f.stem for f in found.files] == [_md5(7), _md5(8)] and found.root == matched


def test_examples_per_file_are_capped_evenly(tmp_path):
    root = make_lakh(tmp_path)
    whole = open_dataset("lakh", "harmony", root, workers=1)
    capped = open_dataset("lakh", "harmony", root, workers=1, max_examples_per_file=2)
    # the first song has 7 harmony bars (A:min F G C A:min F G); two evenly spaced: the first, the last
    assert [CHORD_VOCABULARY[i] for i in capped.targets[:2].argmax(axis=1)] == ["A:min", "G:maj"]
    # 12 songs and the 300-track file give examples; each now at most 2
    assert len(capped.inputs) == 2 * 13 < len(whole.inputs)
    assert capped.stats["files_used"] == whole.stats["files_used"] == 13


def test_an_interrupted_read_resumes_from_the_cache(tmp_path):
    """``ml5 datasets lakh FOLDER --stats`` killed part-way through; the next run reads what was
    done from the cache, computes only the rest, and ends with the statistics of a run never cut."""
    import json
    import os
    import signal
    import subprocess
    import sys
    import time

    root = tmp_path / "lakh"
    for i in range(80):
        write_midi(root / "lmd_full" / _md5(i)[0] / f"{_md5(i)}.mid", _song(i), tempos=[(0, 90 + i)])
    (root / "lmd_full" / "f").mkdir()
    (root / "lmd_full" / "f" / f"{'f' * 32}.mid").write_bytes(b"")  # one broken file: its verdict is cached too
    cache = tmp_path / "cut"
    command = [sys.executable, "-m", "ml5", "datasets", "lakh", str(root), "--stats", "--json", "-O", "workers=1"]
    env = {**os.environ, "ML5_CACHE_DIR": str(cache)}
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and len(list(cache.rglob("*.npz"))) < 10:
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = len(list(cache.rglob("*.npz"))) + len(list(cache.rglob("*.skip.json")))
    assert 10 <= done < 81, "the read should have been killed part-way"
    resumed = json.loads(subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout)
    assert (resumed["files"]["from_cache"], resumed["files"]["computed"]) == (done, 81 - done)
    clean = json.loads(subprocess.run(command, env={**os.environ, "ML5_CACHE_DIR": str(tmp_path / "clean")},
                                      capture_output=True, text=True, check=True).stdout)
    for stats in (resumed, clean):
        del stats["files"]["from_cache"], stats["files"]["computed"]
    assert resumed == clean
    assert clean["files"]["files_used"] == 80 and clean["files"]["skipped"][0]["file"] == f"f/{'f' * 32}.mid"


def _broken_files(full: Path, each: int) -> dict[str, int]:
    """``each`` small unusable .mid files of three kinds in the hex folders of ``full``: empty,
    type 2, and a valid file without a note. Returns how many of each kind of reason."""
    contents = {
        "e": b"",
        "c": b"MThd\x00\x00\x00\x06\x00\x02\x00\x01\x01\xe0MTrk\x00\x00\x00\x0c\x00\x90\x3c\x40\x83\x60\x80\x3c\x00\x00\xff\x2f\x00",
        "9": b"MThd\x00\x00\x00\x06\x00\x00\x00\x01\x01\xe0MTrk\x00\x00\x00\x04\x00\xff\x2f\x00",  # one track, no note
    }
    for i in range(each):
        for first, content in contents.items():
            name = f"{first}{i:031x}"
            (full / first).mkdir(parents=True, exist_ok=True)
            (full / first / f"{name}.mid").write_bytes(content)
    return {"not a readable MIDI file": each, "type-2 MIDI file, not one piece": each, "no notes": each}


def test_a_run_over_hundreds_of_broken_files_keeps_the_report_bounded(tmp_path):
    """`ml5 run` on a Lakh folder with 300 broken files: report.json counts them all by kind of
    reason and lists the first N of each, skipped.jsonl holds every one, report.md and the
    console show the counts and where the full list is."""
    import json

    pytest.importorskip("ml5_trainer")
    root = make_lakh(tmp_path / "data")
    kinds = _broken_files(root / "lmd_full", 100)
    # make_lakh's own odd files: broken and empty (unreadable), type 2, an absurd tempo, drums only
    kinds["not a readable MIDI file"] += 2
    kinds["type-2 MIDI file, not one piece"] += 1
    kinds.update({"absurd tempo N quarter notes per minute": 1, "drums only": 1})
    config = tmp_path / "ml5.toml"
    config.write_text(f'[run]\nexporters = ["rtneural"]\nverifiers = ["reference"]\n[report]\nskipped_per_reason = 20\n'
                      f'[train]\nepochs = 2\nbatch_size = 16\nthreads = 1\n[models.harmony]\ndataset = "lakh"\npath = "{root}"\n'
                      '[models.harmony.options]\nworkers = 1\n')
    out = tmp_path / "run"
    result = run_cli("run", "--plugins", "harmony", "--config", str(config), "--out", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((out / "report.json").read_text())
    data = report["models"][0]["data"]
    total = sum(kinds.values())
    assert (data["files"], data["files_skipped"], data["skipped_total"]) == (318, total, total)
    assert data["skipped_by_reason"] == dict(sorted(kinds.items(), key=lambda pair: (-pair[1], pair[0])))
    listed = [item["kind"] for item in data["skipped"]]
    assert {kind: listed.count(kind) for kind in kinds} == {kind: min(20, n) for kind, n in kinds.items()}
    assert report["skipped_total"] == total and report["skipped_file"] == "skipped.jsonl"
    lines = [json.loads(line) for line in (out / "skipped.jsonl").read_text().splitlines()]
    assert len(lines) == total and {line["kind"] for line in lines} == set(kinds)
    assert all(line["model"] == "harmony" and line["dataset"] == "lakh" and line["reason"] for line in lines)
    assert len({line["file"] for line in lines}) == total
    markdown = (out / "report.md").read_text()
    assert "skipped by reason (305 in all): not a readable MIDI file 102; type-2 MIDI file, not one piece 101; " \
           "no notes 100; absurd tempo N quarter notes per minute 1; drums only 1" in markdown
    assert "`skipped.jsonl`" in markdown and markdown.count("  - skipped `") == 3 + 3 + 3 + 1 + 1
    assert "skipped by reason (305 in all)" in result.stdout
    assert f"305 skipped files, rows and tunes (each model's counted apart), each with its reason: {out / 'skipped.jsonl'}" in result.stderr
