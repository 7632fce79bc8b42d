"""A training process killed with SIGKILL mid-run, then `--resume`: the same weights as a run
that was never interrupted, and never a half-written checkpoint or export."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import torch
from ml5.testing import run_cli


def _layers(path):
    return json.loads(path.read_text())["layers"]


def test_sigkill_then_resume_gives_identical_weights(tmp_path, make_config):
    config = make_config(tmp_path, epochs=8, samples=12000)
    args = ["run", "--plugins", "groove", "--config", str(config)]
    clean = run_cli(*args, "--out", str(tmp_path / "clean"))
    assert clean.returncode == 0, clean.stderr[-2000:]

    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "ml5", *args, "--out", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy())
    latest = out / "groove" / "checkpoints" / "latest.pt"
    deadline = time.monotonic() + 300
    while not latest.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.15)  # into the next epoch
    assert proc.poll() is None, "training finished before it could be interrupted"
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    # Whatever the moment of the kill, every checkpoint on disk is whole.
    for checkpoint in (out / "groove" / "checkpoints").glob("*.pt"):
        torch.load(checkpoint, weights_only=True)
    assert not (out / "exports").exists() or all(json.loads(p.read_text()) for p in (out / "exports").glob("*.json"))
    epochs_done = torch.load(latest, weights_only=True)["state"]["epoch"]
    assert 1 <= epochs_done < 8

    resumed = run_cli(*args, "--out", str(out), "--resume")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert _layers(out / "exports" / "groovepredictor.json") == _layers(tmp_path / "clean" / "exports" / "groovepredictor.json")
    assert not list(out.rglob(".*.tmp"))
    report = json.loads((out / "report.json").read_text())
    assert report["models"][0]["epochs_run"] == json.loads((tmp_path / "clean" / "report.json").read_text())["models"][0]["epochs_run"]


def test_resume_needs_out(tmp_path):
    result = run_cli("run", "--resume")
    assert result.returncode == 2 and "--out" in result.stderr
