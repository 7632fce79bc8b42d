from pathlib import Path

import pytest
from ml5.testing import conformance_dir

#: <repo>/../shared/rtneural-conformance, or $ML5_CONFORMANCE_DIR
CONFORMANCE = conformance_dir() or Path("rtneural-conformance-not-found")


@pytest.fixture(scope="session")
def conformance() -> Path:
    if not (CONFORMANCE / "index.json").is_file():
        pytest.skip(f"conformance folder not found: {CONFORMANCE} (set ML5_CONFORMANCE_DIR)")
    return CONFORMANCE
