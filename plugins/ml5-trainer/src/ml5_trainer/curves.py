"""Learning curves: JSON and CSV always, a PNG plot when matplotlib is installed."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from ml5.atomic import atomic_open, atomic_write

FIELDS = ("epoch", "train_loss", "val_loss", "lr")


def write_curves(folder: Path, name: str, curves: list[dict[str, Any]], baseline: float) -> None:
    atomic_write(folder / "curves.json", json.dumps({"baseline_loss": baseline, "epochs": curves}, indent=2) + "\n")
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(curves)
    atomic_write(folder / "curves.csv", text.getvalue())
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        return
    # A Figure of its own (no pyplot state) with fixed margins: tight_layout would draw the
    # figure twice, and cost more than all the epochs of a small model.
    fig = Figure(figsize=(6, 3.5))
    FigureCanvasAgg(fig)
    fig.subplots_adjust(left=0.12, right=0.97, top=0.9, bottom=0.15)
    ax = fig.add_subplot()
    epochs = [c["epoch"] for c in curves]
    ax.plot(epochs, [c["train_loss"] for c in curves], label="train")
    ax.plot(epochs, [c["val_loss"] for c in curves], label="validation")
    ax.axhline(baseline, color="grey", linestyle="--", label="predict-the-mean baseline")
    ax.set(xlabel="epoch", ylabel="loss", yscale="log")
    ax.set_title(name, y=1.01)  # placed, not fitted around the ticks (another pass over the axis)
    ax.legend()
    with atomic_open(folder / "curves.png", "wb") as f:
        fig.savefig(f, format="png", dpi=100)
