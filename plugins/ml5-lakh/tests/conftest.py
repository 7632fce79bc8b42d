import pytest


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    """Every test reads and writes its own feature cache, never the user's."""
    monkeypatch.setenv("ML5_CACHE_DIR", str(tmp_path / "ml5-cache"))
