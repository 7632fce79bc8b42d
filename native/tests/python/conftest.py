from pathlib import Path

import pytest
from ml5.testing import conformance_dir

#: <repo>/tests/data/rtneural-conformance, or $ML5_CONFORMANCE_DIR
CONFORMANCE = conformance_dir(Path(__file__))


@pytest.fixture(scope="session")
def conformance() -> Path:
    return CONFORMANCE
