"""Every hook a plugin can implement. Plugin authors read this file and nothing else.

Registration hooks take a ``register`` callback, so a spec can grow (new keyword arguments to
``register``) without breaking existing plugins. Implement them with ``@ml5.hookimpl``.
"""

from __future__ import annotations

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("ml5")
hookimpl = pluggy.HookimplMarker("ml5")


@hookspec
def ml5_register_models(register: Any) -> None:
    """Called once after plugins load. ``register(spec: ml5.ModelSpec)`` adds a network."""


@hookspec
def ml5_register_datasets(register: Any) -> None:
    """Called once after plugins load. ``register(fmt: ml5.DatasetFormat)`` adds a data set
    format (a reader for one on-disk layout, or a generator)."""


@hookspec
def ml5_register_trainers(register: Any) -> None:
    """Called once after plugins load. ``register(trainer: ml5.Trainer)`` adds a trainer."""


@hookspec
def ml5_register_exporters(register: Any) -> None:
    """Called once after plugins load. ``register(exporter: ml5.Exporter)`` adds a file format
    trained models are written to."""


@hookspec
def ml5_register_verifiers(register: Any) -> None:
    """Called once after plugins load. ``register(verifier: ml5.Verifier)`` adds a check that
    loads exported files and compares their outputs with the trained model."""


@hookspec
def ml5_register_engines(register: Any) -> None:
    """Called once after plugins load. ``register(engine: ml5.Engine)`` adds a runtime that loads
    exported files and runs them: ``ml5 evaluate --engine NAME`` scores exports with it and
    ``ml5 infer --engine NAME`` runs the chain with it."""


@hookspec
def ml5_register_commands(cli: Any, registry: Any) -> None:
    """Called when the CLI starts. ``cli`` is the ``typer.Typer`` app: add commands to it.
    ``registry()`` returns the ``ml5.registry.Registry`` of the loaded plugins (built on the
    first call), for a command that needs their models, engines … Keep imports of heavy
    libraries inside the command functions."""


@hookspec
def ml5_run_start(run: Any) -> None:
    """Called when ``ml5 run`` starts, after the config is validated and the run folder made.
    ``run`` is the ``ml5.run.Run`` (config, selected models, folder)."""


@hookspec
def ml5_epoch_end(run: Any, model: Any, epoch: int, metrics: dict[str, float]) -> None:
    """Called by trainers after each epoch of ``model`` (a ``ModelSpec``) with that epoch's
    metrics (``train_loss``, ``val_loss``, ``lr`` …)."""


@hookspec
def ml5_model_exported(run: Any, model: Any, exporter: str, path: Any) -> None:
    """Called after ``exporter`` wrote ``path`` for ``model`` (a ``ModelSpec``)."""


@hookspec
def ml5_run_end(run: Any, report: dict[str, Any]) -> None:
    """Called after the report of a run is written; ``report`` is its JSON content."""
