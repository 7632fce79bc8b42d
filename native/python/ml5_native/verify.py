"""``ml5 verify [DIR]``: load a folder of exported models into the C++ MultiModelProcessor and
report what runs (network or fallback, and why), the pipeline's outputs for a test input, the
latency of the full pipeline and the memory its weights take.

Registered by the native plugin through ``ml5_register_commands``; numpy and the C++
extension are imported only when the command runs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Optional

import typer
from ml5.music import PITCH_CLASSES

#: how many output values the summary shows per model
FIRST_VALUES = 4



def register(cli: typer.Typer) -> None:
    cli.command("verify")(verify)


def verify(
    folder: Optional[Path] = typer.Argument(
        None, help="Folder of exported <stem>.json files (default: $ML5_MODELS_PATH, then the runtime's search order)."
    ),
    frames: int = typer.Option(1000, "--frames", "-n", min=1, help="Pipeline calls timed for the latency figures."),
    seed: int = typer.Option(0, "--seed", help="Seed of the test input (128 standard-normal features)."),
    allow_fallback: bool = typer.Option(False, "--allow-fallback", help="Exit 0 even if a model runs on its fallback."),
    precision: str = typer.Option(
        "fp32", "--precision",
        help="How the weight matrices are held: fp32 (exact) or fp16 (half the bytes; its error against fp32 is reported).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Run the C++ processor on exported models: status per model, pipeline outputs, latency, memory."""
    from rich.console import Console

    err = Console(stderr=True, soft_wrap=True)
    if folder is not None and not folder.is_dir():
        err.print(f"[red]error[/]: {folder} is not a folder (expected a folder of exported <stem>.json files)", highlight=False)
        raise typer.Exit(2)
    if precision not in ("fp32", "fp16"):
        err.print(f"[red]error[/]: --precision {precision!r}: use fp32 or fp16", highlight=False)
        raise typer.Exit(2)
    doc = run_verification(folder, frames=frames, seed=seed, precision=precision)
    if as_json:
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    else:
        _print_report(doc)
    fallbacks = [m for m in doc["models"] if not m["loaded"]]
    if fallbacks and not allow_fallback:
        names = ", ".join(f"{m['model']} ({m['reason']})" for m in fallbacks)
        err.print(f"[red]error[/]: {len(fallbacks)} model(s) on a fallback: {names}; --allow-fallback accepts that",
                  highlight=False)
        raise typer.Exit(1)


#: test inputs over which an fp16 run's outputs are compared with fp32
PRECISION_CHECK_FRAMES = 256


def run_verification(folder: Optional[Path], frames: int = 1000, seed: int = 0, precision: str = "fp32") -> dict[str, Any]:
    """The report of ``ml5 verify`` as a dict (what ``--json`` prints)."""
    import numpy as np

    import ml5_native

    proc = ml5_native.Processor(precision=precision)
    statuses = proc.initialize(None if folder is None else str(folder))
    features = np.random.default_rng(seed).standard_normal(ml5_native.FEATURE_SIZE).astype(np.float32)
    outputs, sources = proc.run(features, with_sources=True)
    times_us = proc.time_pipeline(features, frames) / 1e3
    stats = proc.stats
    models = [
        {
            "model": s.model,
            "stem": s.stem,
            "loaded": s.loaded,
            "reason": s.reason,
            "message": s.message,
            "path": s.path,
            "n_params": s.n_params,
            "weight_bytes": s.weight_bytes,
            "load_ms": round(s.load_ms, 3),
        }
        for s in statuses
    ]
    labels = {s.model: _output_labels(Path(s.path)) for s in statuses if s.loaded}
    return {
        "folder": proc.models_directory or None,
        "searched": proc.searched_folders,
        "models": models,
        "input": {"features": ml5_native.FEATURE_SIZE, "distribution": "standard normal", "seed": seed},
        "outputs": {name: _summary(name, values, sources[name], labels.get(name)) for name, values in outputs.items()},
        "latency_us": {
            "frames": frames,
            "p50": float(np.percentile(times_us, 50)),
            "p99": float(np.percentile(times_us, 99)),
            "mean": float(times_us.mean()),
            "max": float(times_us.max()),
        },
        "memory": {
            "models_loaded": stats["models_loaded"],
            "parameters": stats["total_params"],
            "weight_bytes": stats["total_weight_bytes"],
        },
        "precision": precision,
        **({"error_vs_fp32": _error_vs_fp32(proc, folder, seed)} if precision != "fp32" else {}),
        "ok": all(m["loaded"] for m in models),
    }


def _error_vs_fp32(proc: Any, folder: Optional[Path], seed: int) -> dict[str, Any]:
    """Per output, the largest |difference| from an fp32 processor on the same folder, over
    PRECISION_CHECK_FRAMES standard-normal feature frames (the input of the report among them)."""
    import numpy as np

    import ml5_native

    exact = ml5_native.Processor(precision="fp32")
    exact.initialize(proc.models_directory or (None if folder is None else str(folder)))
    rng = np.random.default_rng(seed)
    worst: dict[str, float] = {}
    for _ in range(PRECISION_CHECK_FRAMES):
        features = rng.standard_normal(ml5_native.FEATURE_SIZE).astype(np.float32)
        a, b = proc.run(features), exact.run(features)
        for name in a:
            worst[name] = max(worst.get(name, 0.0), float(np.max(np.abs(a[name] - b[name]))))
    return {"frames": PRECISION_CHECK_FRAMES, "max_abs": worst, "overall": max(worst.values(), default=0.0)}


def _output_labels(path: Path) -> Optional[list[str]]:
    """model_card.output_labels of an exported file, if it has them."""
    try:
        card = json.loads(path.read_text()).get("model_card") or {}
    except (OSError, ValueError, AttributeError):
        return None
    labels = card.get("output_labels") if isinstance(card, dict) else None
    return [str(label) for label in labels] if isinstance(labels, list) else None


def _summary(name: str, values: Any, source: str, labels: Optional[list[str]]) -> dict[str, Any]:
    top = int(values.argmax())
    summary: dict[str, Any] = {
        "source": source,
        "size": int(values.size),
        "first": [round(float(v), 6) for v in values[:FIRST_VALUES]],
        "min": float(values.min()),
        "max": float(values.max()),
        "mean": float(values.mean()),
        "argmax": top,
    }
    if labels and len(labels) == values.size:
        summary["argmax_label"] = labels[top]
    elif name == "melody":  # index = MIDI pitch
        summary["argmax_label"] = f"{PITCH_CLASSES[top % 12]}{top // 12 - 1}"
    return summary


def _print_report(doc: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
    out.print(f"models folder: {doc['folder'] or '(none found; searched: ' + ', '.join(doc['searched']) + ')'}",
              highlight=False)
    table = Table("model", "file", "runs", "parameters", "weight bytes", "load ms", "why a fallback")
    for m in doc["models"]:
        table.add_row(
            m["model"],
            f"{m['stem']}.json",
            "network" if m["loaded"] else "[yellow]fallback[/]",
            f"{m['n_params']:,}" if m["loaded"] else "-",
            f"{m['weight_bytes']:,}" if m["loaded"] else "-",
            f"{m['load_ms']:.1f}" if m["loaded"] else "-",
            "" if m["loaded"] else f"{m['reason']}: {m['message']}",
        )
    out.print(table)
    inp = doc["input"]
    out.print(f"pipeline outputs for {inp['features']} {inp['distribution']} features (seed {inp['seed']}):", highlight=False)
    outputs = Table("output", "size", "from", "first values", "min", "max", "argmax")
    for name, s in doc["outputs"].items():
        argmax = str(s["argmax"]) + (f" ({s['argmax_label']})" if "argmax_label" in s else "")
        outputs.add_row(name, str(s["size"]), s["source"], " ".join(f"{v:+.4f}" for v in s["first"]),
                        f"{s['min']:+.4f}", f"{s['max']:+.4f}", argmax)
    out.print(outputs)
    lat, mem = doc["latency_us"], doc["memory"]
    out.print(f"latency of runFullPipeline over {lat['frames']} frames: p50 {lat['p50']:.1f} µs, "
              f"p99 {lat['p99']:.1f} µs, mean {lat['mean']:.1f} µs", highlight=False)
    out.print(f"memory: {mem['weight_bytes']:,} bytes of weights ({mem['weight_bytes'] / 2**20:.2f} MiB), "
              f"{mem['parameters']:,} parameters in {mem['models_loaded']} loaded model(s), precision {doc['precision']}",
              highlight=False)
    if "error_vs_fp32" in doc:
        e = doc["error_vs_fp32"]
        per = ", ".join(f"{name} {value:.2e}" for name, value in e["max_abs"].items())
        out.print(f"{doc['precision']} against fp32 over {e['frames']} frames: max |difference| {e['overall']:.2e} ({per})",
                  highlight=False)
