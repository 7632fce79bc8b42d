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
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, ax = plt.subplots(figsize=(6, 3.5))
    epochs = [c["epoch"] for c in curves]
    ax.plot(epochs, [c["train_loss"] for c in curves], label="train")
    ax.plot(epochs, [c["val_loss"] for c in curves], label="validation")
    ax.axhline(baseline, color="grey", linestyle="--", label="predict-the-mean baseline")
    ax.set(xlabel="epoch", ylabel="loss", title=name, yscale="log")
    ax.legend()
    fig.tight_layout()
    with atomic_open(folder / "curves.png", "wb") as f:
        fig.savefig(f, format="png", dpi=100)
    plt.close(fig)
