"""ml5: a small plugin-based framework that trains, exports and verifies RTNeural models.

Importing ``ml5`` never imports torch; ``ml5.nn`` (the torch builder) does, when asked for.
"""

from ml5._version import __version__
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
