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

import contextlib
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import attrs

from ml5.atomic import atomic_open
from ml5.skipped import Skipped
from ml5.skipped import summary as skipped_summary

#: results of one file: named numpy arrays
Arrays = dict[str, Any]


class SkipFile(Exception):
    """Raised by a per-file function for a file it cannot use; the message is the reason.
    The verdict depends only on the file's content and the settings, so it is cached too."""


@attrs.frozen
class FileResults:
    """What ``process_files`` returns: per usable file its arrays, in the order given."""

    results: list[tuple[Path, Arrays]]
    skipped: list[Skipped]
    from_cache: int  # files whose result (or skip verdict) was read from the cache
    computed: int  # files processed now
    seconds: float

    def summary(self, most: int | None = None) -> dict[str, Any]:
        """For ``Data.stats`` and the run report: the file counts, and the skipped files counted
        by kind of reason with the first ``most`` of each kind listed (``ml5.skipped.summary``)."""
        return {
            "files": len(self.results) + len(self.skipped),
            "files_used": len(self.results),
            "files_skipped": len(self.skipped),
            "from_cache": self.from_cache,
            "computed": self.computed,
            **skipped_summary(self.skipped, most),
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


#: in a worker: the folder where it notes the file it is on, so a crash can be pinned on a file
_MARKERS: str | None = None


def _worker_start(markers: str) -> None:
    """Worker start: note where to mark the current file, and one BLAS/OpenMP thread per worker —
    the pool already fills the cores, and numpy's threads in every worker would fight over them
    (measured: no gain from 2 workers until this). Set before numpy is imported here;
    threadpoolctl covers it if it already was."""
    global _MARKERS
    _MARKERS = markers
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(1)


def _star(job: tuple) -> tuple[str, Any]:
    index, *work = job
    if _MARKERS is not None:
        Path(_MARKERS, str(os.getpid())).write_text(str(index))
    return _compute(*work)


#: the skip reason of a file whose reading killed the worker process (a crash in a C parser …)
CRASHED = "the reading process died on this file (a crash in the reader); skipped"


def _pool(workers: int, markers: str) -> ProcessPoolExecutor:
    import multiprocessing

    # spawn, not fork: the parent may already hold torch's thread pools
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_worker_start, initargs=(markers,))


def _ready() -> bool:
    """The first job of a new pool: that it comes back proves workers can start here."""
    return True


#: whether spawned workers can start in this process: None = not tried yet
_POOL_STARTS: bool | None = None


def _main_script_problem() -> str | None:
    """Why spawned workers cannot start, where that is known before trying: they re-import the
    main script from its path, and a script read from stdin (`python -`) has none."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if getattr(getattr(main, "__spec__", None), "name", None) is None and path is not None and not os.path.isfile(path):
        return f"the main script ({path}) is not a file that worker processes could re-import"
    return None


def _why_no_pool() -> str:
    main = sys.modules.get("__main__")
    if getattr(main, "__file__", None) is not None:
        return ("worker processes re-run the main script when they start, and it has no "
                "`if __name__ == \"__main__\":` guard around its work (add one to read files in parallel)")
    return "worker processes could not start"


def _in_pool_possible(workers: int) -> bool:
    """Whether this process can read files in a spawn pool, tried once per process: a script
    without a main guard or read from stdin cannot (each worker would re-run it, or find nothing
    to re-run). Where it cannot, the files are read here, and that is said once."""
    global _POOL_STARTS
    if _POOL_STARTS is None:
        problem = _main_script_problem()
        if problem is None:
            import tempfile
            from concurrent.futures.process import BrokenProcessPool

            with tempfile.TemporaryDirectory(prefix="ml5-workers-") as markers:
                try:
                    pool = _pool(1, markers)
                except (OSError, RuntimeError, AssertionError) as exc:  # e.g. inside a daemonic process
                    problem = f"worker processes could not start ({exc})"
                else:
                    try:
                        # a guardless script may do long work before it reaches here: a
                        # worker not ready within a minute is taken as one that cannot start
                        pool.submit(_ready).result(timeout=60)
                    except (BrokenProcessPool, OSError, RuntimeError, AssertionError, TimeoutError):
                        problem = _why_no_pool()
                    finally:
                        pool.shutdown(wait=problem is None, cancel_futures=True)  # never wait on a stuck worker
        _POOL_STARTS = problem is None
        if problem is not None:
            print(f"ml5: reading files in this process, not in {workers} worker processes: {problem}", file=sys.stderr)
    return _POOL_STARTS


def _bootstrapping() -> bool:
    """Inside a spawned worker that is still importing the parent's main script: a script
    without a main guard, re-run by the worker. Reading files there would repeat the parent's
    work in every worker."""
    import multiprocessing

    return bool(getattr(multiprocessing.current_process(), "_inheriting", False))


def _in_pool(jobs: list[tuple], workers: int, done: Callable[[int, tuple[str, Any]], None]) -> None:
    """Run ``jobs`` (each starting with its index) over a spawn pool, calling ``done(index,
    outcome)`` once for each (in order until a crash; the retried files after). A worker that dies (a segfault in a parser, the OOM killer) breaks the
    pool: the files the workers were on are then run one at a time in a pool of their own, so
    the one that kills its process is skipped and named, and the rest go on in a fresh pool."""
    import tempfile
    from concurrent.futures.process import BrokenProcessPool

    remaining = list(jobs)
    with tempfile.TemporaryDirectory(prefix="ml5-workers-") as markers:
        while remaining:
            finished: set[int] = set()
            pool = _pool(min(workers, len(remaining)), markers)
            chunk = max(1, min(16, len(remaining) // (workers * 8)))
            try:
                for job, outcome in zip(remaining, pool.map(_star, remaining, chunksize=chunk)):
                    done(job[0], outcome)
                    finished.add(job[0])
                return
            except BrokenProcessPool:
                pass
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
            remaining = [job for job in remaining if job[0] not in finished]
            on = set()
            for marker in Path(markers).iterdir():
                with contextlib.suppress(OSError, ValueError):
                    on.add(int(marker.read_text()))
                marker.unlink(missing_ok=True)
            # no file named (the pool broke for another reason): the next one is tried alone, so
            # every round makes progress
            suspects = [job for job in remaining if job[0] in on] or remaining[:1]
            for job in suspects:
                alone = _pool(1, markers)
                try:
                    outcome = alone.submit(_star, job).result()
                except BrokenProcessPool:
                    outcome = ("skip", CRASHED)
                finally:
                    alone.shutdown(wait=True, cancel_futures=True)
                done(job[0], outcome)
            remaining = [job for job in remaining if job not in suspects]


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
    keep: Callable[[Arrays], Arrays] | None = None,
) -> FileResults:
    """Run ``func(path, settings)`` on every file, over ``workers`` processes (0 = all cores),
    reading from and writing to the cache. Skipped files are named relative to ``root``.

    ``keep(arrays)``, when given, is what is held of each file's result (the cache still stores
    all of it): the arrays one model needs, in compact form, so that memory grows with what is
    used, not with everything the per-file work computes."""
    if _bootstrapping():
        # this worker is re-running a main script that has no main guard: end it here, quietly;
        # the parent sees the pool fail to start and reads the files itself
        raise SystemExit(1)
    started = time.perf_counter()
    settings = dict(settings)
    folder = cache_root() / namespace / settings_key(settings) if cache else None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    outcomes: list[tuple[str, Any] | None] = [None] * len(files)
    pending: list[tuple] = []  # (index, func, path, settings, cache folder, digest)
    skipped_so_far = 0
    with _progress(description or namespace) as progress:
        task = progress.add_task(description or namespace, total=len(files), skipped=0)
        for i, path in enumerate(files):
            digest, outcome = _lookup(str(path), folder)
            if outcome is None:
                pending.append((i, func, str(path), settings, str(folder) if folder else None, digest))
                continue
            outcomes[i] = _kept(outcome, keep)
            skipped_so_far += outcome[0].startswith("skip")
            progress.update(task, advance=1, skipped=skipped_so_far)

        def done(i: int, outcome: tuple[str, Any]) -> None:
            nonlocal skipped_so_far
            outcomes[i] = _kept(outcome, keep)
            skipped_so_far += outcome[0].startswith("skip")
            progress.update(task, advance=1, skipped=skipped_so_far)

        n_workers = _workers(workers, len(pending))
        if n_workers == 1 or not _in_pool_possible(n_workers):
            # in this process: no start-up cost for a small job or a one-worker run (the readers
            # used here do not crash on broken files; the pool is what isolates one that does)
            for job in pending:
                done(job[0], _star(job))
        else:
            _in_pool(pending, n_workers, done)
    results, skipped, from_cache, computed = [], [], 0, 0
    for path, outcome in zip(files, outcomes):
        assert outcome is not None
        kind, value = outcome
        from_cache += kind in ("cached", "skip-cached")
        computed += kind in ("computed", "skip")
        if kind.startswith("skip"):
            skipped.append(Skipped(_relative(path, root), value))
        else:
            results.append((Path(path), value))
    return FileResults(results, skipped, from_cache, computed, time.perf_counter() - started)


def _kept(outcome: tuple[str, Any], keep: Callable[[Arrays], Arrays] | None) -> tuple[str, Any]:
    kind, value = outcome
    return (kind, keep(value)) if keep is not None and not kind.startswith("skip") else outcome


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
        console=Console(stderr=True, force_jupyter=False),  # plain text in a notebook too: no widget needed
        transient=False,
    )
