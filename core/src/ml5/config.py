"""The run configuration: ``ml5.toml`` (or JSON with the same structure).

    [run]               seed, trainer, exporters, verifiers
    [report]            what the run report keeps
    [train]             hyper-parameters every model starts from
    [models.<name>]     dataset, path, options, and [models.<name>.train] / [models.<name>.export]

A model's hyper-parameters, each from the first of: its [models.<name>.train] key, the [train]
key the file sets, the network's own default (``ModelSpec.train``: what its plugin found it
trains best with), ``TrainSettings``' default. The optimizer and its weight decay go together
(OPTIMIZER_KEYS): where the file's [train] sets either, the network's own values of both give way.

Every key is declared once below, with its type and default; an unknown key or a bad value is a
``ConfigError`` naming the key path and what was expected.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

DEFAULT_FILE = "ml5.toml"


class ConfigError(ValueError):
    """A config value is wrong: ``key`` is its dotted path."""

    def __init__(self, key: str, message: str, source: str | None = None) -> None:
        self.key, self.message, self.source = key, message, source
        where = f"{source}: " if source else ""
        super().__init__(f"{where}{key}: {message}")


def _option(
    default: Any, type_: Any, help: str, check: Callable[[Any], str | None] | None = None, partial: bool = False
) -> Any:
    """A config key: its default, type, help text, value check; ``partial``: a table of overrides."""
    return attrs.field(default=default, metadata={"type": type_, "help": help, "check": check, "partial": partial})


def _one_of(*choices: str) -> Callable[[Any], str | None]:
    return lambda v: None if v in choices else f"expected one of {', '.join(map(repr, choices))}, got {v!r}"


def _positive(v: Any) -> str | None:
    return None if v > 0 else f"expected a number > 0, got {v!r}"


def _non_negative(v: Any) -> str | None:
    return None if v >= 0 else f"expected a number >= 0, got {v!r}"


def _fraction(v: Any) -> str | None:
    return None if 0 < v < 1 else f"expected a number between 0 and 1 (exclusive), got {v!r}"


OPTIMIZERS = ("adam", "adamw", "sgd")
LR_SCHEDULES = ("none", "cosine", "step", "plateau")
DEVICES = ("auto", "cpu", "cuda", "mps")


#: hyper-parameters that only mean something together: a network's own values of them are taken
#: or left as a group (Adam's weight decay is an L2 penalty, AdamW's a decoupled decay)
OPTIMIZER_KEYS = ("optimizer", "weight_decay")


@attrs.frozen
class TrainSettings:
    epochs: int = _option(60, int, "maximum number of epochs", _positive)
    batch_size: int = _option(64, int, "examples per optimiser step (over all processes of a distributed run), fewer when an epoch would otherwise take under 8 steps", _positive)
    learning_rate: float = _option(1e-3, float, "initial learning rate", _positive)
    optimizer: str = _option("adam", str, "adam, adamw or sgd", _one_of(*OPTIMIZERS))
    weight_decay: float = _option(0.0, float, "L2 penalty / decoupled weight decay", _non_negative)
    patience: int = _option(8, int, "epochs without improvement before stopping early", _positive)
    min_delta: float = _option(0.0, float, "improvement in validation loss that counts", _non_negative)
    val_fraction: float = _option(0.2, float, "share of examples held out for validation", _fraction)
    lr_schedule: str = _option("none", str, "none, cosine, step or plateau", _one_of(*LR_SCHEDULES))
    grad_clip: float = _option(0.0, float, "clip the gradient norm to this (0 = off)", _non_negative)
    device: str = _option("auto", str, "auto (cuda, then mps, then cpu), cpu, cuda or mps", _one_of(*DEVICES))
    threads: int = _option(0, int, "CPU threads for training (0 = the library's default)", _non_negative)


@attrs.frozen
class ExportSettings:
    exporters: list[str] | None = _option(None, list, "exporters for this model (default: the run's)")


@attrs.frozen
class ModelConfig:
    dataset: str | None = _option(None, str, "dataset format name (default: the model's default)")
    path: str | None = _option(None, str, "folder of the data set on disk")
    options: dict[str, Any] = _option(attrs.Factory(dict), dict, "options of the dataset format")
    train: dict[str, Any] = _option(attrs.Factory(dict), TrainSettings, "hyper-parameter overrides", partial=True)
    export: ExportSettings = _option(attrs.Factory(ExportSettings), ExportSettings, "export settings")


@attrs.frozen
class RunSettings:
    seed: int = _option(0, int, "seed of splits, initial weights and shuffling")
    trainer: str = _option("supervised", str, "trainer to use")
    exporters: list[str] | None = _option(None, list, "exporters to use (default: all installed)")
    verifiers: list[str] | None = _option(None, list, "verifiers to use (default: all installed)")
    collective_timeout: float = _option(
        600.0, float, "distributed runs: seconds a process waits for the others in one step before it stops",
        _positive,
    )


@attrs.frozen
class ReportSettings:
    skipped_per_reason: int | None = _option(
        None, int, "skipped files, rows and tunes listed per kind of reason in report.json and report.md (every one "
        "is in skipped.jsonl); unset: $ML5_SKIPPED_PER_REASON, else 100", _non_negative,
    )


@attrs.frozen
class Config:
    run: RunSettings = _option(attrs.Factory(RunSettings), RunSettings, "run settings")
    report: ReportSettings = _option(attrs.Factory(ReportSettings), ReportSettings, "what the run report keeps")
    train: TrainSettings = _option(attrs.Factory(TrainSettings), TrainSettings, "default hyper-parameters")
    models: dict[str, ModelConfig] = _option(attrs.Factory(dict), ModelConfig, "per-model sections")
    source: str | None = attrs.field(default=None, metadata={"internal": True})
    #: the [train] keys the file sets: they win over a network's own defaults
    train_given: frozenset[str] = attrs.field(default=frozenset(), converter=frozenset, metadata={"internal": True})

    def model(self, name: str) -> ModelConfig:
        return self.models.get(name, ModelConfig())

    def train_settings(self, name: str, model_defaults: Mapping[str, Any] | None = None) -> TrainSettings:
        """The model's hyper-parameters: ``model_defaults`` (its ``ModelSpec.train``) over
        TrainSettings' defaults, the [train] keys the file sets over those, and the model's
        [models.<name>.train] over everything."""
        given = set(self.train_given)
        if given & set(OPTIMIZER_KEYS):  # a weight decay means something else under another optimizer
            given |= set(OPTIMIZER_KEYS)
        own = {k: v for k, v in (model_defaults or {}).items() if k not in given}
        return attrs.evolve(self.train, **{**own, **self.model(name).train})

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self, filter=lambda a, v: not a.metadata.get("internal"))


def _type_name(type_: Any) -> str:
    return {int: "an integer", float: "a number", str: "a string", list: "a list of strings", dict: "a table"}.get(
        type_, "a table"
    )


def _check_value(value: Any, type_: Any, key: str) -> Any:
    if type_ is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    ok = isinstance(value, type_) and not (isinstance(value, bool) and type_ is not bool)
    if type_ is list:
        ok = isinstance(value, list) and all(isinstance(item, str) for item in value)
    if type_ is float and ok and not math.isfinite(value):
        ok = False
    if not ok:
        raise ConfigError(key, f"expected {_type_name(type_)}, got {type(value).__name__} {value!r}")
    return value


def _build(cls: type, data: Any, path: str, partial: bool = False) -> Any:
    """Build ``cls`` from a mapping, checking every key; ``partial`` returns just the given keys."""
    if not isinstance(data, Mapping):
        raise ConfigError(path or "(top level)", f"expected a table, got {type(data).__name__}")
    fields = {f.name: f for f in attrs.fields(cls) if not f.metadata.get("internal")}
    values: dict[str, Any] = {}
    for key, value in data.items():
        key_path = f"{path}.{key}" if path else key
        if key not in fields:
            raise ConfigError(key_path, f"unknown key; expected one of: {', '.join(fields)}")
        type_ = fields[key].metadata["type"]
        if value is None and fields[key].default is None:  # JSON's null for "not set" (config.json)
            values[key] = None
        elif attrs.has(type_):
            values[key] = _build(type_, value, key_path, partial=fields[key].metadata["partial"])
        else:
            values[key] = _check_value(value, type_, key_path)
        check = fields[key].metadata.get("check")
        problem = check(values[key]) if check and values[key] is not None else None
        if problem:
            raise ConfigError(key_path, problem)
    return values if partial else cls(**values)


def check_train_defaults(defaults: Mapping[str, Any], where: str) -> dict[str, Any]:
    """``defaults`` as TrainSettings keys with checked values; ConfigError naming ``where`` and
    the key otherwise (a network's ``ModelSpec.train``)."""
    return dict(_build(TrainSettings, defaults, where, partial=True))


def from_dict(data: Any, source: str | None = None) -> Config:
    try:
        if not isinstance(data, Mapping):
            raise ConfigError("(top level)", f"expected a table, got {type(data).__name__}")
        models = data.get("models", {})
        if not isinstance(models, Mapping):
            raise ConfigError("models", "expected a table of [models.<name>] sections")
        top = _build(Config, {k: v for k, v in data.items() if k != "models"}, "")
        built = {name: _build(ModelConfig, section, f"models.{name}") for name, section in models.items()}
        return attrs.evolve(top, models=built, source=source, train_given=frozenset(data.get("train", {})))
    except ConfigError as exc:
        raise ConfigError(exc.key, exc.message, source) from None


def load(path: str | Path | None = None) -> Config:
    """Read ``path``; with None, ``./ml5.toml`` if there is one, else the defaults."""
    if path is None:
        if not Path(DEFAULT_FILE).is_file():
            return Config()
        path = DEFAULT_FILE
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError("(file)", f"cannot read: {exc.strerror or exc}", str(path)) from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError("(syntax)", str(exc), str(path)) from None
    return from_dict(data, str(path))


def to_toml(data: Mapping[str, Any], prefix: str = "") -> str:
    """TOML text of a nested mapping of scalars, lists and tables (None values left out)."""
    scalars, tables = [], []
    for key, value in data.items():
        if isinstance(value, Mapping):
            tables.append((key, value))
        elif value is not None:
            scalars.append(f"{key} = {json.dumps(value)}")
    lines = ([f"[{prefix}]"] if prefix and scalars else []) + scalars
    for key, value in tables:
        sub = to_toml(value, f"{prefix}.{key}" if prefix else key)
        if sub:
            lines.append(("\n" if lines else "") + sub)
    return "\n".join(lines)
