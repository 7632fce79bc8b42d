"""The Python API reads a data set from any kind of script: a file without an
``if __name__ == "__main__":`` guard, a script read from stdin (``python -``) and a notebook.
Files are read in a spawn pool where workers can start, else in the process, said once; a file
is never reported skipped because the pool could not start."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from ml5_midi.testing import write_midi

SONGS = 6
FALLBACK = "ml5: reading files in this process"

#: opens the same folder twice: the fallback is said once per process, not once per open
SCRIPT = """\
from ml5.testing import open_dataset
for attempt in (1, 2):
    data = open_dataset("lakh", "melody", {root!r}, workers=2)
    print("opened", attempt, "used", data.stats["files_used"], "skipped", data.stats["files_skipped"])
"""


@pytest.fixture
def lakh(tmp_path) -> Path:
    """A small Lakh-layout folder of real MIDI files."""
    root = tmp_path / "lakh"
    for i in range(SONGS):
        name = f"{i:032x}"
        melody = [(1.0 * k, 1.0, 60 + (7 * k + i) % 12, 90) for k in range(32)]
        bass = [(4.0 * b, 4.0, 48 + b % 5, 70) for b in range(8)]
        write_midi(root / "lmd_full" / name[0] / f"{name}.mid", [melody, bass], tempos=[(0, 100)])
    return root


def _env(tmp_path: Path) -> dict[str, str]:
    # a cache of its own: the second open reads the first one's results, so the cache holds
    # nothing from another test that would spare the first open its workers
    return {**os.environ, "ML5_CACHE_DIR": str(tmp_path / "cache")}


def _opened_all(out: str) -> None:
    assert f"opened 1 used {SONGS} skipped 0" in out, out
    assert f"opened 2 used {SONGS} skipped 0" in out, out


def test_script_without_main_guard(lakh, tmp_path):
    script = tmp_path / "no_guard.py"
    script.write_text(SCRIPT.format(root=str(lakh)))
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=_env(tmp_path),
                            cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    _opened_all(result.stdout)
    assert result.stderr.count(FALLBACK) == 1, result.stderr[-3000:]
    assert "__main__" in result.stderr  # says why: the missing guard
    assert "died" not in result.stderr and "Traceback" not in result.stderr


def test_script_from_stdin(lakh, tmp_path):
    result = subprocess.run([sys.executable, "-"], input=SCRIPT.format(root=str(lakh)), capture_output=True,
                            text=True, env=_env(tmp_path), cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    _opened_all(result.stdout)
    assert result.stderr.count(FALLBACK) == 1, result.stderr[-3000:]
    assert "<stdin>" in result.stderr


def test_notebook(lakh, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell(SCRIPT.format(root=str(lakh))))
    # the kernel runs this interpreter, with the test's cache
    runner = tmp_path / "run_notebook.py"
    runner.write_text(textwrap.dedent("""\
        import sys
        import nbformat
        from nbclient import NotebookClient
        notebook = nbformat.read(sys.argv[1], as_version=4)
        NotebookClient(notebook, timeout=240, kernel_name="python3").execute()
        for output in notebook.cells[0].outputs:
            print(output.get("name", output.get("output_type")), output.get("text", output.get("data", "")))
    """))
    path = tmp_path / "reads.ipynb"
    nbformat.write(notebook, path)
    assert nbclient  # imported for the runner's sake: skip cleanly where it is missing
    result = subprocess.run([sys.executable, str(runner), str(path)], capture_output=True, text=True,
                            env=_env(tmp_path), cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    _opened_all(result.stdout)
    assert "died" not in result.stdout
