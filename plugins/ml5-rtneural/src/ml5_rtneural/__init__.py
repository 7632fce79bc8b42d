"""RTNeural JSON: the exporter, a numpy reference engine (registered as engine ``reference``), and
the verifier that uses it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ml5
from ml5.run import compare_outputs

#: absolute tolerance between an export's outputs and the trained model's: float32 weights,
#: float64 reference arithmetic
TOLERANCE = 1e-5


def verify_with_reference(path: Path, model: ml5.TrainedModel, inputs: dict[str, Any]) -> ml5.Verification:
    from ml5_rtneural.format import FormatError
    from ml5_rtneural.reference import Engine

    try:
        engine = Engine.load(path, stateless=True)
    except (OSError, FormatError) as exc:
        return ml5.Verification(False, float("inf"), TOLERANCE, {"error": str(exc)})
    return compare_outputs(engine.forward_batch, model, inputs, TOLERANCE)


def load_reference(path: Path) -> Any:
    """One export in the numpy reference engine, every frame from a zero state (raises
    FormatError, a ValueError, or OSError)."""
    from ml5_rtneural.reference import Engine

    return Engine.load(path, stateless=True)


def _export(model: ml5.TrainedModel, card: dict[str, Any], path: Path) -> None:
    from ml5_rtneural.export import export as write  # numpy: when exporting, not when listing plugins

    write(model, card, path)


def _problems(path: Path, spec: ml5.ModelSpec) -> list[str]:
    from ml5_rtneural.validate import problems as check

    return check(path, spec)


EXPORTER = ml5.Exporter(
    name="rtneural",
    suffix=".json",
    export=_export,
    validate=_problems,
    description="RTNeural JSON (the C++ runtime's format), compact, float32-exact, with a model card",
)

VERIFIER = ml5.Verifier(
    name="reference",
    formats=("rtneural",),
    verify=verify_with_reference,
    description="loads each RTNeural export in a numpy reference engine and compares it with the trained model",
)


ENGINE = ml5.Engine(
    name="reference",
    load=load_reference,
    description="ml5-rtneural's numpy reference engine (float64, stateless, one frame at a time): the yardstick",
)


@ml5.hookimpl
def ml5_register_exporters(register):
    register(EXPORTER)


@ml5.hookimpl
def ml5_register_engines(register):
    register(ENGINE)


@ml5.hookimpl
def ml5_register_verifiers(register):
    register(VERIFIER)
