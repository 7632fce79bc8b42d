"""The learning table: what each network learns on each data set it trains on by default or on
the fixtures in the real layouts, beside the trivial baseline and a linear model.

    python benchmarks/learning_table.py OUT [--runs synthetic,corpus,gmd,emopia] [--epochs N]

Each run is a real ``ml5 run`` subprocess into OUT/<run>; the GMD-layout and EMOPIA-layout
fixtures are the ones the test suite builds (tests/test_evaluate.py, plugins/ml5-emopia/tests), and
the DEAM-layout one (plugins/ml5-deam/tests) with DEAM_SONGS songs.
Prints one Markdown row per (run, model): validation loss gain over the mean, the task metric
beside its baseline and the linear model, and the test split's where the data set has one.
With PYTHONPATH pointing at another checkout's sources the same command measures that one
(its reports may lack the linear model: the cells stay empty).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = {
    "synthetic": ("emotion,melody,harmony,dynamics,groove",
                  '[models.harmony]\ndataset = "synthetic"\n[models.melody]\ndataset = "synthetic"\n'),
    "corpus": ("harmony,melody", '[models.harmony]\ndataset = "corpus"\n[models.melody]\ndataset = "corpus"\n'),
    "gmd": ("groove,dynamics", ""),
    "emopia": ("melody,dynamics,groove", ""),
    "deam": ("emotion", ""),
}
DEAM_SONGS = 120


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def fixtures(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    if not (folder / "gmd").exists():
        _load(ROOT / "tests" / "test_evaluate.py", "fixture_gmd").make_gmd(folder / "gmd")
    if not (folder / "emopia").exists():
        _load(ROOT / "plugins" / "ml5-emopia" / "tests" / "test_emopia.py", "fixture_emopia").make_emopia(folder / "emopia")
    if not (folder / "deam").exists():  # valence heard as major or minor, arousal as pace and loudness
        _load(ROOT / "plugins" / "ml5-deam" / "tests" / "test_deam.py", "fixture_deam").make_deam(folder / "deam", DEAM_SONGS)
    out["gmd"], out["emopia"], out["deam"] = folder / "gmd", folder / "emopia", folder / "deam"
    return out


def config(run: str, data: dict[str, Path], epochs: int) -> str:
    plugins, text = RUNS[run]
    text = (f"[train]\nepochs = {epochs}\n" if epochs else "") + text
    if run in ("gmd", "emopia", "deam"):
        for model in plugins.split(","):
            text += f'[models.{model}]\ndataset = "{run}"\npath = "{data[run].as_posix()}"\n'
            # the EMOPIA-layout clips are four bars long: phrases of one bar, as its tests read them
            text += f"[models.{model}.options]\nworkers = 1\n" + ("phrase_bars = 1\n" if run == "emopia" else "")
    return text


def _task(task: dict | None, key: str) -> str:
    if not task or task.get(key) is None:
        return ""
    extra = {"top1_accuracy": "top3_accuracy"}.get(task["metric"])
    text = f"{task[key]:.4g}"
    if extra:
        figure = extra if key == "value" else f"{key}_{extra}"
        if task.get(figure) is not None:
            text += f" / {task[figure]:.3g}"
    return text


def rows(run: str, report: dict) -> list[str]:
    out = []
    for r in report["models"]:
        if "error" in r:
            out.append(f"| {run} | {r['model']} | error: {r['error'][:80]} |||||")
            continue
        task, test = r.get("task"), r.get("task_test")
        out.append(f"| {run} | {r['model']} | {r['gain_over_baseline']:.1%} | {task['metric']} | "
                   f"{_task(task, 'value')} | {_task(task, 'baseline')} | {_task(task, 'linear')} | "
                   + (f"{_task(test, 'value')} · {_task(test, 'baseline')} · {_task(test, 'linear')}" if test else "")
                   + " |")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--runs", default=",".join(RUNS))
    parser.add_argument("--epochs", type=int, default=0, help="0: the defaults")
    args = parser.parse_args()
    data = fixtures(args.out / "data")
    table = ["| run | model | loss gain | metric | validation (top-3) | baseline | linear | test: model · baseline · linear |",
             "|---|---|---|---|---|---|---|---|"]
    for run in args.runs.split(","):
        folder = args.out / run
        (args.out / f"{run}.toml").write_text(config(run, data, args.epochs))
        if not (folder / "report.json").exists():
            subprocess.run([sys.executable, "-m", "ml5", "run", "--plugins", RUNS[run][0], "--config",
                            str(args.out / f"{run}.toml"), "--out", str(folder)], check=False, env=os.environ.copy(),
                           stdout=subprocess.DEVNULL)
        table += rows(run, json.loads((folder / "report.json").read_text()))
    print("\n".join(table))


if __name__ == "__main__":
    main()
