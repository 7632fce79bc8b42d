"""The repository's copy of the RTNeural conformance vectors (tests/data/rtneural-conformance):
complete, and the folder every conformance test finds by default (tests/data/README.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ml5.testing import CONFORMANCE_SUBDIR, conformance_dir

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / CONFORMANCE_SUBDIR


def test_every_indexed_case_is_present_with_its_model():
    index = json.loads((FOLDER / "index.json").read_text())
    cases = index["cases"]
    assert sum(c["kind"] == "accept" for c in cases) == 61 and sum(c["kind"] == "reject" for c in cases) == 43
    for entry in cases:
        case = json.loads((FOLDER / entry["case"]).read_text())
        assert case["kind"] == entry["kind"], entry["name"]
        assert (FOLDER / case["model"]).is_file(), f"{entry['case']}: model file {case['model']} missing"
    # nothing in the folder that the index does not name (a stale or half-copied update)
    named = {e["case"] for e in cases} | {json.loads((FOLDER / e["case"]).read_text())["model"] for e in cases}
    extra = {p.name for p in FOLDER.iterdir()} - named - {"index.json", "README.md"}
    assert not extra, f"files the index does not name: {sorted(extra)}"


def test_the_repository_copy_is_the_default(monkeypatch, tmp_path):
    monkeypatch.delenv("ML5_CONFORMANCE_DIR", raising=False)
    assert conformance_dir(Path(__file__)) == FOLDER
    assert conformance_dir(ROOT / "native" / "tests") == FOLDER
    monkeypatch.chdir(ROOT / "plugins")
    assert conformance_dir() == FOLDER


def test_the_override_and_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("ML5_CONFORMANCE_DIR", str(FOLDER))
    assert conformance_dir(tmp_path) == FOLDER
    monkeypatch.setenv("ML5_CONFORMANCE_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="ML5_CONFORMANCE_DIR=.*holds no index.json"):
        conformance_dir()
    monkeypatch.delenv("ML5_CONFORMANCE_DIR")
    with pytest.raises(FileNotFoundError, match="set ML5_CONFORMANCE_DIR"):
        conformance_dir(tmp_path)
