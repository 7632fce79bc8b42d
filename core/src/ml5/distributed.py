"""Several processes, one run: torch.distributed, set up by torchrun or any launcher that sets
its environment (``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``MASTER_ADDR``, ``MASTER_PORT``).

Rank 0 does everything that writes (the run folder's lock, config, checkpoints, curves,
exports, report) and reads each data set first, filling the cache the other ranks then read.
A single process (no launcher) never imports torch.distributed: ``World()`` is a world of one.
"""

from __future__ import annotations

import datetime as _dt
import os
import socket
from typing import Any

import attrs

#: how long ranks wait at the data-set barrier while rank 0 preprocesses (a full data set can
#: take hours; a rank that dies still ends the wait at once through its closed connection)
DATA_WAIT_SECONDS = 24 * 3600


class DistributedError(RuntimeError):
    """Another process of a distributed run stopped or stopped answering: this one stops too."""


@attrs.frozen
class World:
    """This process's place in the run. ``devices`` lists every rank's ``host:device``."""

    rank: int = 0
    size: int = 1
    local_rank: int = 0
    backend: str = ""
    devices: tuple[str, ...] = ()
    timeout: float = 0.0
    #: the process group for the long data-set wait (torch objects; None in a world of one)
    _data_group: Any = attrs.field(default=None, eq=False, repr=False)

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.size > 1

    def describe(self) -> dict[str, Any]:
        """What report.json records."""
        return {"world_size": self.size, "backend": self.backend or None, "devices": list(self.devices)}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise DistributedError(f"environment variable {name}={value!r} is not an integer (set by the launcher)") from None


def launched_size() -> int:
    """The number of processes the launcher started (1 without one)."""
    return _env_int("WORLD_SIZE", 1)


def start(device: str, timeout: float) -> World:
    """Join the process group when a launcher started several processes; ``device`` is the
    run's training device setting (``auto``, ``cpu``, ``cuda`` …): CUDA uses NCCL, else gloo."""
    size = launched_size()
    if size <= 1:
        return World(devices=(f"{socket.gethostname()}:{device}",))
    rank, local_rank = _env_int("RANK", 0), _env_int("LOCAL_RANK", 0)
    import torch
    import torch.distributed as dist

    cuda = device.startswith("cuda") or (device == "auto" and torch.cuda.is_available())
    # on a GPU machine NCCL for CUDA tensors and gloo for CPU ones: a model whose own settings
    # train it on the CPU still finds a backend for its tensors
    backend = os.environ.get("ML5_DIST_BACKEND") or ("cpu:gloo,cuda:nccl" if cuda else "gloo")
    here = f"cuda:{local_rank}" if cuda else "cpu"
    try:
        if cuda:
            torch.cuda.set_device(local_rank)  # fails when there are fewer GPUs than processes
        dist.init_process_group(backend, timeout=_dt.timedelta(seconds=timeout))
        data_group = dist.new_group(backend="gloo", timeout=_dt.timedelta(seconds=DATA_WAIT_SECONDS))
        devices: list[Any] = [None] * size
        dist.all_gather_object(devices, f"{socket.gethostname()}:{here}")
    except Exception as exc:  # a launcher problem: say what was tried
        raise DistributedError(
            f"rank {rank} of {size} could not join the process group ({backend}, "
            f"{os.environ.get('MASTER_ADDR', '?')}:{os.environ.get('MASTER_PORT', '?')}): {exc}"
        ) from None
    return World(rank, size, local_rank, backend, tuple(devices), timeout, data_group)


def stop(world: World) -> None:
    if world.distributed:
        import torch.distributed as dist

        if dist.is_initialized():
            dist.destroy_process_group()


def lost(world: World, exc: BaseException, waited: float | None = None) -> DistributedError:
    """The error a rank raises when a collective fails: another rank died or hung."""
    waited = world.timeout if waited is None else waited
    return DistributedError(
        f"rank {world.rank} of {world.size}: another process of the run stopped or did not answer within "
        f"{waited:g} s, so this one stops too ({type(exc).__name__}: "
        f"{str(exc).splitlines()[0] if str(exc) else 'no detail'}). Checkpoints are kept: start the same "
        "command again with --resume and --out set to the run folder"
    )


def is_lost_contact(exc: BaseException) -> bool:
    """Whether a RuntimeError from a collective means another rank is gone (a closed connection,
    a timeout), not a failure of this process's own work (out of memory, a shape error)."""
    import torch.distributed as dist

    backend_error = getattr(dist, "DistBackendError", None)
    if backend_error is not None and isinstance(exc, backend_error):
        return True
    text = str(exc)
    return any(word in text for word in ("gloo", "NCCL", "Connection", "connection", "timed out", "Timed out", "closed"))


def wait_for_data(world: World) -> None:
    """The data-set barrier: rank 0 calls it after filling the cache, the others before reading."""
    if world.distributed:
        import torch.distributed as dist

        try:
            dist.barrier(group=world._data_group)
        except Exception as exc:
            raise lost(world, exc, DATA_WAIT_SECONDS) from None


def broadcast(world: World, value: Any) -> Any:
    """Rank 0's ``value`` on every rank (a picklable object from the ml5 process itself)."""
    if not world.distributed:
        return value
    import torch.distributed as dist

    box = [value]
    try:
        dist.broadcast_object_list(box, src=0)
    except Exception as exc:
        raise lost(world, exc) from None
    return box[0]


def gather(world: World, value: Any) -> list[Any]:
    """Every rank's ``value``, in rank order, on every rank."""
    if not world.distributed:
        return [value]
    import torch.distributed as dist

    values: list[Any] = [None] * world.size
    try:
        dist.all_gather_object(values, value)
    except Exception as exc:
        raise lost(world, exc) from None
    return values


def agree(world: World, problem: str | None) -> list[str]:
    """Every rank's problem at this point of the work (``None``: fine), as "rank r: …" lines,
    the same list on every rank: so that all ranks stop a model together, never one alone."""
    return [f"rank {rank}: {found}" for rank, found in enumerate(gather(world, problem)) if found]
