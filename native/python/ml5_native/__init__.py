"""Run RTNeural-format models with the ml5 C++ engine.

>>> import ml5_native
>>> model = ml5_native.load("models/emotionrecognizer.json")
>>> y = model.forward(features)          # one frame, from a zero state (stateless, the default)
>>> model.stateless = False              # streaming: state carries over until model.reset()

The five networks as one unit (fallbacks, the full pipeline, reload, async):

>>> proc = ml5_native.Processor()
>>> statuses = proc.initialize("runs/x/exports")   # one ModelStatus per slot
>>> out = proc.run(features)             # {"emotion": (64,), "melody": (128,), ...}
>>> out = proc.run(features, harmony_context=context)   # harmony reads emotion ++ context (64)
"""

from __future__ import annotations

import os
from pathlib import Path

from ml5_native._engine import (
    FEATURE_SIZE,
    HARMONY_CONTEXT_SIZE,
    MODEL_SLOTS,
    AudioFrontEnd,
    LoadError,
    Model,
    ModelStatus,
    ModelType,
    Processor,
    ReloadResult,
    __version__,
    chord_vocabulary,
    decode_audio,
    embedding_emotion,
)
from ml5_native._engine import analyse_audio as _analyse_audio
from ml5_native._engine import audio_feature_names as _audio_feature_names
from ml5_native._engine import audio_file_level as _audio_file_level
from ml5_native._engine import audio_settings_json as _audio_settings_json
from ml5_native._engine import load_file as _load_file
from ml5_native._engine import loads as _loads

__all__ = [
    "AudioFrontEnd",
    "analyse_audio",
    "audio_file_level",
    "audio_feature_names",
    "audio_settings",
    "chord_vocabulary",
    "decode_audio",
    "embedding_emotion",
    "FEATURE_SIZE",
    "HARMONY_CONTEXT_SIZE",
    "MODEL_SLOTS",
    "PRECISIONS",
    "LoadError",
    "Model",
    "ModelStatus",
    "ModelType",
    "Processor",
    "ReloadResult",
    "__version__",
    "load",
    "load_dir",
    "loads",
]

for _cls in (AudioFrontEnd, LoadError, Model, ModelStatus, ModelType, Processor, ReloadResult):
    _cls.__module__ = __name__


def audio_settings() -> dict:
    """The C++ front end's audio feature definition, in ``ml5_audio.features.SETTINGS``'s keys."""
    import json

    return json.loads(_audio_settings_json())


def audio_feature_names() -> list[str]:
    """The 128 features' names, in order (``ml5_audio.features.FEATURES``)."""
    return list(_audio_feature_names())


def analyse_audio(samples, sample_rate: float, window: float = 0.0, block: int = 4096, mean=None, std=None) -> dict:
    """``ml5 infer``'s rows of a whole file's samples through the C++ audio front end:
    ``samples`` (frames,) or (frames, channels) at ``sample_rate``, windows of ``window`` seconds
    (0: the whole file as one row), fed in blocks of ``block`` frames; the file's level measured
    over all of it first, as ``ml5_audio.features`` does. With ``mean`` and ``std`` (the model
    card's ``input_standardisation``) ``input`` is standardised. A dict of ``start``, ``end``,
    ``reference_db`` (lists), ``raw``, ``input`` (rows × 128) and ``context`` (rows × 64)."""
    return _analyse_audio(samples, sample_rate, window, block, mean, std)


def audio_file_level(samples, sample_rate: float, block: int = 4096) -> float:
    """A file's level in dB as ``ml5_audio.features`` measures it (the 95th percentile of the
    frames' loudness)."""
    return _audio_file_level(samples, sample_rate, block)


#: how a model's weight matrices may be held: float32 (exact, the default) or half precision
#: (half the bytes to stream per frame; arithmetic stays float32)
PRECISIONS = ("fp32", "fp16")


def load(path: str | os.PathLike[str], precision: str = "fp32") -> Model:
    """Load one model file; raises LoadError naming the file, layer and problem.
    ``precision="fp16"`` keeps the dense and LSTM weights in half precision."""
    return _load_file(os.fspath(path), precision)


def loads(text: str | bytes, precision: str = "fp32") -> Model:
    """Load a model from JSON text; raises LoadError naming the layer and problem."""
    return _loads(text, precision)


def load_dir(folder: str | os.PathLike[str], precision: str = "fp32") -> dict[str, Model]:
    """Load every ``*.json`` file of a folder, keyed by file stem (``emotionrecognizer``)."""
    root = Path(folder)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: not a folder")
    return {p.stem: load(p, precision) for p in sorted(root.glob("*.json")) if p.is_file()}
