"""A training process killed with SIGKILL mid-run, then `--resume`: the same weights as a run
that was never interrupted, and never a half-written checkpoint or export."""

from __future__ import annotations

import json
import os
import shlex
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


def _wait_for(path, proc, seconds=300):
    deadline = time.monotonic() + seconds
    while not path.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None, "training finished before the test could act on it"


def test_ctrl_c_says_where_it_stopped_and_the_printed_command_resumes(tmp_path, make_config):
    config = make_config(tmp_path, epochs=10, samples=12000)
    out = tmp_path / "stopped"
    args = ["run", "--plugins", "groove", "--config", str(config), "--out", str(out)]
    proc = subprocess.Popen([sys.executable, "-m", "ml5", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=os.environ.copy())
    _wait_for(out / "groove" / "checkpoints" / "latest.pt", proc)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr[-2000:]
    assert "Traceback" not in stderr
    assert "interrupted" in stderr and "'groove' after epoch" in stderr
    command = stderr.split("To continue: ", 1)[1].split("\n", 1)[0].strip()
    assert command.endswith("--resume") and str(out) in command

    argv = shlex.split(command)
    assert argv[0] == "ml5"
    resumed = run_cli(*argv[1:])
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert json.loads((out / "report.json").read_text())["models"][0]["epochs_run"] >= 2

    # Resuming a run whose training had finished goes straight to export, and says so.
    again = run_cli(*argv[1:])
    assert again.returncode == 0, again.stderr[-2000:]
    assert "training had finished" in again.stderr and "nan" not in again.stderr


def test_a_second_run_into_the_same_folder_is_refused_and_a_killed_run_leaves_no_lock(tmp_path, make_config):
    from ml5 import runlock

    config = make_config(tmp_path, epochs=500, samples=12000)
    out = tmp_path / "busy"
    args = ["run", "--plugins", "groove", "--config", str(config), "--out", str(out)]
    first = subprocess.Popen([sys.executable, "-m", "ml5", *args], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=os.environ.copy())
    try:
        _wait_for(out / "config.json", first)  # written under the lock
        second = run_cli(*args)
        assert second.returncode == 2, second.stderr[-2000:]
        assert str(out) in second.stderr and f"process {first.pid}" in second.stderr
        assert first.poll() is None, "the refused run must not disturb the one holding the folder"
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    with runlock.hold(out):  # the kernel released the dead process's lock
        pass
