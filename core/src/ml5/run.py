"""One run: for each selected model, data → trainer → exporters → verifiers → report.

Everything that can be wrong with the config or the selection is found by ``plan()`` before
anything is written; ``execute()`` then does the work into one run folder.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import math
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs

from ml5 import runlock
from ml5 import skipped as skips
from ml5._version import __version__
from ml5.atomic import atomic_write
from ml5.config import Config, ConfigError, TrainSettings
from ml5.distributed import World, agree, broadcast, gather, wait_for_data
from ml5.registry import Entry, Registry
from ml5.specs import Data, DatasetFormat, Exporter, ModelSpec, Trainer, Verifier


class RunError(RuntimeError):
    """Work failed (bad data on disk, a failed verification …): exit code 1."""


class DataError(RunError):
    """A data set on disk cannot be read: the message names the file and what to do."""


class RunInterrupted(Exception):
    """The user stopped the run (Ctrl-C): where it stopped, so the CLI can say how to resume."""

    def __init__(self, folder: Path, model: str, epochs_done: int, finished: list[str]) -> None:
        self.folder, self.model, self.epochs_done, self.finished = folder, model, epochs_done, finished
        super().__init__(f"interrupted while on model {model!r} after {epochs_done} epoch(s)")


@attrs.frozen
class TrainRequest:
    """What a trainer gets for one model."""

    spec: ModelSpec
    data: Data
    settings: TrainSettings
    seed: int
    folder: Path  # the model's folder in the run: checkpoints, curves
    resume: bool = False
    on_epoch_end: Callable[[int, dict[str, float]], None] = lambda epoch, metrics: None
    #: this process's place in a distributed run (a world of one without a launcher): a trainer
    #: that supports it splits each batch over the ranks; one that does not must refuse size > 1
    world: World = attrs.Factory(World)


@attrs.frozen
class TrainedModel:
    """What a trainer returns: weights in PyTorch layout, a forward function, metrics."""

    spec: ModelSpec
    #: one dict per layer of ``spec.layers``: dense → weight (out×in), bias; lstm/gru →
    #: weight_ih, weight_hh, bias_ih, bias_hh — PyTorch's names and layouts, numpy float32
    layer_weights: tuple[Mapping[str, Any], ...]
    #: stateless forward pass: (n, input_size) float32 → (n, output_size) float32
    predict: Callable[[Any], Any]
    metrics: Mapping[str, Any]
    held_out_inputs: Any  # validation inputs, for verifiers
    data_fingerprint: str


@attrs.frozen
class Verification:
    """What a verifier found for one exported file."""

    #: every output within ``tolerance`` of the trained model's
    passed: bool
    #: the largest absolute difference over all test inputs and outputs (inf: the file did not load)
    max_abs_error: float
    #: the verifier's allowed absolute difference
    tolerance: float
    #: anything else it measured (load time, latency, an error message)
    details: Mapping[str, Any] = attrs.field(factory=dict)


def frame_latency_us(forward: Callable[[Any], Any], frame: Any, repeats: int = 200) -> dict[str, float]:
    """Per-frame latency of a verifier's engine on one frame, p50 and p99 in µs: the figures
    the report's "runtime load ms / frame µs" column shows."""
    forward(frame)  # warm the caches
    times = []
    for _ in range(repeats):
        start = time.perf_counter_ns()
        forward(frame)
        times.append(time.perf_counter_ns() - start)
    times.sort()
    return {"frame_us_p50": times[len(times) // 2] / 1e3, "frame_us_p99": times[int(len(times) * 0.99)] / 1e3}


def compare_outputs(
    forward_batch: Callable[[Any], Any], model: TrainedModel, inputs: Mapping[str, Any], tolerance: float, **details: Any
) -> Verification:
    """A verifier's verdict: ``forward_batch`` (the exported file, run by some engine) against
    the trained model on each named input set; ``details`` are added to the result."""
    import numpy as np

    errors = {
        name: float(np.max(np.abs(np.asarray(forward_batch(x)) - model.predict(x)))) if len(x) else 0.0
        for name, x in inputs.items()
    }
    worst = max(errors.values(), default=0.0)
    return Verification(worst <= tolerance, worst, tolerance, {"max_abs_error": errors, **details})


@attrs.frozen
class ModelPlan:
    spec: Entry[ModelSpec]
    dataset: Entry[DatasetFormat]
    path: Path | None
    options: Mapping[str, Any]
    settings: TrainSettings
    exporters: tuple[Entry[Exporter], ...]


@attrs.frozen
class Plan:
    config: Config
    registry: Registry
    trainer: Entry[Trainer] | None
    models: tuple[ModelPlan, ...]
    verifiers: tuple[Entry[Verifier], ...]


def run_config(plan_: Plan) -> dict[str, Any]:
    """The run's config.json: the config with every planned model's hyper-parameters as it trains
    with them (its network's own defaults included), so that ``--config config.json`` repeats it."""
    data = plan_.config.to_dict()
    # [train] as the file gave it: loading config.json must leave the other models' own defaults
    # where they were
    data["train"] = {k: v for k, v in data["train"].items() if k in plan_.config.train_given}
    for model_plan in plan_.models:
        section = data["models"].setdefault(model_plan.spec.spec.name, {})
        section["train"] = attrs.asdict(model_plan.settings)
        section["dataset"] = model_plan.dataset.spec.name
        section["options"] = dict(model_plan.options)
        if model_plan.path is not None:  # relative paths resolve against the config file's folder
            section["path"] = str(Path(model_plan.path).resolve())
    return data


def _pick(kind: str, entries: Mapping[str, Entry[Any]], names: list[str] | None, key: str) -> list[Entry[Any]]:
    if names is None:
        return list(entries.values())
    unknown = [n for n in names if n not in entries]
    if unknown:
        raise ConfigError(key, f"unknown {kind} {unknown[0]!r}; available: {', '.join(entries) or 'none'}")
    return [entries[n] for n in names]


def _resolve_dataset(registry: Registry, spec: ModelSpec, config: Config, base: Path) -> tuple[Any, ...]:
    section = config.model(spec.name)
    name = section.dataset or registry.default_dataset(spec)
    key = f"models.{spec.name}.dataset"
    if name not in registry.datasets:
        raise ConfigError(key, f"unknown dataset {name!r}; available: {', '.join(registry.datasets) or 'none'}")
    entry = registry.datasets[name]
    fmt = entry.spec
    if spec.name not in fmt.feeds:
        raise ConfigError(key, f"dataset {name!r} has no data for model {spec.name!r} (it feeds: {', '.join(fmt.feeds)})")
    path = None
    if section.path is not None:
        path = (base / section.path).expanduser()
        if not path.exists():
            raise ConfigError(f"models.{spec.name}.path", f"{path} does not exist")
    elif fmt.needs_path:
        raise ConfigError(
            f"models.{spec.name}.path",
            f"dataset {name!r} reads a folder on disk: set path = \"/where/it/is\" in [models.{spec.name}]",
        )
    return entry, path, dataset_options(fmt, spec, section.options)


def dataset_options(fmt: DatasetFormat, spec: ModelSpec, given: Mapping[str, Any]) -> dict[str, Any]:
    """The options ``spec`` reads ``fmt`` with: the format's defaults, then the network's own
    (``ModelSpec.dataset_options``), then ``given`` (its [models.<name>.options]), each checked."""
    options = dict(fmt.options)
    layers = ((f"model {spec.name!r}: dataset_options.{fmt.name}", spec.dataset_options.get(fmt.name, {})),
              (f"models.{spec.name}.options", given))
    for where, values in layers:
        options.update({option: _option_value(fmt, option, value, f"{where}.{option}") for option, value in values.items()})
    return options


def _option_value(fmt: DatasetFormat, option: str, value: Any, key: str) -> Any:
    """``value`` as the type of the format's default for ``option``; ConfigError naming ``key``."""
    if option not in fmt.options:
        raise ConfigError(key, f"unknown option of dataset {fmt.name!r}; expected one of: {', '.join(fmt.options) or 'none'}")
    expected = type(fmt.options[option])
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
        raise ConfigError(key, f"expected {expected.__name__}, got {type(value).__name__} {value!r}")
    return value


def plan(registry: Registry, config: Config, plugin_names: list[str] | None = None) -> Plan:
    """Check the config against what is installed; raise ConfigError naming the key."""
    chosen = registry.select(plugin_names)
    base = Path(config.source).parent if config.source else Path.cwd()
    for name in config.models:
        if name not in registry.models:
            raise ConfigError(f"models.{name}", f"unknown model; installed: {', '.join(registry.models) or 'none'}")
    exporters = _pick("exporter", chosen["exporters"], config.run.exporters, "run.exporters")
    verifiers = _pick("verifier", chosen["verifiers"], config.run.verifiers, "run.verifiers")
    models = []
    for entry in chosen["models"].values():
        spec = entry.spec
        dataset, path, options = _resolve_dataset(registry, spec, config, base)
        own = config.model(spec.name).export.exporters
        model_exporters = _pick("exporter", registry.exporters, own, f"models.{spec.name}.export.exporters") if own is not None else exporters
        models.append(
            ModelPlan(entry, dataset, path, options, config.train_settings(spec.name, spec.train), tuple(model_exporters))
        )
    trainer = None
    if models:
        if config.run.trainer not in registry.trainers:
            raise ConfigError(
                "run.trainer", f"no trainer {config.run.trainer!r} installed; available: {', '.join(registry.trainers) or 'none'}"
            )
        trainer = registry.trainers[config.run.trainer]
    return Plan(config, registry, trainer, tuple(models), tuple(verifiers))


@attrs.define
class Run:
    """The run in progress, as hooks see it."""

    plan: Plan
    folder: Path
    resume: bool = False
    world: World = attrs.Factory(World)
    results: dict[str, dict[str, Any]] = attrs.Factory(dict)
    #: per model, the last epoch its trainer reported (and checkpointed)
    epochs_done: dict[str, int] = attrs.Factory(dict)
    #: every file, row or tune the data sets left out, per model: the lines of skipped.jsonl
    skipped: list[dict[str, str]] = attrs.Factory(list)

    def epoch_ended(self, model: ModelSpec, epoch: int, metrics: dict[str, float]) -> None:
        self.epochs_done[model.name] = epoch
        if self.world.is_main:  # hooks run in one process, as every other hook of the run does
            self.hook.ml5_epoch_end(run=self, model=model, epoch=epoch, metrics=metrics)

    @property
    def config(self) -> Config:
        return self.plan.config

    @property
    def hook(self) -> Any:
        return self.plan.registry.plugins.hook


def default_folder() -> Path:
    return Path("runs") / _dt.datetime.now().strftime("%Y%m%d-%H%M%S")


def _check_data(data: Data, spec: ModelSpec, dataset: str) -> None:
    import numpy as np

    for what, array, width in (("inputs", data.inputs, spec.input_size), ("targets", data.targets, spec.output_size)):
        shape = getattr(array, "shape", None)
        if shape is None or len(shape) != 2 or shape[1] != width:
            raise RunError(f"dataset {dataset!r} gave {what} of shape {shape} for model {spec.name!r}; expected (n, {width})")
        finite = np.isfinite(array)
        if what == "targets" and spec.loss == "mse":  # NaN marks an unknown target, left out of the loss
            finite |= np.isnan(array)
        if not finite.all():
            raise RunError(f"dataset {dataset!r} gave non-finite {what} for model {spec.name!r}")
    if len(data.inputs) != len(data.targets) or len(data.inputs) < 2:
        raise RunError(f"dataset {dataset!r} gave {len(data.inputs)} inputs and {len(data.targets)} targets")


def model_card(model: TrainedModel, plugin_version: str, data_card: Mapping[str, Any] | None = None) -> dict[str, Any]:
    spec = model.spec
    card = {
        "model": spec.title,
        "name": spec.name,
        "version": plugin_version,
        "ml5_version": __version__,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "input_size": spec.input_size,
        "output_size": spec.output_size,
        "input_meaning": spec.input_meaning,
        "output_meaning": spec.output_meaning,
        "head": spec.head,
        "loss": spec.loss,
        "parameters": spec.param_count,
        "training_data": model.data_fingerprint,
        "metrics": dict(model.metrics),
    }
    if spec.output_labels:
        card["output_labels"] = list(spec.output_labels)
    card.update(data_card or {})  # what the data set says a host needs to build the inputs
    return card


def card_json(card: Mapping[str, Any]) -> str:
    """A model card as compact JSON, the one way every exporter writes it: JSON has no NaN or
    infinity, so such values (a metric of a diverged run) become null."""

    def finite(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, Mapping):
            return {k: finite(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [finite(v) for v in value]
        return value

    return json.dumps(finite(dict(card)), separators=(",", ":"), default=str, allow_nan=False)


def verification_inputs(model: TrainedModel, seed: int, n_random: int = 64) -> dict[str, Any]:
    import numpy as np

    rng = np.random.default_rng(seed)
    random = rng.uniform(-1.0, 1.0, size=(n_random, model.spec.input_size)).astype(np.float32)
    return {"random": random, "held_out": np.asarray(model.held_out_inputs[:256], dtype=np.float32)}


def _train_one(run: Run, model_plan: ModelPlan, console: Any) -> dict[str, Any]:
    spec = model_plan.spec.spec
    folder = run.folder / spec.name
    dataset = model_plan.dataset.spec
    started = time.perf_counter()
    world = run.world
    if not world.is_main:
        wait_for_data(world)  # rank 0 reads first and fills the data set's cache; read it from there
    problem: RunError | None = None
    try:
        data = dataset.open(spec, model_plan.path, dict(model_plan.options))
        _check_data(data, spec, dataset.name)
    except RunError as exc:  # DataError included
        problem = exc
    finally:
        if world.is_main:
            wait_for_data(world)
    if world.distributed:  # a data set that fails on one rank stops the model on all of them
        found = agree(world, str(problem) if problem else None)
        if found:
            raise (type(problem) if problem else RunError)("; ".join(found))
    elif problem is not None:
        raise problem
    # how each rank got its data: rank 0 reads the files, the others the cache it filled
    reads = gather(world, {key: data.stats[key] for key in ("from_cache", "computed") if key in data.stats})
    # every item the data set left out: Data.skipped, or (a format that predates it) the stats' list;
    # the lines of skipped.jsonl, kept even if the training fails
    skipped = list(data.skipped) or skips.from_stats(data.stats)
    if world.is_main:
        run.skipped += [{"model": spec.name, "dataset": dataset.name, **attrs.asdict(item)} for item in skipped]
    assert run.plan.trainer is not None
    request = TrainRequest(
        spec=spec,
        data=data,
        settings=model_plan.settings,
        seed=run.config.run.seed,
        folder=folder,
        resume=run.resume,
        on_epoch_end=lambda epoch, metrics: run.epoch_ended(spec, epoch, metrics),
        world=world,
    )
    trained: TrainedModel = run.plan.trainer.spec.train(request)
    if not world.is_main:  # rank 0 exports, verifies and reports
        return {"model": spec.name, **dict(trained.metrics)}
    result: dict[str, Any] = {
        "model": spec.name,
        "title": spec.title,
        "dataset": dataset.name,
        "parameters": spec.param_count,
        "train_seconds": round(time.perf_counter() - started, 3),
        "data": {"description": data.description, "fingerprint": data.fingerprint, **dict(data.stats),
                 **({"per_rank": reads} if world.distributed else {})},
        **dict(trained.metrics),
        "exports": {},
        "verifications": [],
    }
    if data.skipped or ("skipped" in data.stats and "skipped_total" not in data.stats):
        result["data"].update(skips.summary(skipped, run.config.report.skipped_per_reason))
    plugin = run.plan.registry.plugins.infos.get(model_plan.spec.plugin)
    card = model_card(trained, plugin.version if plugin else "", data.card)
    inputs = verification_inputs(trained, run.config.run.seed)
    for exporter in model_plan.exporters:
        path = run.folder / "exports" / f"{spec.stem}{exporter.spec.suffix}"
        exporter.spec.export(trained, card, path)
        result["exports"][exporter.spec.name] = {
            "path": str(path.relative_to(run.folder)),
            "bytes": path.stat().st_size,
        }
        run.hook.ml5_model_exported(run=run, model=spec, exporter=exporter.spec.name, path=path)
        for verifier in run.plan.verifiers:
            if exporter.spec.name not in verifier.spec.formats:
                continue
            check: Verification = verifier.spec.verify(path, trained, inputs)
            result["verifications"].append(
                {"verifier": verifier.spec.name, "exporter": exporter.spec.name, **attrs.asdict(check)}
            )
            if not check.passed:
                console.print(
                    f"[red]verification failed[/]: {verifier.spec.name} on {path.name}: "
                    f"max error {check.max_abs_error:.3g} > {check.tolerance:.3g}"
                )
    return result


def execute(plan_: Plan, folder: Path, resume: bool = False, console: Any = None, world: World | None = None) -> dict[str, Any]:
    """Do the planned work into ``folder``; returns the report (also written there). In a
    distributed run every rank trains; rank 0 alone writes, and only it returns the report
    (the others return ``{"ok": …, "rank": r}``)."""
    from ml5 import report

    if console is None:
        from rich.console import Console

        console = Console(stderr=True)
    world = world or World()
    with contextlib.ExitStack() as main_only:
        refused: runlock.FolderUnavailable | None = None
        if world.is_main:
            try:
                folder.mkdir(parents=True, exist_ok=True)
                main_only.enter_context(runlock.hold(folder))  # FolderInUse before anything is written
            except runlock.FolderUnavailable as exc:
                refused = exc
            except OSError as exc:
                refused = runlock.FolderUnavailable(f"cannot make the run folder {folder} ({exc.strerror}); choose another --out")
        # every rank learns rank 0's answer, so that all of them stop at once with its reason
        reason = broadcast(world, str(refused) if refused else None)
        if refused:
            raise refused
        if reason:
            raise runlock.FolderUnavailable(reason)
        if world.is_main:
            atomic_write(folder / "config.json", json.dumps(run_config(plan_), indent=2) + "\n")
        run = Run(plan_, folder, resume, world)
        if world.is_main:
            run.hook.ml5_run_start(run=run)
        started = time.perf_counter()
        for model_plan in plan_.models:
            name = model_plan.spec.spec.name
            console.print(f"[bold]{name}[/]: {model_plan.spec.spec.param_count:,} parameters, dataset {model_plan.dataset.spec.name}")
            try:
                run.results[name] = _train_one(run, model_plan, console)
            except RunError as exc:
                run.results[name] = {"model": name, "error": str(exc)}
                console.print(f"[red]{name} failed[/]: {exc}")
            except KeyboardInterrupt:
                finished = [done for done, result in run.results.items() if "error" not in result]
                raise RunInterrupted(folder, name, run.epochs_done.get(name, 0), finished) from None
        if not world.is_main:
            # wait for rank 0's report, and end as it does: a launcher stops every process as
            # soon as one ends with an error, which would cut rank 0 short
            return {"ok": broadcast(world, None), "rank": world.rank}
        doc = report.build(run, time.perf_counter() - started)
        report.write(doc, folder, run.skipped)
        run.hook.ml5_run_end(run=run, report=doc)
        broadcast(world, doc["ok"])
    return doc


__all__ = [
    "ModelPlan",
    "Plan",
    "Run",
    "DataError",
    "RunError",
    "RunInterrupted",
    "TrainRequest",
    "TrainedModel",
    "Verification",
    "card_json",
    "compare_outputs",
    "frame_latency_us",
    "default_folder",
    "execute",
    "plan",
]
