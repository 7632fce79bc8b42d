"""The specs plugins register: frozen attrs classes, validated on construction.

A model is described once, declaratively, by its layer stack (of the layer kinds of
``ml5.layers``, re-exported here). Everything else — the torch module, the parameter count,
every exporter and verifier — reads that one description.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from ml5.layers import ACTIVATIONS, GRU, LSTM, Dense, Layer, known_activation, positive_int
from ml5.skipped import Skipped

__all__ = [
    "ACTIVATIONS",
    "GRU",
    "LOSSES",
    "LSTM",
    "Data",
    "DatasetFormat",
    "Dense",
    "Engine",
    "Exporter",
    "Layer",
    "ModelSpec",
    "Trainer",
    "Verifier",
]

#: Losses a model may declare; ``ml5.nn.LOSSES`` implements each one.
LOSSES = {
    "mse": "mean squared error (regression heads: tanh, sigmoid, none)",
    "bce": "binary cross-entropy on independent probabilities (sigmoid head)",
    "kl": "KL divergence from the target distribution (softmax head)",
}

#: Which heads each loss fits: the wrong pairing gives meaningless (even negative) losses.
_LOSS_HEADS = {"mse": {"tanh", "sigmoid", "", "relu", "elu"}, "bce": {"sigmoid"}, "kl": {"softmax"}}


def _name(instance: Any, attribute: attrs.Attribute, value: str) -> None:
    if not value or not value.replace("-", "_").replace("_", "a").isalnum() or value != value.lower():
        raise ValueError(f"{attribute.name} {value!r} must be a lower-case identifier")


def _as_layers(layers: Iterable[Layer]) -> tuple[Layer, ...]:
    return tuple(layers)


def _layer_stack(instance: Any, attribute: attrs.Attribute, layers: tuple[Layer, ...]) -> None:
    if not layers:
        raise ValueError("layers must hold at least one layer")
    for i, (a, b) in enumerate(zip(layers, layers[1:])):
        if a.out_size != b.in_size:
            raise ValueError(
                f"layers[{i + 1}] takes {b.in_size} inputs but layers[{i}] gives {a.out_size}"
            )


@attrs.frozen
class ModelSpec:
    """One network: its sizes, layer stack, head, loss and meaning."""

    name: str = attrs.field(validator=_name)  # plugin-facing name, e.g. "emotion"
    title: str  # class name of the original network, e.g. "EmotionRecognizer"
    stem: str = attrs.field(validator=_name)  # file stem of its exports, e.g. "emotionrecognizer"
    #: numbers in one input frame (the first layer's in_size)
    input_size: int = attrs.field(validator=positive_int)
    #: numbers in one output frame (the last layer's out_size)
    output_size: int = attrs.field(validator=positive_int)
    #: the layer stack, first to last: the one definition every trainer, exporter and check reads
    layers: tuple[Layer, ...] = attrs.field(converter=_as_layers, validator=_layer_stack)
    #: the last layer's activation (tanh, sigmoid, softmax …), which the loss must fit
    head: str = attrs.field(validator=known_activation)
    #: training loss: "mse" (tanh/sigmoid heads), "bce" (sigmoid), "kl" (softmax)
    loss: str = attrs.field(validator=attrs.validators.in_(LOSSES))
    #: what the inputs are, for the model card and the docs
    input_meaning: str = ""
    #: what the outputs are, for the model card and the docs
    output_meaning: str = ""
    #: the data set format trained on when the config names none (and no preferred one is installed)
    default_dataset: str = "synthetic"
    #: real data sets that ship with an install (the music21 corpus …), used by default before
    #: ``default_dataset`` when installed: the first of them found wins
    preferred_datasets: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    #: Names of the outputs where they are categories (the harmony chord vocabulary).
    output_labels: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    description: str = ""
    #: the task metric of ``ml5.metrics`` the report shows; "" = the one that fits the loss
    metric: str = ""
    #: hyper-parameters this network trains best with, as [train] keys (``ml5.config``): over
    #: TrainSettings' defaults, under the [train] keys a config file sets and the model's own
    #: [models.<name>.train]
    train: Mapping[str, Any] = attrs.field(factory=dict, converter=dict, hash=False)  # a spec stays hashable
    #: options this network reads a data set with, per data set format name
    #: (``{"corpus": {"collection": "bach,chopin"}}``): over the format's own defaults, under the
    #: model's [models.<name>.options]; checked against the format's options when a run is planned
    dataset_options: Mapping[str, Mapping[str, Any]] = attrs.field(
        factory=dict, converter=lambda d: {str(k): dict(v) for k, v in d.items()}, hash=False
    )

    def __attrs_post_init__(self) -> None:
        first, last = self.layers[0], self.layers[-1]
        if first.in_size != self.input_size:
            raise ValueError(f"model {self.name!r}: input_size {self.input_size} but layers[0] takes {first.in_size}")
        if last.out_size != self.output_size:
            raise ValueError(f"model {self.name!r}: output_size {self.output_size} but the last layer gives {last.out_size}")
        if last.activation != self.head:
            raise ValueError(f"model {self.name!r}: head {self.head!r} but the last layer applies {last.activation!r}")
        if self.head not in _LOSS_HEADS[self.loss]:
            raise ValueError(f"model {self.name!r}: loss {self.loss!r} does not fit a {self.head!r} head")
        from ml5.config import ConfigError, check_train_defaults

        try:  # kept as checked (an int weight decay as the float the config file would give)
            object.__setattr__(self, "train", check_train_defaults(self.train, "train"))
        except ConfigError as exc:
            raise ValueError(f"model {self.name!r}: {exc}") from None
        if self.output_labels and len(self.output_labels) != self.output_size:
            raise ValueError(
                f"model {self.name!r}: {len(self.output_labels)} output_labels for {self.output_size} outputs"
            )

    @property
    def param_count(self) -> int:
        """Trainable parameters as PyTorch counts them."""
        return sum(layer.param_count for layer in self.layers)

    def default_dataset_among(self, installed: Any) -> str:
        """The data set this model trains on when the config names none, given the installed
        format names: the first preferred one installed, else ``default_dataset``."""
        return next((name for name in self.preferred_datasets if name in installed), self.default_dataset)

    def build(self) -> Any:
        """The torch module for this stack (imports torch)."""
        from ml5.nn import build_module

        return build_module(self)


@attrs.frozen
class Data:
    """Arrays a dataset format yields for one model: one row per example."""

    inputs: Any  # np.ndarray (n, input_size) float32
    targets: Any  # np.ndarray (n, output_size) float32
    fingerprint: str  # identifies exactly this data (hash of content or of generator settings)
    description: str = ""
    #: Optional predefined split per row ("train"/"validation"/"test"), as some data sets ship.
    split: Any = None
    #: counts, distributions and what was skipped, counted by kind of reason with the first few of
    #: each kind listed (``ml5.skipped.summary``): what the run report and ``--stats`` show
    stats: Mapping[str, Any] = attrs.field(factory=dict)
    #: facts about the inputs every export must carry in its model card, so a host can build the
    #: same inputs (e.g. ``input_standardisation``: the per-feature mean and std of training data)
    card: Mapping[str, Any] = attrs.field(factory=dict)
    #: every file, row or part of a file the data set left out (``ml5.skipped.Skipped``: what, the
    #: reason, its kind); a run writes them all to ``skipped.jsonl``. Empty: the ones ``stats`` lists
    skipped: Sequence[Skipped] = attrs.field(factory=tuple, converter=tuple)


#: the types of value a config file (TOML or JSON) gives
CONFIG_TYPES = (bool, int, float, str, list)


def _config_values(name: str, options: Mapping[str, Any]) -> None:
    for key, value in options.items():
        if not isinstance(value, CONFIG_TYPES):
            raise ValueError(f"dataset format {name!r}: option {key!r} defaults to a {type(value).__name__}; "
                             "a config file gives only a bool, int, float, str or list")


@attrs.frozen
class DatasetFormat:
    """A reader for one on-disk format (or a generator), torch-free, yielding numpy arrays."""

    #: the name configs and the CLI use, e.g. "lakh"
    name: str = attrs.field(validator=_name)
    feeds: tuple[str, ...] = attrs.field(converter=tuple)  # model names it has data for
    #: open(model_spec, path_or_None, options) -> Data
    open: Callable[..., Data]
    #: False for a generator that reads no folder (the synthetic set)
    needs_path: bool = True
    #: validate(path) -> list of problems, one line each ([] = fine); path is None for a
    #: format that needs none
    validate: Callable[[Path], list[str]] | None = None
    #: stats(path, options) -> dict: examples per split, skipped files, label distributions
    #: (``ml5 datasets NAME [FOLDER] --stats``)
    stats: Callable[..., Mapping[str, Any]] | None = None
    #: options the format accepts in config, with their defaults (the type is the default's: one a
    #: config file can give, so that a run's config.json, which records them, repeats the run)
    options: Mapping[str, Any] = attrs.field(factory=dict, validator=lambda self, _, value: _config_values(self.name, value))
    #: one line for `ml5 datasets`
    description: str = ""
    #: how to cite the data set, shown with it
    citation: str = ""
    #: the data's licence, shown with it
    license: str = ""


@attrs.frozen
class Trainer:
    name: str = attrs.field(validator=_name)
    #: train(request: ml5.run.TrainRequest) -> ml5.run.TrainedModel
    train: Callable[..., Any]
    description: str = ""


@attrs.frozen
class Exporter:
    name: str = attrs.field(validator=_name)
    suffix: str  # file suffix of its files, e.g. ".json"
    #: export(trained_model, model_card: dict, path: Path) -> None, writing atomically
    export: Callable[..., None]
    #: validate(path, model_spec) -> list of problems ([] = fine)
    validate: Callable[..., list[str]] | None = None
    description: str = ""


@attrs.frozen
class Verifier:
    name: str = attrs.field(validator=_name)
    formats: tuple[str, ...] = attrs.field(converter=tuple)  # exporter names whose files it reads
    #: verify(path, trained_model, inputs: dict[str, ndarray]) -> ml5.run.Verification
    verify: Callable[..., Any]
    description: str = ""


@attrs.frozen
class Engine:
    """A runtime that loads exported model files and runs them: ``ml5 evaluate`` scores exports
    with one, ``ml5 infer`` runs the chain with one (``--engine NAME`` on both)."""

    #: the name ``--engine`` takes, e.g. "native"
    name: str = attrs.field(validator=_name)
    #: load(path) -> a model, or ValueError / OSError saying why the file cannot be used. The
    #: model's ``forward(x)`` maps one input frame to its outputs and ``forward_batch(xs)`` maps
    #: (n, in_size) rows to (n, out_size), every frame from a zero state; ``in_size`` and
    #: ``out_size`` are its widths
    load: Callable[[Path], Any]
    #: one line: what runs the files (language, precision, what it is for)
    description: str = ""
    #: when no engine is named, the installed one of highest priority runs (ties: by name)
    priority: int = 0
    #: load_folder(folder) -> (infer, sources): a folder of exports run as the companion's five
    #: models, with a stand-in for each file the engine cannot use; ``infer(model, x)`` gives one
    #: frame's outputs of a model (by name), ``sources`` says per model "network" or
    #: "fallback (why)". None: a file the engine cannot use is not run
    load_folder: Callable[[Path], tuple[Callable[[str, Any], Any], Mapping[str, str]]] | None = None
