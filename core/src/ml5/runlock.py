"""One ``ml5 run`` at a time per run folder.

The lock is an operating-system lock on ``<folder>/.ml5-run.lock``, which the kernel releases
when the process ends however it ends, so a crashed or killed run never leaves a folder stuck.
The file itself stays (removing it would let two processes lock two different files); it holds
who locked it last, for the message the next process prints.
"""

from __future__ import annotations

import json
import os
import shlex
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

LOCK_NAME = ".ml5-run.lock"


class FolderUnavailable(RuntimeError):
    """The run folder cannot be used: nothing was written to it."""


class FolderInUse(FolderUnavailable):
    """Another live process holds the run folder's lock."""

    def __init__(self, folder: Path, holder: dict[str, Any]) -> None:
        self.folder, self.holder = folder, holder
        who = f"process {holder['pid']}" if "pid" in holder else "another process"
        if holder.get("host") and holder.get("host") != socket.gethostname():
            who += f" on {holder['host']}"
        what = f" ({holder['command']}, started {holder.get('started', '?')})" if holder.get("command") else ""
        super().__init__(
            f"run folder {folder} is in use by {who}{what}; wait for it to end, or choose another --out"
        )


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _holder(fd: int) -> dict[str, Any]:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        found = json.loads(os.read(fd, 65536).decode("utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


@contextmanager
def hold(folder: Path) -> Iterator[None]:
    """Hold ``folder``'s run lock for the duration of the block; raise ``FolderInUse`` at once
    (without waiting) if a live process holds it."""
    try:
        fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise FolderUnavailable(f"cannot write in the run folder {folder} ({exc.strerror}); choose another --out") from None
    try:
        if not _try_lock(fd):
            raise FolderInUse(folder, _holder(fd))
        me = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": time.strftime("%Y-%m-%d %H:%M:%S"),
            "command": shlex.join(["ml5", *sys.argv[1:]]),
        }
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, (json.dumps(me) + "\n").encode("utf-8"))
        yield
    finally:
        os.close(fd)  # releases the lock
