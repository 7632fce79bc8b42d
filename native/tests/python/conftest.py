import os
from pathlib import Path

import pytest

# The conformance folder sits beside the repository: <repo>/../shared/rtneural-conformance.
_DEFAULT = Path(__file__).resolve().parents[3].parent / "shared" / "rtneural-conformance"
CONFORMANCE = Path(os.environ.get("ML5_CONFORMANCE_DIR", _DEFAULT))


@pytest.fixture(scope="session")
def conformance() -> Path:
    if not (CONFORMANCE / "index.json").is_file():
        pytest.skip(f"conformance folder not found: {CONFORMANCE} (set ML5_CONFORMANCE_DIR)")
    return CONFORMANCE
