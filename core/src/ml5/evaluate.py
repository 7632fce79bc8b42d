"""``ml5 evaluate EXPORTS --dataset NAME [PATH]``: score a folder of exported models on a data set.

For every installed model whose RTNeural file (``<stem>.json``) is in EXPORTS and that the data
set feeds, the data set is opened for that model, the rows of one split are taken (``test`` by
default), the inputs are brought to the standardisation the export expects (``restandardise``),
the file runs in an engine that a plugin registers (``ml5_register_engines``; ``--engine NAME``,
by default the installed one of highest priority), and the model's task metric (``ml5.metrics.task_metrics``) is computed beside its trivial
baseline, whose statistics come from the data set's training rows.

Torch-free; numpy and the engines are imported when a model is scored.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ml5 import skipped as skips
from ml5.config import ConfigError
from ml5.registry import EngineError, Registry
from ml5.run import DataError, dataset_options
from ml5.specs import Data, DatasetFormat, Engine, ModelSpec

#: what ``--split`` accepts: one of the splits a data set ships, or every row
SPLITS = ("test", "validation", "all")
#: the suffix of the files evaluated: the RTNeural exporter's
SUFFIX = ".json"


class EvaluateError(Exception):
    """Nothing can be evaluated: ``code`` 2 for a usage error, 1 when the work failed."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def choose_engine(registry: Registry, name: str | None) -> Engine:
    """The installed engine called ``name`` (None: the preferred one installed); EvaluateError
    (code 2) naming the installed engines when there is no such engine."""
    try:
        return registry.engine(name)
    except EngineError as exc:
        raise EvaluateError(f"--engine: {exc}", 2) from None


def engine_forward(engine: Engine, path: Path) -> Callable[[Any], Any]:
    """``forward(x)``: the file at ``path`` loaded by ``engine``, mapping (n, in) float32 rows to
    (n, out) outputs, every row from a zero state. Raises ValueError when the file does not load."""
    import numpy as np

    model = engine.load(path)

    def forward(x: Any) -> Any:
        x = np.ascontiguousarray(x, np.float32)
        return np.asarray(model.forward_batch(x)) if len(x) else np.zeros((0, model.out_size))

    return forward


def _standardisation(card: Mapping[str, Any] | None, width: int, whose: str) -> tuple[Any, Any] | None:
    import numpy as np

    entry = (card or {}).get("input_standardisation")
    if not entry:
        return None
    mean, std = (np.asarray(entry.get(key, ()), np.float64) for key in ("mean", "std"))
    if mean.shape != (width,) or std.shape != (width,):
        raise ValueError(f"{whose} input_standardisation has mean of {mean.size} and std of {std.size} values; "
                         f"the inputs have {width}")
    if not (np.isfinite(mean).all() and np.isfinite(std).all() and (std > 0).all()):
        raise ValueError(f"{whose} input_standardisation: mean and std must be finite and std positive")
    return mean, std


def restandardise(inputs: Any, data_card: Mapping[str, Any] | None, export_card: Mapping[str, Any] | None) -> Any:
    """Inputs as a data set gives them, brought to what an export expects.

    A data set whose ``Data.card`` holds ``input_standardisation`` (mean, std) gives
    ``(raw - mean_data) / std_data``, standardised with its own fitted statistics; an export
    whose model card holds one expects ``(raw - mean_export) / std_export``. So
    ``raw = x * std_data + mean_data`` (``raw = x`` without a data card) and the result is
    ``(raw - mean_export) / std_export`` (``raw`` without an export card). float32, (n, width)."""
    import numpy as np

    x = np.asarray(inputs, np.float64)
    if x.ndim != 2:
        raise ValueError(f"inputs must be a 2-D array (rows, features), got shape {x.shape}")
    width = x.shape[1]
    data = _standardisation(data_card, width, "the data set's")
    export = _standardisation(export_card, width, "the export's")
    if data is not None and export is not None and all(np.array_equal(a, b) for a, b in zip(data, export)):
        return np.ascontiguousarray(inputs, np.float32)  # the same statistics: nothing to change
    raw = x * data[1] + data[0] if data is not None else x
    out = (raw - export[0]) / export[1] if export is not None else raw
    return np.ascontiguousarray(out, np.float32)


def split_rows(data: Data, split: str) -> tuple[Any, str | None]:
    """(boolean mask of the rows of ``split``, None) or (None, why there are none)."""
    import numpy as np

    n = len(data.inputs)
    if split == "all":
        return np.ones(n, bool), None
    if data.split is None:
        return None, f"the data set ships no {split} split (no split at all): use --split all"
    labels = np.asarray(data.split).astype(str)
    rows = labels == split
    if not rows.any():
        names, counts = np.unique(labels, return_counts=True)
        have = ", ".join(f"{name} {count}" for name, count in zip(names.tolist(), counts.tolist()))
        return None, f"no {split} rows in this data set (it has: {have or 'no rows'})"
    return rows, None


def train_rows(data: Data) -> Any:
    """The rows a trivial baseline learns from: the "train" split, every row without one."""
    import numpy as np

    if data.split is None:
        return np.ones(len(data.targets), bool)
    rows = np.asarray(data.split).astype(str) == "train"
    return rows if rows.any() else np.ones(len(data.targets), bool)


def _skipped(data: Data) -> dict[str, Any]:
    """What the data set skipped: file counts, every skipped item counted by kind of reason with
    the first few of each listed (``ml5.skipped.summary``), and what it left out of the files used."""
    stats = dict(data.stats)
    items = list(data.skipped) or skips.from_stats(stats)
    counted: dict[str, Any] = skips.summary(items) if data.skipped or "skipped_total" not in stats else {
        key: stats[key] for key in ("skipped_total", "skipped_by_reason", "skipped", "skipped_per_reason") if key in stats}
    return {
        "files": stats.get("files"),
        "files_used": stats.get("files_used"),
        "files_skipped": stats.get("files_skipped", len(items)),
        **counted,
        **({"left_out": dict(stats["left_out"])} if stats.get("left_out") else {}),
    }


def _export_card(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"{path.name} is not readable JSON: {exc}") from None
    card = document.get("model_card") if isinstance(document, dict) else None
    return card if isinstance(card, dict) else {}


def evaluate_model(
    spec: ModelSpec, export: Path, fmt: DatasetFormat, path: Path | None, options: Mapping[str, Any],
    split: str, engine: Engine,
) -> dict[str, Any]:
    """One model's result: ``scored`` with its ``metric`` (the task metric), ``examples`` and a
    ``predictions`` fingerprint, or not ``scored`` with the ``reason``. The predictions
    themselves are under the key ``"outputs"`` (an array; ``evaluate`` drops it from documents)."""
    import numpy as np

    from ml5.metrics import task_metrics

    result: dict[str, Any] = {"model": spec.name, "export": str(export), "dataset": fmt.name, "split": split,
                              "engine": engine.name, "scored": False}
    try:
        card = _export_card(export)
    except ValueError as exc:
        return {**result, "reason": str(exc)}
    if card.get("training_data"):
        result["trained_on"] = card["training_data"]
    try:
        data = fmt.open(spec, path, dict(options))
    except DataError as exc:
        return {**result, "reason": f"the data set cannot be read: {exc}"}
    result["data"] = data.description
    result["skipped"] = _skipped(data)
    rows, why = split_rows(data, split)
    if rows is None:
        return {**result, "reason": why}
    try:
        x = restandardise(np.asarray(data.inputs)[rows], data.card, card)
    except ValueError as exc:
        return {**result, "reason": str(exc)}
    result["standardisation"] = {"data": "input_standardisation" in data.card,
                                 "export": "input_standardisation" in card}
    try:
        outputs = np.asarray(engine_forward(engine, export)(x), np.float64)
    except (ValueError, OSError) as exc:  # the engine refuses the file, or its width is not the data's
        return {**result, "reason": f"{export.name} does not run: {exc}"}
    targets = np.asarray(data.targets)
    if outputs.shape != (len(x), targets.shape[1]):
        return {**result, "reason": f"{export.name} gives outputs of shape {outputs.shape}, "
                                    f"the data set's targets are {targets[rows].shape}"}
    metric = task_metrics(spec.metric or spec.loss, outputs, targets[rows], targets[train_rows(data)])
    return {
        **result,
        "scored": True,
        "examples": int(len(x)),
        "metric": metric,
        "predictions": {"sum": float(outputs.sum()), "min": float(outputs.min()), "max": float(outputs.max()),
                        "mean": float(outputs.mean())},
        "outputs": outputs,
    }


def evaluate(
    registry: Registry, exports: Path, dataset: str, path: Path | None = None,
    options: Mapping[str, Any] | None = None, split: str = "test", engine: str | None = None,
    keep_outputs: bool = False,
) -> dict[str, Any]:
    """Every installed model whose export is in ``exports`` and that ``dataset`` feeds, scored on
    ``split``. Raises EvaluateError (code 2) for a usage error: no such folder, an unknown data
    set, split or engine, a data set that needs a path given none. The document's ``scored``
    counts the models scored; ``models`` holds one result each (``evaluate_model``), ``not_fed``
    the exports found for models the data set has no data for."""
    exports = Path(exports)
    if not exports.is_dir():
        raise EvaluateError(f"{exports} is not a folder of exported models", 2)
    if dataset not in registry.datasets:
        raise EvaluateError(f"unknown dataset {dataset!r}; installed: {', '.join(registry.datasets) or 'none'}", 2)
    if split not in SPLITS:
        raise EvaluateError(f"--split {split!r}: use one of {', '.join(SPLITS)}", 2)
    fmt = registry.datasets[dataset].spec
    if path is None and fmt.needs_path:
        raise EvaluateError(f"dataset {dataset!r} reads a folder on disk: ml5 evaluate {exports} --dataset {dataset} /path/to/it", 2)
    if path is not None and not Path(path).exists():
        raise EvaluateError(f"{path} does not exist", 2)
    chosen = choose_engine(registry, engine)
    merged = {**fmt.options, **(options or {})}
    doc: dict[str, Any] = {"exports": str(exports), "dataset": dataset, "path": None if path is None else str(path),
                           "options": merged, "split": split, "engine": chosen.name, "models": [], "not_fed": []}
    for entry in registry.models.values():
        spec = entry.spec
        export = exports / f"{spec.stem}{SUFFIX}"
        if not export.is_file():
            continue
        if spec.name not in fmt.feeds:
            doc["not_fed"].append({"model": spec.name, "export": str(export),
                                   "reason": f"dataset {dataset!r} has no data for it (it feeds {', '.join(fmt.feeds)})"})
            continue
        try:  # the options it trained with: the network's own (ModelSpec.dataset_options) under those given
            model_options = dataset_options(fmt, spec, options or {})
        except ConfigError as exc:
            raise EvaluateError(str(exc), 2) from None
        result = evaluate_model(spec, export, fmt, path, model_options, split, chosen)
        result["options"] = model_options
        if not keep_outputs:
            result.pop("outputs", None)
        doc["models"].append(result)
    doc["scored"] = sum(1 for r in doc["models"] if r["scored"])
    return doc


def nothing_scored(doc: Mapping[str, Any], registry: Registry) -> str:
    """Why a document scored no model, in one message."""
    if doc["models"]:
        reasons = "; ".join(f"{r['model']}: {r['reason']}" for r in doc["models"])
        return f"no model could be scored on {doc['dataset']} ({doc['split']}): {reasons}"
    fmt = registry.datasets[doc["dataset"]].spec
    wanted = [f"{registry.models[m].spec.stem}{SUFFIX}" for m in fmt.feeds if m in registry.models]
    found = f"; it holds exports of {', '.join(r['model'] for r in doc['not_fed'])}" if doc["not_fed"] else ""
    return (f"no export in {doc['exports']} for a model that {doc['dataset']} feeds "
            f"(looked for {', '.join(wanted) or 'nothing: none of its models is installed'}){found}")


#: task-metric keys that are not extra figures
_HEADLINE_KEYS = {"metric", "value", "baseline", "higher_is_better", "examples", "baseline_rule"}


def extra_figures(metric: Mapping[str, Any]) -> str:
    """The task metric's other figures, each beside its baseline where it has one:
    ``top3_accuracy 0.71 (baseline 0.42)``."""
    parts = []
    for key, value in metric.items():
        if key in _HEADLINE_KEYS or key.startswith("baseline_") or not isinstance(value, (int, float)):
            continue
        base = metric.get(f"baseline_{key}")
        parts.append(f"{key} {value:.4g}" + (f" (baseline {base:.4g})" if isinstance(base, (int, float)) else ""))
    return ", ".join(parts)
