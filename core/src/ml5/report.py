"""The run report: ``report.json`` (everything, skipped items counted by kind of reason with the
first few of each), ``report.md`` (a table per model) and ``skipped.jsonl`` (every skipped item)."""

from __future__ import annotations

import json
import platform
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ml5 import skipped as skips
from ml5._version import __version__
from ml5.atomic import atomic_write

#: (column title, how to read it from a model's result) for the Markdown table
COLUMNS: tuple[tuple[str, Any], ...] = (
    ("model", lambda r: r["model"]),
    ("parameters", lambda r: f"{r['parameters']:,}"),
    ("epochs run", lambda r: r.get("epochs_run", "")),
    ("best val loss", lambda r: _num(r.get("best_val_loss"))),
    ("baseline loss", lambda r: _num(r.get("baseline_loss"))),
    ("gain over baseline", lambda r: f"{r['gain_over_baseline']:.1%}" if "gain_over_baseline" in r else ""),
    ("task metric (validation)", lambda r: _task(r, "value")),
    ("its baseline", lambda r: _task(r, "baseline")),
    ("linear model", lambda r: _task(r, "linear")),
    ("test split: model / baseline / linear", lambda r: _test(r)),
    ("export bytes", lambda r: ", ".join(f"{name} {e['bytes']:,}" for name, e in r.get("exports", {}).items())),
    (
        "verification max error",
        lambda r: ", ".join(f"{v['verifier']} {v['max_abs_error']:.2e}" for v in r.get("verifications", [])),
    ),
    (
        "runtime load ms / frame µs",
        lambda r: ", ".join(
            f"{v['verifier']} {v['details']['load_ms']:.1f} / {v['details']['frame_us_p50']:.1f}"
            for v in r.get("verifications", [])
            if "load_ms" in v.get("details", {})
        ),
    ),
)


def _num(value: Any) -> str:
    return "" if value is None else f"{value:.4g}"


#: extra figures of a task metric shown beside the headline: (key, label)
_TASK_EXTRAS = {"top1_accuracy": ("top3_accuracy", "top-3")}


def _va(task: dict[str, Any], which: str) -> str:
    """Valence and arousal figures of an emotion model: MSE each, and r for the model."""
    if which == "value":
        return (f" (valence mse {task['valence_mse']:.4g} r {task['valence_r']:.3f}, "
                f"arousal mse {task['arousal_mse']:.4g} r {task['arousal_r']:.3f})")
    return f" (valence {task['baseline_valence_mse']:.4g}, arousal {task['baseline_arousal_mse']:.4g}, r 0)"


def _task(r: dict[str, Any], which: str, key: str = "task") -> str:
    task = r.get(key)
    if not task or task.get(which) is None:
        return ""
    text = f"{task['metric']} {task[which]:.4g}"
    if task["metric"] == "valence_arousal_mse":
        if which == "linear":
            return text + f" (valence r {task['linear_valence_r']:.3f}, arousal r {task['linear_arousal_r']:.3f})"
        return text + _va(task, which)
    extra = _TASK_EXTRAS.get(task["metric"])
    if extra:
        figure = extra[0] if which == "value" else f"{which}_{extra[0]}"
        text += f" ({extra[1]} {task[figure]:.4g})"
    return text


def _test(r: dict[str, Any]) -> str:
    """The data set's official test split, where it has one: model, trivial baseline, linear."""
    if not r.get("task_test"):
        return ""
    return " / ".join(_task(r, which, "task_test") for which in ("value", "baseline", "linear"))


def _context_lines(models: list[dict[str, Any]]) -> list[str]:
    """The emotion embedding's musical context, scored on the validation rows that know it."""
    lines = []
    for r in models:
        context = (r.get("task") or {}).get("context") or {}
        if "r" not in context:
            continue
        scalars = ", ".join(f"{name} {value:.2f}" for name, value in context["r"].items())
        profiles = ", ".join(f"{name} {context[f'{name}_top1']:.2f} (most frequent {context[f'{name}_top1_majority']:.2f})"
                             for name in ("pitch_class", "bass", "octave"))
        lines.append(f"- **{r['model']}** ({context['examples']} validation rows): Pearson r {scalars}; "
                     f"strongest bin right: {profiles}")
    return ["## Musical context of the embedding", "", *lines, ""] if lines else []


def _data_lines(models: list[dict[str, Any]], skipped_file: str) -> list[str]:
    """Per model: what it was trained on, cache use, what was skipped counted by kind of reason
    with a few examples of each, and what was left out of the files used (counted only)."""
    lines: list[str] = []
    for r in models:
        data = r.get("data") or {}
        if "files" not in data:
            continue
        lines.append(
            f"- **{r['model']}** ({r.get('dataset', '')}): {data.get('description', '')}; "
            f"{data['files']} files, {data['files_used']} used, {data['files_skipped']} skipped, "
            f"{data.get('from_cache', 0)} read from cache"
        )
        lines += _skipped_lines(data, skipped_file)
        if data.get("left_out"):
            lines.append("  - left out of the files used (counted, not listed): "
                         + "; ".join(f"{what} {count:,}" for what, count in data["left_out"].items()))
    if not lines:
        return []
    where = ([f"Every skipped file, row and tune, with its reason, is in `{skipped_file}` in the run folder.", ""]
             if any((r.get("data") or {}).get("skipped_total") for r in models) else [])
    return ["## Data", "", *where, *lines, ""]


def _skipped_lines(data: dict[str, Any], skipped_file: str, examples: int = 3, kinds: int = 12) -> list[str]:
    """The counts by kind of reason (the ``kinds`` most frequent), ``examples`` items of each."""
    by_reason = data.get("skipped_by_reason") or {}
    if not by_reason:
        return []
    more = f"; {len(by_reason) - kinds} more kinds in report.json" if len(by_reason) > kinds else ""
    lines = [f"  - skipped by reason ({data['skipped_total']:,} in all): "
             + "; ".join(f"{kind} {count:,}" for kind, count in list(by_reason.items())[:kinds]) + more]
    for _, _, items in skips.examples_by_kind(data, examples, kinds):
        lines += [f"  - skipped `{item['file']}`: {item['reason']}" for item in items]
    if data["skipped_total"] > len(lines) - 1:
        lines.append(f"  - … {data['skipped_total'] - (len(lines) - 1):,} more: every one with its reason in `{skipped_file}`")
    return lines


def build(run: Any, seconds: float) -> dict[str, Any]:
    plan = run.plan
    results = list(run.results.values())
    failed_checks = [
        f"{r['model']}: {v['verifier']} on {v['exporter']}"
        for r in results
        for v in r.get("verifications", [])
        if not v["passed"]
    ]
    errors = [f"{r['model']}: {r['error']}" for r in results if "error" in r]
    notes = []
    if not plan.registry.models:
        notes.append("No model plugins are installed (or none was loaded: see ML5_PLUGINS and --disable): "
                     "nothing was trained. Install ml5-emotion, ml5-melody, … (see the README) and run again.")
    elif not plan.models:
        notes.append("No model was selected.")
    return {
        "ml5_version": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "seconds": round(seconds, 3),
        "trainer": plan.trainer.spec.name if plan.trainer else None,
        # processes that trained (1 without a launcher), their backend and host:device each
        **run.world.describe(),
        "exporters": sorted({e.spec.name for m in plan.models for e in m.exporters}),
        "verifiers": [v.spec.name for v in plan.verifiers],
        "models": results,
        "total_parameters": sum(r.get("parameters", 0) for r in results),
        # every file, row or tune the data sets left out is a line of this file in the run folder;
        # the models' "data" keep counts by kind of reason and the first few of each kind
        "skipped_file": skips.JSONL,
        "skipped_total": len(run.skipped),
        "failures": errors + failed_checks,
        "ok": not errors and not failed_checks,
        "notes": notes,
    }


def markdown(doc: dict[str, Any]) -> str:
    lines = ["# ml5 run report", "", f"ml5 {doc['ml5_version']}, Python {doc['python']}, {doc['seconds']:.1f} s", ""]
    if doc.get("world_size", 1) > 1:
        lines += [f"Trained by {doc['world_size']} processes ({doc['backend']}): {', '.join(doc['devices'])}", ""]
    lines += [f"> {note}" for note in doc["notes"]]
    models = [r for r in doc["models"] if "error" not in r]
    if models:
        lines += ["| " + " | ".join(title for title, _ in COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
        lines += ["| " + " | ".join(str(get(r)) for _, get in COLUMNS) + " |" for r in models]
        lines += ["", f"Total parameters: {doc['total_parameters']:,}", ""]
        lines += _context_lines(models)
        lines += _data_lines(models, doc.get("skipped_file", skips.JSONL))
    if doc["failures"]:
        lines += ["## Failures", ""] + [f"- {failure}" for failure in doc["failures"]]
    lines.append("")
    return "\n".join(lines)


def write(doc: dict[str, Any], folder: Path, skipped: Sequence[Mapping[str, Any]] = ()) -> None:
    """report.json, report.md, and skipped.jsonl: every skipped item, one JSON object a line."""
    skips.write_jsonl(folder / doc.get("skipped_file", skips.JSONL), skipped)
    atomic_write(folder / "report.json", json.dumps(doc, indent=2, default=str) + "\n")
    atomic_write(folder / "report.md", markdown(doc))
