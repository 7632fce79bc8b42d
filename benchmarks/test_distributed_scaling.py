"""Training with 1 and 2 processes (torchrun, gloo, CPU), per model, in one run.

Per model, ``ml5 run`` on the synthetic set (16,384 examples, 3 epochs, global batch 64):
1 process with 1 thread, 1 process with 2 threads (torch's intra-op parallelism, the usual
way to use two cores), and 2 processes with 1 thread each under torchrun. The figure is the
trainer's own samples/s over its epochs (report.json). Then ``distributed_steps.py`` under
torchrun measures, per model, a DDP step against the same step without communication and an
``all_reduce`` of the gradients alone: the per-step communication time. Results:
results/distributed_scaling.json. On a 2-core machine that others share, expect little gain.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("ml5_trainer")

MODELS = ("emotion", "melody", "harmony", "dynamics", "groove")
HERE = Path(__file__).parent
CONFIG = """
[run]
exporters = ["rtneural"]
verifiers = ["reference"]
[train]
epochs = 3
patience = 50
batch_size = 64
threads = {threads}
[models.{model}.options]
samples = 16384
"""
TORCHRUN = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node=2"]


def _samples_per_second(tmp: Path, model: str, threads: int, processes: int) -> float:
    folder = tmp / f"{model}-{processes}p{threads}t"
    folder.mkdir()
    config = folder / "ml5.toml"
    config.write_text(CONFIG.format(model=model, threads=threads))
    args = ["-m", "ml5", "run", "--plugins", model, "--config", str(config), "--out", str(folder / "run")]
    command = [*TORCHRUN, *args] if processes == 2 else [sys.executable, *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=1800, env=os.environ.copy())
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((folder / "run" / "report.json").read_text())
    assert report["world_size"] == processes
    return report["models"][0]["samples_per_second"]


def test_distributed_scaling(tmp_path):
    runs = {}
    for model in MODELS:
        one = _samples_per_second(tmp_path, model, 1, 1)
        one_two_threads = _samples_per_second(tmp_path, model, 2, 1)
        two = _samples_per_second(tmp_path, model, 1, 2)
        runs[model] = {
            "samples_per_second_1_process_1_thread": round(one),
            "samples_per_second_1_process_2_threads": round(one_two_threads),
            "samples_per_second_2_processes_1_thread_each": round(two),
            "2_processes_vs_1_process_1_thread": round(two / one, 3),
            "2_processes_vs_1_process_2_threads": round(two / one_two_threads, 3),
        }
    steps = subprocess.run([*TORCHRUN, str(HERE / "distributed_steps.py"), ",".join(MODELS), "32"],
                           capture_output=True, text=True, timeout=1800, env=os.environ.copy())
    assert steps.returncode == 0, steps.stderr[-3000:]
    communication = json.loads(steps.stdout.strip().splitlines()[-1])
    results = {"training": runs, "steps": communication}
    out = HERE / "results" / "distributed_scaling.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print("\ndistributed scaling:", json.dumps(results, indent=2))
