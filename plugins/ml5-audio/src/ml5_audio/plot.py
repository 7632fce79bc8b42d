"""``ml5 infer FILE --plot OUT.png``: one picture of everything ``run_inference`` returns.

Five panels stacked on one time axis in seconds (each row of the document spans its window's
start..end): valence and arousal; the top-1 chord per window with its probability; the melody's
pitch probabilities as a piano roll; the 16 dynamics parameters; the 32 groove parameters. A panel
whose model ran a fallback or did not run says so in its title; a panel with no output says
"not run". matplotlib is imported only inside the functions and draws on its Agg canvas (no pyplot), so
``ml5 --help`` stays fast and a machine without a display can plot.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: panel order, top to bottom: (model whose status goes in the title, title)
PANELS = (
    ("emotion", "valence and arousal"),
    ("harmony", "harmony: top-1 chord per window"),
    ("melody", "melody: pitch probabilities"),
    ("dynamics", "dynamics: 16 expression parameters"),
    ("groove", "groove: timing and velocity offsets per 16th"),
)
NOT_RUN = "not run"


def plot_problem(path: Path) -> str | None:
    """Why ``path`` cannot take a picture (its folder is missing, matplotlib cannot write its
    suffix, matplotlib is not installed), or None when it can. Cheap: nothing is drawn."""
    try:
        from matplotlib.backend_bases import FigureCanvasBase
    except ImportError:
        return "--plot needs matplotlib (pip install matplotlib)"
    folder = path.parent
    if not folder.is_dir():
        return f"{path}: the folder {folder} does not exist"
    if path.is_dir():
        return f"{path} is a folder, not a picture file"
    formats = FigureCanvasBase.get_supported_filetypes()
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in formats:
        return f"{path}: matplotlib cannot write {'files without a suffix' if not suffix else f'.{suffix} files'} (use one of {', '.join('.' + f for f in sorted(formats))})"
    return None


def save_plot(doc: dict[str, Any], path: str | Path) -> Path:
    """Draw ``doc`` and write it to ``path`` atomically (``ml5.atomic``: a temporary file beside
    it, then one rename); the format follows the suffix."""
    from ml5.atomic import atomic_open

    path = Path(path)
    figure = plot_inference(doc)
    with atomic_open(path, "wb") as f:
        figure.savefig(f, format=path.suffix.lower().lstrip("."), dpi=110)
    return path


def plot_inference(doc: dict[str, Any]) -> Any:
    """A ``matplotlib.figure.Figure`` of one ``run_inference`` document: five panels (the axes
    whose label is not ``<colorbar>``) sharing the time axis, top to bottom as in ``PANELS``.
    Drawn on an Agg canvas without pyplot: no window, no global backend switch, nothing to close."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rows = doc.get("rows") or []
    n = len(rows)
    width = min(24.0, 12.0 + 0.12 * max(0, n - 20))
    figure = Figure(figsize=(width, 14.5))
    FigureCanvasAgg(figure)
    grid = figure.add_gridspec(len(PANELS), 2, width_ratios=(60, 1), height_ratios=(1.1, 0.9, 1.8, 1.7, 2.0),
                               hspace=0.4, wspace=0.02, left=0.13, right=0.94, top=0.925, bottom=0.045)
    axes = []
    for i, (model, title) in enumerate(PANELS):
        ax = figure.add_subplot(grid[i, 0], sharex=axes[0] if axes else None)
        ax.set_label(f"panel:{model}")
        ax.set_title(_title(doc, model, title), fontsize=10, loc="left")
        axes.append(ax)
    start, end = (rows[0]["start"], rows[-1]["end"]) if rows else (0.0, 1.0)

    _emotion(axes[0], rows)
    _chords(axes[1], rows)
    _melody(figure, grid[2, 1], axes[2], rows)
    _heat(figure, grid[3, 1], axes[3], rows, "dynamics", _dynamics_labels(), (0.0, 1.0), "viridis", "value (0..1)",
          "parameter")
    _heat(figure, grid[4, 1], axes[4], rows, "groove", _groove_labels(), (-1.0, 1.0), "RdBu_r", "offset (-1..1)",
          "16th step")
    if _has(rows, "groove"):
        axes[4].axhline(16, color="black", linewidth=1.2)

    for ax in axes[:-1]:
        ax.tick_params(labelbottom=False)
    axes[0].set_xlim(start, end)
    axes[-1].set_xlabel("time (s)")
    if not rows:
        axes[0].text(0.5, 0.5, "the file gave no rows", transform=axes[0].transAxes, ha="center", va="center")
    figure.suptitle(
        f"ml5 infer: {Path(str(doc.get('input', '?'))).name}  ({n} window{'s' if n != 1 else ''})\n"
        f"models: {doc.get('models_folder', '?')}   engine: {doc.get('engine', '?')}",
        fontsize=11,
    )
    return figure


def _title(doc: dict[str, Any], model: str, title: str) -> str:
    emotion_from = str(doc.get("emotion_from", ""))
    if model == "emotion" and emotion_from and not emotion_from.startswith("EmotionRecognizer"):
        return f"{title} — from {emotion_from}"  # MIDI: the proxy, not the emotion model
    status = str((doc.get("models") or {}).get(model, "network"))
    if status == "network":
        return title
    head, _, rest = status.partition(" (")
    if head == "fallback" or head == "not run":
        return f"{title} — {head.upper()}" + (f" ({rest}" if rest else "")
    return f"{title} — {status}"


def _has(rows: list[dict[str, Any]], model: str) -> bool:
    return any((row.get("outputs") or {}).get(model) is not None for row in rows)


def _not_run(ax: Any) -> None:
    ax.text(0.5, 0.5, NOT_RUN, transform=ax.transAxes, ha="center", va="center", fontsize=14, color="0.4")
    ax.set_yticks([])


def _columns(rows: list[dict[str, Any]], model: str, size: int) -> tuple[Any, Any]:
    """Time edges and a (size, columns) array, one column per row (gaps between rows and rows
    without this output masked), for ``pcolormesh``."""
    import numpy as np

    edges: list[float] = []
    columns: list[Any] = []
    empty = np.full(size, np.nan)
    for row in rows:
        if edges and row["start"] > edges[-1] + 1e-9:  # a gap: an empty column
            edges.append(float(row["start"]))
            columns.append(empty)
        if not edges:
            edges.append(float(row["start"]))
        edges.append(float(row["end"]))
        values = (row.get("outputs") or {}).get(model)
        columns.append(empty if values is None else np.asarray(values, dtype=float))
    return np.asarray(edges), np.ma.masked_invalid(np.stack(columns, axis=1))


def _steps(rows: list[dict[str, Any]], key: str) -> tuple[list[float], list[float]]:
    xs: list[float] = []
    ys: list[float] = []
    for row in rows:
        value = row.get(key)
        value = float("nan") if value is None else float(value)
        if xs and row["start"] > xs[-1] + 1e-9:
            xs.append(xs[-1])
            ys.append(float("nan"))  # a gap: break the line
        xs += [float(row["start"]), float(row["end"])]
        ys += [value, value]
    return xs, ys


def _emotion(ax: Any, rows: list[dict[str, Any]]) -> None:
    ax.set_ylim(-1.05, 1.05)
    ax.set_ylabel("valence / arousal")
    ax.axhline(0, color="0.6", linewidth=0.8)
    if not any("valence" in row for row in rows):
        _not_run(ax)
        return
    for key, colour in (("valence", "tab:blue"), ("arousal", "tab:red")):
        xs, ys = _steps(rows, key)
        ax.plot(xs, ys, color=colour, linewidth=2, label=key)
    ax.set_yticks([-1, -0.5, 0, 0.5, 1])
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper right", fontsize=8, ncol=2, framealpha=0.8)


def _chords(ax: Any, rows: list[dict[str, Any]]) -> None:
    import numpy as np
    from ml5.music import CHORD_VOCABULARY

    ax.set_ylim(0, 1.0)
    ax.set_ylabel("top-1 probability")
    if not _has(rows, "harmony"):
        _not_run(ax)
        return
    spans = [row for row in rows if (row.get("outputs") or {}).get("harmony") is not None]
    # the text stands upright in its bar when the narrowest window is too narrow for it, smaller
    # as windows get narrower; below 4 pt only the first window of each run of one chord is named
    total = max(rows[-1]["end"] - rows[0]["start"], 1e-9)
    points = ax.get_position().width * ax.figure.get_figwidth() * 72 * min(r["end"] - r["start"] for r in spans) / total
    upright = points < 72
    size = 9.0 if not upright else min(8.0, points / 1.4)
    previous = None
    for row in spans:
        probabilities = np.asarray(row["outputs"]["harmony"], dtype=float)
        best = int(np.argmax(probabilities))
        p, width = float(probabilities[best]), row["end"] - row["start"]
        ax.bar(row["start"], p, width=width, align="edge", color="tab:green", alpha=0.35, edgecolor="tab:green")
        if size >= 4 or best != previous:
            ax.text(row["start"] + width / 2, 0.5, f"{CHORD_VOCABULARY[best]} {p:.2f}", ha="center", va="center",
                    rotation=90 if upright else 0, fontsize=max(size, 4.0), clip_on=True)
        previous = best
    ax.set_yticks([0, 0.5, 1])


def _melody(figure: Any, cell: Any, ax: Any, rows: list[dict[str, Any]]) -> None:
    import numpy as np
    from ml5.music import pitch_name

    ax.set_ylabel("pitch")
    if not _has(rows, "melody"):
        _not_run(ax)
        return
    edges, grid = _columns(rows, "melody", 128)
    low, high = _pitch_range(grid)
    mesh = ax.pcolormesh(edges, np.arange(low, high + 2) - 0.5, grid[low:high + 1], cmap="magma", vmin=0, vmax=1,
                         shading="flat")
    span = high - low + 1
    step = 1 if span <= 14 else 2 if span <= 28 else 12
    ticks = [p for p in range(low, high + 1) if (p % 12 == 0 if step == 12 else (p - low) % step == 0)]
    ax.set_yticks(ticks, [pitch_name(p) for p in ticks], fontsize=8)
    ax.set_ylim(low - 0.5, high + 0.5)
    colorbar = figure.colorbar(mesh, cax=figure.add_subplot(cell, label="<colorbar>"))
    colorbar.set_label("probability", fontsize=8)


def _pitch_range(grid: Any) -> tuple[int, int]:
    """The lowest and highest pitch whose probability reaches a tenth of the loudest one's
    anywhere in time, two semitones of margin either side."""
    import numpy as np

    peak = np.ma.masked_invalid(grid).max(axis=1).filled(0.0)
    top = float(peak.max()) if peak.size else 0.0
    if top <= 0:
        return 0, 127
    carrying = np.flatnonzero(peak >= 0.1 * top)
    return max(0, int(carrying[0]) - 2), min(127, int(carrying[-1]) + 2)


def _dynamics_labels() -> list[str]:
    from ml5.music import DYNAMICS_PARAMETERS

    return list(DYNAMICS_PARAMETERS)


def _groove_labels() -> list[str]:
    from ml5.music import GROOVE_PARAMETERS

    # "timing 01".."timing 16", "velocity 01".."velocity 16", every 4th named on the axis
    return [name.replace("_offset_", " ") for name in GROOVE_PARAMETERS]


def _heat(figure: Any, cell: Any, ax: Any, rows: list[dict[str, Any]], model: str, labels: list[str],
          limits: tuple[float, float], cmap: str, scale: str, ylabel: str) -> None:
    import numpy as np

    ax.set_ylabel(ylabel)
    if not _has(rows, model):
        _not_run(ax)
        return
    edges, grid = _columns(rows, model, len(labels))
    mesh = ax.pcolormesh(edges, np.arange(len(labels) + 1) - 0.5, grid, cmap=cmap, vmin=limits[0], vmax=limits[1],
                         shading="flat")
    ax.set_ylim(len(labels) - 0.5, -0.5)  # the first parameter on top
    if len(labels) <= 16:
        ax.set_yticks(range(len(labels)), labels, fontsize=7)
    else:  # groove: every 4th 16th of each half named ("timing 01", "velocity 01", ...)
        ticks = [i for i in range(len(labels)) if i % 4 == 0]
        ax.set_yticks(ticks, [labels[i] for i in ticks], fontsize=7)
        ax.set_yticks(range(len(labels)), minor=True)
    colorbar = figure.colorbar(mesh, cax=figure.add_subplot(cell, label="<colorbar>"))
    colorbar.set_label(scale, fontsize=8)
