"""Data-parallel training under torch.distributed on this machine's CPUs (gloo): torchrun as a
user runs it, and a plain launcher that only sets the environment variables."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch
from ml5.testing import run_cli

TORCHRUN = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node=2", "-m", "ml5"]

CONFIG = """
[run]
collective_timeout = {timeout}
[train]
epochs = {epochs}
batch_size = 64
learning_rate = 0.002
patience = 50
threads = 1
[models.groove.options]
samples = {samples}
"""

#: 2 processes with 32 rows each against 1 with 64: the same sums, added in another order, so
#: the weights drift apart by float32 rounding only (about 1e-7 after 4 epochs here); a real
#: difference in what is trained (a wrong share, an unaveraged gradient) moves them by 1e-3+
SAME_MODEL_ATOL = 1e-5


def _config(folder: Path, epochs: int, samples: int, timeout: float = 60) -> Path:
    path = folder / "ml5.toml"
    path.write_text(CONFIG.format(epochs=epochs, samples=samples, timeout=timeout))
    return path


def _torchrun(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*TORCHRUN, *args], capture_output=True, text=True, timeout=600, env=os.environ.copy())


def _weights(run: Path, stem: str = "groovepredictor") -> np.ndarray:
    layers = json.loads((run / "exports" / f"{stem}.json").read_text())["layers"]
    return np.concatenate([np.asarray(w, dtype=np.float64).ravel() for layer in layers for w in layer["weights"]])


def test_two_processes_train_what_one_process_trains(tmp_path):
    config = _config(tmp_path, epochs=4, samples=2048)
    args = ["run", "--plugins", "groove", "--config", str(config)]
    one = run_cli(*args, "--out", str(tmp_path / "one"))
    assert one.returncode == 0, one.stderr[-2000:]
    two = _torchrun(*args, "--out", str(tmp_path / "two"))
    assert two.returncode == 0, two.stderr[-3000:]

    assert two.stdout.count("# ml5 run report") == 1  # rank 0 alone reports
    report = json.loads((tmp_path / "two" / "report.json").read_text())
    assert report["ok"] and report["world_size"] == 2 and report["backend"] == "gloo"
    assert len(report["devices"]) == 2 and all(d.endswith(":cpu") for d in report["devices"])
    assert json.loads((tmp_path / "one" / "report.json").read_text())["world_size"] == 1

    difference = np.abs(_weights(tmp_path / "one") - _weights(tmp_path / "two")).max()
    assert difference <= SAME_MODEL_ATOL, difference
    losses = [json.loads((tmp_path / run / "report.json").read_text())["models"][0]["best_val_loss"] for run in ("one", "two")]
    assert abs(losses[0] - losses[1]) <= 1e-4 * losses[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_killed_rank_stops_the_other_and_resume_under_torchrun_finishes_the_same(tmp_path):
    timeout = 60
    config = _config(tmp_path, epochs=8, samples=6000, timeout=timeout)
    args = ["run", "--plugins", "groove", "--config", str(config)]
    clean = _torchrun(*args, "--out", str(tmp_path / "clean"))
    assert clean.returncode == 0, clean.stderr[-3000:]

    # Any launcher: two processes given the torch.distributed environment, nothing more.
    out = tmp_path / "killed"
    env = {**os.environ, "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(_free_port()), "WORLD_SIZE": "2"}
    ranks = [
        subprocess.Popen([sys.executable, "-m", "ml5", *args, "--out", str(out)], env={**env, "RANK": str(r), "LOCAL_RANK": str(r)},
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE if r == 0 else subprocess.DEVNULL, text=True)
        for r in range(2)
    ]
    latest = out / "groove" / "checkpoints" / "latest.pt"
    deadline = time.monotonic() + 300
    while not latest.exists() and ranks[0].poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert ranks[0].poll() is None and ranks[1].poll() is None, "training ended before a rank could be killed"
    ranks[1].send_signal(signal.SIGKILL)
    ranks[1].wait()
    _, stderr = ranks[0].communicate(timeout=timeout + 30)  # raises if rank 0 hangs
    assert ranks[0].returncode == 1, stderr[-2000:]
    assert "rank 0 of 2: another process of the run stopped" in stderr and "--resume" in stderr
    assert "Traceback" not in stderr
    epochs_done = torch.load(latest, weights_only=True)["state"]["epoch"]
    assert 1 <= epochs_done < 8

    resumed = _torchrun(*args, "--out", str(out), "--resume")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert np.array_equal(_weights(out), _weights(tmp_path / "clean"))


def test_rank_zero_reads_the_data_set_and_the_other_reads_its_cache(tmp_path, monkeypatch):
    from ml5_midi.testing import write_midi

    chords = [(60, 64, 67), (57, 60, 64), (65, 69, 72), (55, 59, 62)]
    for i in range(6):
        name = f"{i:032x}"
        song = [[(4.0 * b, 4.0, p - 12 + i % 3, 70) for b in range(8) for p in chords[b % 4]]]
        write_midi(tmp_path / "lakh" / "lmd_full" / name[0] / f"{name}.mid", song, tempos=[(0, 100 + i)])
    config = tmp_path / "ml5.toml"
    config.write_text(
        '[train]\nepochs = 1\nthreads = 1\n[models.harmony]\ndataset = "lakh"\npath = "lakh"\n'
        "[models.harmony.options]\nworkers = 1\n"
    )
    monkeypatch.setenv("ML5_CACHE_DIR", str(tmp_path / "cache"))
    # `ml5 run --nproc 2` starts the same thing as torchrun --nproc-per-node 2
    result = run_cli("run", "--nproc", "2", "--plugins", "harmony", "--config", str(config), "--out", str(tmp_path / "run"))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "torch.distributed.run --standalone --nproc-per-node=2 -m ml5 run" in result.stderr
    assert json.loads((tmp_path / "run" / "report.json").read_text())["world_size"] == 2
    data = json.loads((tmp_path / "run" / "report.json").read_text())["models"][0]["data"]
    assert data["per_rank"] == [{"from_cache": 0, "computed": 6}, {"from_cache": 6, "computed": 0}]


FAIL_ON_RANK_1 = """
import os, sys
import ml5.run

checked = ml5.run._check_data


def check_data(data, spec, dataset):  # the fault: this model's data is bad on rank 1 only
    if os.environ["RANK"] == "1" and spec.name == "dynamics":
        raise ml5.run.DataError("a data problem seen by rank 1 only")
    return checked(data, spec, dataset)


ml5.run._check_data = check_data
from ml5.cli import main

main(sys.argv[1:])
"""


def test_a_model_that_fails_on_one_rank_fails_on_all_and_the_run_goes_on(tmp_path):
    # A data set can fail on one machine only (a missing file there). Every rank must give up
    # that model together, go on with the next, and rank 0 must report the rank's reason.
    script = tmp_path / "fault.py"
    script.write_text(FAIL_ON_RANK_1)
    config = _config(tmp_path, epochs=2, samples=512, timeout=30)
    result = subprocess.run([*TORCHRUN[:-2], str(script), "run", "--plugins", "dynamics,groove", "--config", str(config),
                             "--out", str(tmp_path / "run")], capture_output=True, text=True, timeout=300, env=os.environ.copy())
    assert result.returncode != 0  # a model failed
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    models = {m["model"]: m for m in report["models"]}
    assert models["dynamics"]["error"] == "rank 1: a data problem seen by rank 1 only"
    assert models["groove"]["epochs_run"] == 2 and "error" not in models["groove"]
    assert report["failures"] == ["dynamics: rank 1: a data problem seen by rank 1 only"]
