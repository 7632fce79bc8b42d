"""Per-step cost of data parallelism, run under torchrun by test_distributed_scaling.py.

Per model, on each rank: a training step (forward, backward, optimizer step) at the per-rank
batch, with DDP averaging the gradients and with DDP's ``no_sync`` (the same arithmetic, no
communication), and an ``all_reduce`` of a buffer the size of the model's gradients alone.
The difference of the two steps is what the communication costs a step (what DDP overlaps
with the backward pass included). Rank 0 prints one JSON line.
"""

from __future__ import annotations

import json
import statistics
import sys
import time

import torch
import torch.distributed as dist
from ml5.nn import build_module, loss_fn
from ml5.plugins import load
from ml5.registry import Registry
from torch.nn.parallel import DistributedDataParallel

REPEATS = 200


def _median_seconds(step, repeats: int = REPEATS) -> float:
    for _ in range(10):
        step()
    times = []
    for _ in range(repeats):
        dist.barrier()
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(spec, per_rank_batch: int) -> dict[str, float]:
    torch.manual_seed(0)
    model = build_module(spec)
    net = DistributedDataParallel(model)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss = loss_fn(spec)
    x = torch.rand(per_rank_batch, spec.input_size)
    y = torch.rand(per_rank_batch, spec.output_size)
    if spec.loss == "kl":
        y = torch.softmax(y, dim=1)

    def step(sync: bool) -> None:
        optimizer.zero_grad(set_to_none=True)
        if sync:
            loss(net(x), y).backward()
        else:
            with net.no_sync():
                loss(net(x), y).backward()
        optimizer.step()

    buffer = torch.zeros(spec.param_count)
    synced = _median_seconds(lambda: step(True))
    local = _median_seconds(lambda: step(False))
    reduce = _median_seconds(lambda: dist.all_reduce(buffer))
    return {
        "parameters": spec.param_count,
        "step_ms": round(synced * 1e3, 3),
        "step_without_communication_ms": round(local * 1e3, 3),
        "communication_ms_per_step": round((synced - local) * 1e3, 3),
        "all_reduce_gradients_ms": round(reduce * 1e3, 3),
        "communication_share": round(max(0.0, synced - local) / synced, 3),
    }


def main(models: list[str], per_rank_batch: int) -> None:
    torch.set_num_threads(1)
    dist.init_process_group("gloo")
    registry = Registry(load())
    results = {name: measure(registry.models[name].spec, per_rank_batch) for name in models}
    if dist.get_rank() == 0:
        print(json.dumps({"world_size": dist.get_world_size(), "per_rank_batch": per_rank_batch, "models": results}))
    dist.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1].split(","), int(sys.argv[2]))
