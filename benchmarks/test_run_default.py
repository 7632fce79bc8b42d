"""Wall time of `ml5 run` on the embedded default (all five models, default settings), and the
trainer's throughput per model (samples per second, from the run's report)."""

from __future__ import annotations

import json
import subprocess
import sys


def test_ml5_run_default(benchmark, tmp_path):
    reports = []

    def run():
        out = tmp_path / f"run{len(reports)}"
        subprocess.run([sys.executable, "-m", "ml5", "run", "--out", str(out)], check=True, capture_output=True, cwd=tmp_path)
        reports.append(json.loads((out / "report.json").read_text()))

    benchmark.group = "ml5 run (default)"
    benchmark.pedantic(run, rounds=1, iterations=1)
    report = reports[-1]
    benchmark.extra_info["run_seconds"] = report["seconds"]
    for model in report["models"]:
        benchmark.extra_info[f"{model['model']}_samples_per_second"] = round(model["samples_per_second"])
        benchmark.extra_info[f"{model['model']}_epochs"] = model["epochs_run"]
        benchmark.extra_info[f"{model['model']}_gain"] = round(model["gain_over_baseline"], 3)
