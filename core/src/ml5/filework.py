"""Slow per-file work for dataset plugins: a process pool over all cores with a progress bar,
an on-disk cache, and skipped-file bookkeeping.

A dataset plugin writes one module-level function ``work(path: str, settings: dict) -> dict of
numpy arrays`` (it runs in worker processes, so it must be importable) and calls
``process_files(work, files, settings=…, namespace=…)``. The function raises ``SkipFile(reason)``
for a file that cannot be used (corrupt, empty, wrong kind): the file is counted and named with
the reason, and the run goes on.

The cache lives under ``$ML5_CACHE_DIR`` (default ``$XDG_CACHE_HOME/ml5``, else ``~/.cache/ml5``):
``<namespace>/<settings hash>/<content hash[:2]>/<content hash>.npz``. The key is the file's
SHA-256 together with every setting that shapes the result (the plugin puts a version of its
code in ``settings``), so a changed file or setting is recomputed. Entries are written to a temp
file and renamed: a killed run leaves only temp files, which are never read back. Entries are
``np.savez`` archives read with ``allow_pickle=False``: data, never code.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import attrs

from ml5.atomic import atomic_open

#: results of one file: named numpy arrays
Arrays = dict[str, Any]


class SkipFile(Exception):
    """Raised by a per-file function for a file it cannot use; the message is the reason.
    The verdict depends only on the file's content and the settings, so it is cached too."""


@attrs.frozen
class Skipped:
    file: str
    reason: str


@attrs.frozen
class FileResults:
    """What ``process_files`` returns: per usable file its arrays, in the order given."""

    results: list[tuple[Path, Arrays]]
    skipped: list[Skipped]
    from_cache: int  # files whose result (or skip verdict) was read from the cache
    computed: int  # files processed now
    seconds: float

    def summary(self) -> dict[str, Any]:
        """For ``Data.stats`` and the run report."""
        return {
            "files": len(self.results) + len(self.skipped),
            "files_used": len(self.results),
            "files_skipped": len(self.skipped),
            "from_cache": self.from_cache,
            "computed": self.computed,
            "skipped": [attrs.asdict(s) for s in self.skipped],
        }


def cache_root() -> Path:
    if os.environ.get("ML5_CACHE_DIR"):
        return Path(os.environ["ML5_CACHE_DIR"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "ml5"


def settings_key(settings: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _entry(folder: Path, digest: str, suffix: str) -> Path:
    return folder / digest[:2] / f"{digest}{suffix}"


def _read_entry(path: Path) -> Arrays | None:
    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}
    except Exception:  # a damaged entry (disk trouble, a copy cut short …): compute it again
        return None


def _store(path: Path, write: Callable[[Any], None], mode: str) -> None:
    """Write a cache entry atomically; a cache that cannot be written (full disk, read-only)
    costs the next run time, never this run its result."""
    try:
        with atomic_open(path, mode) as f:
            write(f)
    except OSError:
        pass


def _lookup(path: str, folder: Path | None) -> tuple[str | None, tuple[str, Any] | None]:
    """In the parent: the file's digest, and its outcome if the cache already holds one (so a
    cached run starts no worker at all)."""
    try:
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError as exc:
        return None, ("skip", f"cannot read: {exc.strerror or exc}")
    if folder is not None:
        done, skip = _entry(folder, digest, ".npz"), _entry(folder, digest, ".skip.json")
        if done.exists() and (cached := _read_entry(done)) is not None:
            return digest, ("cached", cached)
        if skip.exists():
            try:
                return digest, ("skip-cached", json.loads(skip.read_text())["reason"])
            except (OSError, ValueError, KeyError):
                pass
    return digest, None


def _compute(func: Callable[[str, dict], Arrays], path: str, settings: dict, folder: str | None, digest: str) -> tuple[str, Any]:
    """Runs in a worker: ("computed", arrays) or ("skip", reason), stored in the cache."""
    import numpy as np

    entries = Path(folder) if folder else None
    try:
        arrays = func(path, settings)
    except SkipFile as exc:
        reason = str(exc)
        if entries is not None:
            _store(_entry(entries, digest, ".skip.json"), lambda f: json.dump({"file": path, "reason": reason}, f), "w")
        return "skip", reason
    except Exception as exc:  # a reader bug or an input no reader foresaw: skipped, not cached
        return "skip", f"{type(exc).__name__}: {exc}"
    if entries is not None:
        _store(_entry(entries, digest, ".npz"), lambda f: np.savez(f, **arrays), "wb")
    return "computed", arrays


def _one_thread_each() -> None:
    """Worker start: one BLAS/OpenMP thread per worker — the pool already fills the cores, and
    numpy's threads in every worker would fight over them (measured: no gain from 2 workers
    until this). Set before numpy is imported here; threadpoolctl covers it if it already was."""
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(1)


def _star(job: tuple) -> tuple[str, Any]:
    return _compute(*job)


def _workers(requested: int, jobs: int) -> int:
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(requested or available, jobs))


def process_files(
    func: Callable[[str, dict], Arrays],
    files: Sequence[Path],
    *,
    settings: Mapping[str, Any],
    namespace: str,
    workers: int = 0,
    cache: bool = True,
    description: str = "",
    root: Path | None = None,
) -> FileResults:
    """Run ``func(path, settings)`` on every file, over ``workers`` processes (0 = all cores),
    reading from and writing to the cache. Skipped files are named relative to ``root``."""
    started = time.perf_counter()
    settings = dict(settings)
    folder = cache_root() / namespace / settings_key(settings) if cache else None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    outcomes: list[tuple[str, Any] | None] = [None] * len(files)
    pending: list[tuple[int, tuple]] = []
    skipped_so_far = 0
    with _progress(description or namespace) as progress:
        task = progress.add_task(description or namespace, total=len(files), skipped=0)
        for i, path in enumerate(files):
            digest, outcome = _lookup(str(path), folder)
            if outcome is None:
                pending.append((i, (func, str(path), settings, str(folder) if folder else None, digest)))
                continue
            outcomes[i] = outcome
            skipped_so_far += outcome[0].startswith("skip")
            progress.update(task, advance=1, skipped=skipped_so_far)
        n_workers = _workers(workers, len(pending))
        pool = None
        if n_workers == 1:
            stream: Iterable[tuple[str, Any]] = map(_star, (job for _, job in pending))
        else:
            import multiprocessing

            # spawn, not fork: the parent may already hold torch's thread pools
            pool = ProcessPoolExecutor(n_workers, mp_context=multiprocessing.get_context("spawn"),
                                       initializer=_one_thread_each)
            chunk = max(1, min(16, len(pending) // (n_workers * 8)))
            stream = pool.map(_star, (job for _, job in pending), chunksize=chunk)
        try:
            for (i, _), outcome in zip(pending, stream):
                outcomes[i] = outcome
                skipped_so_far += outcome[0].startswith("skip")
                progress.update(task, advance=1, skipped=skipped_so_far)
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
    results, skipped, from_cache, computed = [], [], 0, 0
    for path, done in zip(files, outcomes):
        assert done is not None
        kind, value = done
        from_cache += kind in ("cached", "skip-cached")
        computed += kind in ("computed", "skip")
        if kind.startswith("skip"):
            skipped.append(Skipped(_relative(path, root), value))
        else:
            results.append((Path(path), value))
    return FileResults(results, skipped, from_cache, computed, time.perf_counter() - started)


def _relative(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(Path(path).relative_to(root))
        except ValueError:
            pass
    return str(path)


def _progress(description: str) -> Any:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    class _Rate(TextColumn):
        def render(self, task: Any) -> Any:
            from rich.text import Text

            speed = task.finished_speed or task.speed
            return Text(f"{speed:,.0f} files/s" if speed else "")

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("files, {task.fields[skipped]} skipped"),
        _Rate(""),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=False,
    )
