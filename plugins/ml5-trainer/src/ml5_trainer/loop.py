"""The training loop. Same seed → same weights on CPU, whether or not the run was interrupted:
shuffling is drawn per epoch from the seed, and a checkpoint holds everything else."""

from __future__ import annotations

import contextlib
import copy
import json
import math
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import ml5
import numpy as np
import torch
import torch.distributed as dist
from ml5.atomic import atomic_open, atomic_write
from ml5.distributed import World, agree, gather, is_lost_contact, lost
from ml5.metrics import task_metrics
from ml5.nn import baseline_loss, build_module, fit_linear, loss_fn

from ml5_trainer.curves import write_curves

CHECKPOINT_VERSION = 1


def pick_device(name: str) -> torch.device:
    if name != "auto":
        return torch.device(name)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def split_indices(data: ml5.Data, val_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Train/validation rows: the data set's own split when it ships one — its validation rows
    choose the epoch, and its test rows stay unseen unless it has no validation rows — else a
    seeded draw."""
    n = len(data.inputs)
    if data.split is not None:
        split = np.asarray(data.split)
        val = np.flatnonzero(split == "validation")
        if not len(val):
            val = np.flatnonzero(split == "test")
        train = np.flatnonzero(split == "train")
        if len(val) and len(train):
            return train, val
    order = np.random.default_rng(seed).permutation(n)
    n_val = min(n - 1, max(1, round(n * val_fraction)))
    return np.sort(order[n_val:]), np.sort(order[:n_val])


#: an epoch of a small data set still takes this many optimiser steps: the batch shrinks to fit
MIN_STEPS_PER_EPOCH = 8


def effective_batch(batch_size: int, train_examples: int) -> int:
    """The batch an epoch uses: ``batch_size``, or fewer examples when the training rows would
    otherwise make fewer than MIN_STEPS_PER_EPOCH steps (a few dozen examples would get one
    step an epoch, and 60 epochs would leave a network far from what it can learn)."""
    return max(1, min(batch_size, -(-train_examples // MIN_STEPS_PER_EPOCH)))


def _test_rows(data: ml5.Data, val_rows: np.ndarray) -> np.ndarray:
    """The data set's test rows, when they are not already the rows that chose the epoch."""
    if data.split is None:
        return np.zeros(0, np.int64)
    test = np.flatnonzero(np.asarray(data.split) == "test")
    return test if len(test) and not np.array_equal(test, val_rows) else np.zeros(0, np.int64)


def _optimizer(settings: Any, params: Any, device: torch.device) -> torch.optim.Optimizer:
    lr, wd = settings.learning_rate, settings.weight_decay
    if settings.optimizer == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=0.9, weight_decay=wd)
    # The fused kernel updates every tensor in one pass: on the CPU a step of the larger models
    # takes a sixth of the per-tensor loop's time (torch's own default there), the same update rule.
    fused = device.type in ("cpu", "cuda")
    adam = torch.optim.AdamW if settings.optimizer == "adamw" else torch.optim.Adam
    return adam(params, lr=lr, weight_decay=wd, fused=fused or None)


def _scheduler(settings: Any, optimizer: torch.optim.Optimizer) -> Any:
    if settings.lr_schedule == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=settings.epochs)
    if settings.lr_schedule == "step":
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=max(1, settings.epochs // 3), gamma=0.3)
    if settings.lr_schedule == "plateau":
        return torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.3, patience=max(1, settings.patience // 3))
    return None


def _identity(request: ml5.TrainRequest) -> dict[str, Any]:
    """What a checkpoint must match to be resumed: same model, data, settings and seed."""
    return {
        "model": request.spec.name,
        "parameters": request.spec.param_count,
        "data": request.data.fingerprint,
        "settings": json.dumps(attrs.asdict(request.settings), sort_keys=True),
        "seed": request.seed,
    }


@attrs.define
class _State:
    epoch: int = 0  # epochs completed
    best_val: float = math.inf
    best_epoch: int = 0
    bad_epochs: int = 0
    finished: bool = False
    curves: list[dict[str, float]] = attrs.Factory(list)


def _save(path: Path, payload: dict[str, Any]) -> None:
    with atomic_open(path, "wb") as f:
        torch.save(payload, f)


def _snapshot(tree: Any) -> Any:
    """A copy of a state dict (nested dicts and lists of tensors) that training can no longer
    change: the optimizer steps tensors in place."""
    if isinstance(tree, torch.Tensor):
        return tree.detach().clone()
    if isinstance(tree, dict):
        return {k: _snapshot(v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(_snapshot(v) for v in tree)
    return copy.deepcopy(tree)


class _CheckpointWriter:
    """Writes an epoch's checkpoints on a thread of its own while the next epoch trains: the
    serialising and the fsync of every file no longer stop training (they cost small models
    more than their epochs). One batch of files at a time, each written atomically; ``wait()``
    returns when the last is on disk, and raises what the writing raised."""

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def submit(self, files: list[tuple[Path, dict[str, Any]]]) -> None:
        self.wait()
        self._thread = threading.Thread(target=self._write, args=(files,), name="ml5-checkpoints")
        self._thread.start()

    def _write(self, files: list[tuple[Path, dict[str, Any]]]) -> None:
        try:
            for path, payload in files:
                _save(path, payload)
        except BaseException as exc:  # raised in the training thread by wait()
            self._error = exc

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    @contextlib.contextmanager
    def finishing(self) -> Iterator[None]:
        """On the way out with an exception (Ctrl-C, a lost rank): the checkpoint being written
        is whole on disk before the run lets go of its folder."""
        try:
            yield
        except BaseException:
            if self._thread is not None:
                self._thread.join()
            raise


def _load_checkpoint(path: Path, identity: dict[str, Any]) -> dict[str, Any]:
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise ml5.RunError(f"cannot read checkpoint {path}: {exc}; delete it to start over") from None
    if payload.get("version") != CHECKPOINT_VERSION or payload.get("identity") != identity:
        raise ml5.RunError(
            f"checkpoint {path} belongs to another model, data set, seed or settings; "
            "use a new --out folder, or delete the checkpoint to start over"
        )
    return payload


def _evaluate(model: torch.nn.Module, loss: Any, x: torch.Tensor, y: torch.Tensor, world: World, batch: int = 1024) -> float:
    """Mean loss over all of ``x``; in a distributed run each rank takes its share of the rows
    and the sums are added up, so every rank gets the same value."""
    model.eval()
    lo, hi = _share(len(x), world)
    total = 0.0
    with torch.inference_mode():
        for i in range(lo, hi, batch):
            j = min(i + batch, hi)
            total += float(loss(model(x[i:j]), y[i:j])) * (j - i)
    return _sum_over_ranks(total, world, x.device) / len(x)


def _share(n: int, world: World) -> tuple[int, int]:
    """This rank's rows of ``n``: contiguous, sizes differing by one at most."""
    return world.rank * n // world.size, (world.rank + 1) * n // world.size


def _sum_over_ranks(value: float, world: World, device: torch.device) -> float:
    if not world.distributed:
        return value
    box = torch.tensor([value], dtype=torch.float64, device=device)
    with _collective(world):
        dist.all_reduce(box)
    return float(box.item())


@contextlib.contextmanager
def _collective(world: World) -> Iterator[None]:
    """Where ranks talk (gradient averaging, sums, broadcasts): a lost connection or a timeout
    there means another rank died or hung, and the run stops with a message that says so.
    This process's own failures (out of memory, a bad shape) pass through as they are."""
    try:
        yield
    except RuntimeError as exc:
        if not world.distributed or not is_lost_contact(exc):
            raise
        raise lost(world, exc) from None


def _same_start_on_every_rank(world: World, problem: str | None, state: _State, checkpoints: Path) -> None:
    """Every rank must start from the same checkpoint (or none): one that cannot read it, or
    reads another epoch than rank 0 (a run folder that is not shared), stops all of them."""
    problems = agree(world, problem)
    if problems:
        raise ml5.RunError("; ".join(problems))
    starts = gather(world, (state.epoch, state.finished))
    if len(set(starts)) > 1:
        epochs = ", ".join(f"rank {rank}: epoch {epoch}" for rank, (epoch, _) in enumerate(starts))
        raise ml5.RunError(
            f"the processes found different checkpoints in {checkpoints} ({epochs}): every process must see "
            "the same run folder (a file system all machines share)"
        )


def train(request: ml5.TrainRequest) -> ml5.TrainedModel:
    spec, settings, data = request.spec, request.settings, request.data
    if settings.threads:
        # On a shared machine fewer threads than cores can be much faster than torch's default.
        torch.set_num_threads(settings.threads)
    world = request.world
    device = pick_device(settings.device)
    if world.distributed and device.type == "cuda":
        device = torch.device("cuda", world.local_rank)  # one GPU per process
    checkpoints = request.folder / "checkpoints"
    latest, best_path = checkpoints / "latest.pt", checkpoints / "best.pt"
    identity = _identity(request)

    train_rows, val_rows = split_indices(data, settings.val_fraction, request.seed)
    x_train = torch.as_tensor(data.inputs[train_rows], device=device)
    y_train = torch.as_tensor(data.targets[train_rows], device=device)
    x_val = torch.as_tensor(data.inputs[val_rows], device=device)
    y_val = torch.as_tensor(data.targets[val_rows], device=device)

    torch.manual_seed(request.seed)
    model = build_module(spec).to(device)
    loss = loss_fn(spec)
    optimizer = _optimizer(settings, model.parameters(), torch.device(device))
    scheduler = _scheduler(settings, optimizer)
    state = _State()
    best_weights = _snapshot(model.state_dict())

    problem = None
    if request.resume:  # every rank reads the checkpoint; only rank 0 ever writes one
        if world.is_main:
            for stale in checkpoints.glob(".*.tmp"):  # left by a process killed while writing
                stale.unlink()
        try:
            if latest.exists():
                payload = _load_checkpoint(latest, identity)
                model.load_state_dict(payload["model"])
                optimizer.load_state_dict(payload["optimizer"])
                if scheduler is not None:
                    scheduler.load_state_dict(payload["scheduler"])
                best_weights = payload["best_model"]
                state = _State(**payload["state"])
        except ml5.RunError as exc:
            problem = str(exc)
    if world.distributed:
        _same_start_on_every_rank(world, problem, state, checkpoints)
    elif problem:
        raise ml5.RunError(problem)

    net: torch.nn.Module = model  # what the training steps call: the model, or DDP around it
    if world.distributed:
        from torch.nn.parallel import DistributedDataParallel

        with _collective(world):  # starts by making every rank's weights rank 0's
            net = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)

    baseline = baseline_loss(spec, data.targets[train_rows], data.targets[val_rows])
    batch = effective_batch(settings.batch_size, len(train_rows))
    started = time.perf_counter()
    samples_seen = 0
    progress = _progress(shown=world.is_main)
    writer = _CheckpointWriter()
    with progress, writer.finishing():
        # A resumed run shows where it stands: its last validation loss, or nothing yet.
        shown = f"{state.curves[-1]['val_loss']:.4g}" if state.curves else "–"
        task = progress.add_task(spec.name, total=settings.epochs, completed=state.epoch, loss=shown)
        if state.finished and world.is_main:
            progress.console.print(f"{spec.name}: training had finished ({state.epoch} epochs, best val loss "
                                   f"{state.best_val:.4g} at epoch {state.best_epoch}); nothing left to train")
        while not state.finished and state.epoch < settings.epochs:
            epoch = state.epoch + 1
            model.train()
            # Shuffle from (seed, epoch) alone, so a resumed run draws exactly the same batches.
            order = torch.randperm(len(x_train), generator=torch.Generator().manual_seed(request.seed * 100_003 + epoch))
            running = 0.0
            for i in range(0, len(order), batch):
                rows = order[i : i + batch]
                whole = len(rows)
                lo, hi = _share(whole, world)  # the global batch, split over the ranks
                mine = rows[lo:hi] if hi > lo else rows[:1]  # an empty share still joins the averaging
                weight = (hi - lo) * world.size / whole  # DDP averages over ranks: this makes it the batch mean
                mine = mine.to(device)
                optimizer.zero_grad(set_to_none=True)
                batch_loss = loss(net(x_train[mine]), y_train[mine])
                with _collective(world):
                    (batch_loss * weight if world.distributed else batch_loss).backward()
                if settings.grad_clip > 0:
                    torch.nn.utils.clip_grad_norm_(model.parameters(), settings.grad_clip)
                optimizer.step()
                running += batch_loss.item() * (hi - lo)
            samples_seen += len(order)
            train_loss = _sum_over_ranks(running, world, device) / len(order)
            val_loss = _evaluate(model, loss, x_val, y_val, world)
            lr = optimizer.param_groups[0]["lr"]
            if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
                scheduler.step(val_loss)
            elif scheduler is not None:
                scheduler.step()
            state.epoch = epoch
            state.curves.append({"epoch": epoch, "train_loss": train_loss, "val_loss": val_loss, "lr": lr})
            files = []
            if val_loss < state.best_val - settings.min_delta:
                state.best_val, state.best_epoch, state.bad_epochs = val_loss, epoch, 0
                best_weights = _snapshot(model.state_dict())  # a copy: training goes on mutating
                files.append((best_path, {"version": CHECKPOINT_VERSION, "identity": identity, "model": best_weights,
                                          "epoch": epoch}))
            else:
                state.bad_epochs += 1
            state.finished = state.bad_epochs >= settings.patience or epoch >= settings.epochs
            if world.distributed:  # decided once, by rank 0, for all
                flag = torch.tensor([int(state.finished)], device=device)
                with _collective(world):
                    dist.broadcast(flag, src=0)
                state.finished = bool(flag.item())
            if world.is_main:  # the one writer of checkpoints
                files.append((latest, {
                    "version": CHECKPOINT_VERSION,
                    "identity": identity,
                    "model": _snapshot(model.state_dict()),
                    "optimizer": _snapshot(optimizer.state_dict()),
                    "scheduler": _snapshot(scheduler.state_dict()) if scheduler is not None else {},
                    "best_model": best_weights,
                    "state": attrs.asdict(state),
                }))
                writer.submit(files)
            progress.update(task, completed=epoch, loss=f"{val_loss:.4g}")
            request.on_epoch_end(epoch, {"train_loss": train_loss, "val_loss": val_loss, "lr": lr})
        writer.wait()
    seconds = time.perf_counter() - started

    # the linear model beside the network, for the report: fitted where the report is written
    linear = fit_linear(spec, data.inputs[train_rows], data.targets[train_rows]) if world.is_main else None
    model.load_state_dict(best_weights)
    model = model.cpu().eval()
    with torch.no_grad():
        val_predictions = model(x_val.cpu()).numpy()
    if world.is_main:
        write_curves(request.folder, spec.name, state.curves, baseline)
    metrics = {
        "epochs_run": state.epoch,
        "best_epoch": state.best_epoch,
        "stopped_early": state.epoch < settings.epochs,
        "best_val_loss": state.best_val,
        "baseline_loss": baseline,
        "gain_over_baseline": 1.0 - state.best_val / baseline if baseline > 0 else 0.0,
        "train_examples": len(train_rows),
        "batch_size": batch,
        "val_examples": len(val_rows),
        "device": str(device),
        "samples_per_second": samples_seen / seconds if samples_seen and seconds > 0 else None,
        # the task's own measure on held-out data, beside its trivial baseline and a linear model
        "task": task_metrics(spec.metric or spec.loss, val_predictions, data.targets[val_rows], data.targets[train_rows],
                             linear(data.inputs[val_rows]) if linear else None),
    }
    test_rows = _test_rows(data, val_rows)
    if len(test_rows):  # the data set's test split, never used to choose anything
        with torch.no_grad():
            test_predictions = model(torch.as_tensor(data.inputs[test_rows])).numpy()
        metrics["task_test"] = task_metrics(spec.metric or spec.loss, test_predictions, data.targets[test_rows],
                                            data.targets[train_rows], linear(data.inputs[test_rows]) if linear else None)
    if world.is_main:
        atomic_write(request.folder / "metrics.json", json.dumps(metrics, indent=2) + "\n")

    def predict(x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return model(torch.as_tensor(np.asarray(x, dtype=np.float32))).numpy()

    return ml5.TrainedModel(
        spec=spec,
        layer_weights=model.layer_weights(),
        predict=predict,
        metrics=metrics,
        held_out_inputs=data.inputs[val_rows],
        data_fingerprint=data.fingerprint,
    )


def _progress(shown: bool = True) -> Any:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("epochs  val loss {task.fields[loss]}"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=False,
        refresh_per_second=2,  # an epoch-level bar: redrawing it more often only takes CPU from training
        disable=not shown,  # in a distributed run, rank 0's bar alone
    )
