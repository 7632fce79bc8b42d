"""Fixtures for the core's tests: a real throw-away plugin distribution, and running ml5."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest


@pytest.fixture
def install_plugin(tmp_path: Path):
    """Build and install a plugin distribution into a folder of its own; returns the env that
    puts it on the path (the rest of the environment is untouched)."""
    target = tmp_path / "site"

    def install(name: str, source: str) -> dict[str, str]:
        project = tmp_path / f"src-{name}"
        module = name.replace("-", "_")
        (project / module).mkdir(parents=True)
        (project / module / "__init__.py").write_text(textwrap.dedent(source))
        (project / "pyproject.toml").write_text(textwrap.dedent(f"""
            [build-system]
            requires = ["hatchling"]
            build-backend = "hatchling.build"
            [project]
            name = "{name}"
            version = "9.8.7"
            [project.entry-points.ml5]
            {module} = "{module}"
            [tool.hatch.build.targets.wheel]
            packages = ["{module}"]
        """))
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index",
             "--target", str(target), str(project)],
            check=True, capture_output=True, text=True,
        )
        return {"PYTHONPATH": os.pathsep.join(filter(None, [str(target), os.environ.get("PYTHONPATH")]))}

    return install
