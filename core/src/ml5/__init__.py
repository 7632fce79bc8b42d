"""ml5: a small plugin-based framework that trains, exports and verifies RTNeural models.

Importing ``ml5`` never imports torch; ``ml5.nn`` (the torch builder) does, when asked for.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ml5")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

from ml5.hookspecs import hookimpl
from ml5.run import DataError, RunError, TrainedModel, TrainRequest, Verification
from ml5.specs import GRU, LSTM, Data, DatasetFormat, Dense, Engine, Exporter, ModelSpec, Trainer, Verifier

__all__ = [
    "GRU",
    "LSTM",
    "Data",
    "DataError",
    "DatasetFormat",
    "Dense",
    "Engine",
    "Exporter",
    "ModelSpec",
    "RunError",
    "TrainRequest",
    "TrainedModel",
    "Trainer",
    "Verification",
    "Verifier",
    "__version__",
    "hookimpl",
]
