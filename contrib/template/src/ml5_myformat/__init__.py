"""Dataset format ``myformat``: <one line on the layout it reads>."""

from __future__ import annotations

from pathlib import Path

import ml5


def problems(path: Path) -> list[str]:
    """One line per missing or corrupt file under ``path``; [] when the folder is fine."""
    raise NotImplementedError("ml5-myformat is a template: write validate() for your layout")


def open_folder(spec: ml5.ModelSpec, path: Path, options: dict) -> ml5.Data:
    """Read ``path`` into ``ml5.Data(inputs, targets, fingerprint)`` for model ``spec``."""
    raise NotImplementedError("ml5-myformat is a template: write open() for your layout")


FORMAT = ml5.DatasetFormat(
    name="myformat",
    feeds=("groove",),  # the models this data can train
    open=open_folder,
    needs_path=True,
    validate=problems,
    options={},  # config options with their defaults, e.g. {"min_notes": 8}
    description="<what it is>",
    citation="<how to cite the data set>",
    license="<the data set's licence>",
)


@ml5.hookimpl
def ml5_register_datasets(register):
    register(FORMAT)
