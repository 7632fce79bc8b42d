"""The per-file pool and cache: counted cache hits, recomputation on a changed file or setting,
skip bookkeeping, and a run killed with SIGKILL that leaves nothing half-written to read back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from ml5.filework import cache_root, process_files

WORK = textwrap.dedent(
    """
    import time
    import numpy as np
    from ml5.filework import SkipFile

    def work(path, settings):
        data = open(path, "rb").read()
        if data.startswith(b"CRASH"):  # a reader that segfaults on this file
            import os, signal
            os.kill(os.getpid(), signal.SIGSEGV)
        if data.startswith(b"BAD"):
            raise SkipFile("starts with BAD")
        time.sleep(settings.get("sleep", 0))
        return {"length": np.array([len(data)]), "scaled": np.arange(len(data)) * settings["scale"]}
    """
)


@pytest.fixture
def work(tmp_path, monkeypatch):
    """An importable work function (workers are spawned and import it by name)."""
    folder = tmp_path / "mod"
    folder.mkdir()
    (folder / "filework_sample.py").write_text(WORK)
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(folder), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("ML5_CACHE_DIR", str(tmp_path / "cache"))
    import filework_sample

    return filework_sample.work


def _files(folder: Path, n: int) -> list[Path]:
    folder.mkdir(exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"f{i:02d}.bin"
        path.write_bytes(b"x" * (i + 1))
        paths.append(path)
    return paths


def test_second_run_reads_everything_from_cache(work, tmp_path):
    files = _files(tmp_path / "data", 6)
    (tmp_path / "data" / "bad.bin").write_bytes(b"BAD file")
    files.append(tmp_path / "data" / "bad.bin")
    first = process_files(work, files, settings={"scale": 2}, namespace="t", workers=2, root=tmp_path / "data")
    assert (first.computed, first.from_cache) == (7, 0)
    assert [s.file for s in first.skipped] == ["bad.bin"] and first.skipped[0].reason == "starts with BAD"
    assert [int(a["length"][0]) for _, a in first.results] == [1, 2, 3, 4, 5, 6]
    second = process_files(work, files, settings={"scale": 2}, namespace="t", workers=1, root=tmp_path / "data")
    assert (second.computed, second.from_cache) == (0, 7)  # the skip verdict is cached too
    assert [s.file for s in second.skipped] == ["bad.bin"]
    for (_, a), (_, b) in zip(first.results, second.results):
        assert np.array_equal(a["scaled"], b["scaled"])


def test_a_changed_file_or_setting_is_recomputed(work, tmp_path):
    files = _files(tmp_path / "data", 4)
    process_files(work, files, settings={"scale": 2}, namespace="t", workers=1)
    files[1].write_bytes(b"changed content")
    again = process_files(work, files, settings={"scale": 2}, namespace="t", workers=1)
    assert (again.computed, again.from_cache) == (1, 3)
    assert int(again.results[1][1]["length"][0]) == len(b"changed content")
    rescaled = process_files(work, files, settings={"scale": 3}, namespace="t", workers=1)
    assert (rescaled.computed, rescaled.from_cache) == (4, 0)
    assert rescaled.results[2][1]["scaled"].tolist() == [0, 3, 6]


def test_unreadable_file_is_skipped_not_fatal(work, tmp_path):
    files = _files(tmp_path / "data", 2) + [tmp_path / "data" / "gone.bin"]
    out = process_files(work, files, settings={"scale": 1}, namespace="t", workers=1, root=tmp_path / "data")
    assert len(out.results) == 2 and out.skipped[0].file == "gone.bin" and "cannot read" in out.skipped[0].reason


def test_a_file_that_kills_its_worker_is_skipped_and_named(work, tmp_path):
    files = _files(tmp_path / "data", 20)
    for name in ("crash_a.bin", "crash_b.bin"):
        (tmp_path / "data" / name).write_bytes(b"CRASH")
    files[5:5] = [tmp_path / "data" / "crash_a.bin"]
    files.append(tmp_path / "data" / "crash_b.bin")
    out = process_files(work, files, settings={"scale": 3}, namespace="t", workers=2, root=tmp_path / "data")
    assert [s.file for s in out.skipped] == ["crash_a.bin", "crash_b.bin"]
    assert all("died" in s.reason for s in out.skipped)
    # every other file is read, once each and in order, after the pool was rebuilt
    assert [int(a["length"][0]) for _, a in out.results] == list(range(1, 21))
    assert out.computed == 22


def test_keep_holds_only_what_is_asked_and_the_cache_keeps_all(work, tmp_path):
    files = _files(tmp_path / "data", 4)
    kept = process_files(work, files, settings={"scale": 1}, namespace="t", workers=1,
                         keep=lambda arrays: {"length": arrays["length"]})
    assert all(set(a) == {"length"} for _, a in kept.results)
    again = process_files(work, files, settings={"scale": 1}, namespace="t", workers=1)
    assert again.from_cache == 4 and all(set(a) == {"length", "scaled"} for _, a in again.results)


def test_killed_run_leaves_no_entry_that_is_read_back(work, tmp_path):
    files = _files(tmp_path / "data", 12)
    script = tmp_path / "run.py"
    script.write_text(
        "import sys\nfrom pathlib import Path\nfrom ml5.filework import process_files\nfrom filework_sample import work\n"
        f"process_files(work, sorted(Path({str(tmp_path / 'data')!r}).iterdir()), settings={{'scale': 5, 'sleep': 0.25}},"
        " namespace='t', workers=1)\n"
    )
    proc = subprocess.Popen([sys.executable, str(script)], stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    entries = cache_root() / "t"
    deadline = time.time() + 60
    while time.time() < deadline and len(list(entries.rglob("*.npz"))) < 3:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = list(entries.rglob("*.npz"))
    assert 3 <= len(done) < 12, "the run should have been killed part-way"
    # what a kill can leave is a temp file; plant one where an entry would go, as a kill mid-write would
    leftover = done[0].parent / f".{done[0].name}.abc123.tmp"
    leftover.write_bytes(b"half an archive")
    resumed = process_files(work, files, settings={"scale": 5, "sleep": 0}, namespace="t", workers=1)
    # 'sleep' is a setting, so that run has its own cache: compare like with like
    assert resumed.computed == 12
    again = process_files(work, files, settings={"scale": 5, "sleep": 0.25}, namespace="t", workers=1)
    assert again.from_cache == len(done) and again.computed == 12 - len(done)
    assert [int(a["length"][0]) for _, a in again.results] == list(range(1, 13))
    assert all(a["scaled"].tolist() == [5 * i for i in range(len(a["scaled"]))] for _, a in again.results)


def test_a_damaged_entry_is_computed_again(work, tmp_path):
    files = _files(tmp_path / "data", 3)
    process_files(work, files, settings={"scale": 2}, namespace="t", workers=1)
    for entry in (cache_root() / "t").rglob("*.npz"):
        entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])  # a copy cut short
    again = process_files(work, files, settings={"scale": 2}, namespace="t", workers=1)
    assert (again.computed, again.from_cache, again.skipped) == (3, 0, [])
    assert [int(a["length"][0]) for _, a in again.results] == [1, 2, 3]


def test_atomic_files_get_the_permissions_open_would_give(tmp_path):
    import os

    from ml5.atomic import atomic_write

    previous = os.umask(0o022)
    try:
        atomic_write(tmp_path / "a.json", "{}")
    finally:
        os.umask(previous)
    assert (tmp_path / "a.json").stat().st_mode & 0o777 == 0o644
