"""``ml5 infer FILE --plot OUT.png``: the figure of a real WAV and a real MIDI file, fallbacks in
the titles, the CLI writing a PNG next to its JSON, and usage errors before any inference."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from ml5.music import CHORD_VOCABULARY, DYNAMICS_PARAMETERS, GROOVE_PARAMETERS, pitch_name
from ml5.testing import run_cli

pytest.importorskip("matplotlib")
pytest.importorskip("ml5_rtneural")
TITLES = ("valence and arousal", "harmony: top-1 chord per window", "melody: pitch probabilities",
          "dynamics: 16 expression parameters", "groove: timing and velocity offsets per 16th")


def panels(figure):
    return [ax for ax in figure.axes if ax.get_label() != "<colorbar>"]


@pytest.mark.parametrize(("kind", "window"), [("wav", 1.5), ("midi", 2.0)])
def test_the_figure_shows_every_output_over_time(exports, files, kind, window):
    from ml5_audio.infer import run_inference
    from ml5_audio.plot import plot_inference

    doc = run_inference(files[kind], exports, window)
    rows = doc["rows"]
    assert len(rows) >= 3 and all(doc["models"][m] == "network" for m in doc["models"])
    figure = plot_inference(doc)
    axes = panels(figure)
    assert len(axes) == 5
    for ax, title in zip(axes, TITLES):
        assert ax.get_title(loc="left").startswith(title), ax.get_title(loc="left")
        assert "FALLBACK" not in ax.get_title(loc="left") and "NOT RUN" not in ax.get_title(loc="left")
    if kind == "midi":  # the emotion comes from the proxy, not the emotion model
        assert doc["emotion_from"] in axes[0].get_title(loc="left") and "ml5-midi" in doc["emotion_from"]
    assert [ax.get_ylabel() for ax in axes] == ["valence / arousal", "top-1 probability", "pitch", "parameter",
                                                "16th step"]
    assert axes[-1].get_xlabel() == "time (s)"
    assert "song." + ("wav" if kind == "wav" else "mid") in figure.get_suptitle()
    assert str(exports) in figure.get_suptitle() and doc["engine"] in figure.get_suptitle()

    # one shared time axis spanning the windows
    assert all(ax.get_shared_x_axes().joined(axes[0], ax) for ax in axes)
    assert axes[-1].get_xlim() == pytest.approx((rows[0]["start"], rows[-1]["end"]))
    assert rows[0]["start"] == 0 and rows[1]["start"] == pytest.approx(window)

    # valence and arousal: one step per window
    valence, arousal = axes[0].get_lines()[1:3]  # after the zero line
    assert [t.get_text() for t in axes[0].get_legend().get_texts()] == ["valence", "arousal"]
    assert np.allclose(np.asarray(valence.get_ydata())[::2], [r["valence"] for r in rows])
    assert np.allclose(np.asarray(arousal.get_ydata())[1::2], [r["arousal"] for r in rows])
    assert axes[0].get_ylim()[0] <= -1 and axes[0].get_ylim()[1] >= 1

    # chords: the top-1 label and its probability in each window's span
    harmony = np.array([r["outputs"]["harmony"] for r in rows])
    texts = [t.get_text().split() for t in axes[1].texts]
    assert [t[0] for t in texts] == [CHORD_VOCABULARY[i] for i in harmony.argmax(axis=1)]
    assert np.allclose([float(t[1]) for t in texts], harmony.max(axis=1), atol=0.006)
    assert [t.get_position()[0] for t in axes[1].texts] == pytest.approx([(r["start"] + r["end"]) / 2 for r in rows])
    assert [p.get_height() for p in axes[1].patches] == pytest.approx(list(harmony.max(axis=1)))

    # melody: a piano roll over the pitches that carry probability, named on the axis
    melody = np.array([r["outputs"]["melody"] for r in rows])
    bottom, top = sorted(axes[2].get_ylim())
    low, high = round(bottom + 0.5), round(top - 0.5)  # each pitch's row spans p ± 0.5
    assert 0 <= low < high <= 127 and all(low <= p <= high for p in melody.argmax(axis=1))
    assert all(melody[:, p].max() < 0.1 * melody.max() for p in range(128) if not low <= p <= high)
    labels = {round(tick): label.get_text() for tick, label in zip(axes[2].get_yticks(), axes[2].get_yticklabels())}
    assert labels and all(text == pitch_name(p) for p, text in labels.items())
    roll = axes[2].collections[0].get_array()
    assert roll.shape == (high - low + 1, len(rows))
    assert np.allclose(roll, melody[:, low:high + 1].T, atol=1e-6)

    # dynamics and groove: heat maps, one column per window, named rows, fixed colour scales
    dynamics, groove = axes[3].collections[0], axes[4].collections[0]
    assert [t.get_text() for t in axes[3].get_yticklabels()] == list(DYNAMICS_PARAMETERS)
    assert np.allclose(dynamics.get_array(), np.array([r["outputs"]["dynamics"] for r in rows]).T, atol=1e-6)
    assert dynamics.get_clim() == (0.0, 1.0) and groove.get_clim() == (-1.0, 1.0)
    assert np.allclose(groove.get_array(), np.array([r["outputs"]["groove"] for r in rows]).T, atol=1e-6)
    groove_labels = [t.get_text() for t in axes[4].get_yticklabels()]
    assert any(t.startswith("timing") for t in groove_labels) and any(t.startswith("velocity") for t in groove_labels)
    assert GROOVE_PARAMETERS[16].startswith("velocity")
    assert groove.cmap(0.0)[2] > groove.cmap(0.0)[0] and groove.cmap(1.0)[0] > groove.cmap(1.0)[2]  # diverging
    assert len([ax for ax in figure.axes if ax.get_label() == "<colorbar>"]) == 3


def test_fallbacks_and_missing_outputs_are_marked(exports, files, tmp_path):
    from ml5_audio.infer import run_inference
    from ml5_audio.plot import plot_inference

    partial = tmp_path / "partial"
    shutil.copytree(exports, partial)
    (partial / "harmonypredictor.json").unlink()

    # the numpy reference engine has no fallbacks: harmony does not run, its panel says so
    doc = run_inference(files["midi"], partial, 0.0, "reference")
    assert len(doc["rows"]) == 1 and doc["rows"][0]["outputs"]["harmony"] is None
    figure = plot_inference(doc)
    harmony = panels(figure)[1]
    assert harmony.get_title(loc="left").startswith("harmony: top-1 chord per window — NOT RUN")
    assert [t.get_text() for t in harmony.texts] == ["not run"] and not harmony.patches
    assert "NOT RUN" not in panels(figure)[2].get_title(loc="left")
    # one whole-file row still makes one column per heat map
    assert panels(figure)[3].collections[0].get_array().shape == (16, 1)
    assert panels(figure)[-1].get_xlim() == pytest.approx((0.0, doc["rows"][0]["end"]))

    # the native processor runs its fallback: the panel draws it and says FALLBACK
    pytest.importorskip("ml5_native")
    doc = run_inference(files["wav"], partial, 2.0, "native")
    assert doc["models"]["harmony"].startswith("fallback")
    figure = plot_inference(doc)
    titles = [ax.get_title(loc="left") for ax in panels(figure)]
    assert "FALLBACK" in titles[1] and titles[1].startswith("harmony")
    assert sum("FALLBACK" in t for t in titles) == 1
    assert len(panels(figure)[1].texts) == len(doc["rows"])  # the fallback's chords are drawn


def test_cli_writes_a_png_and_still_prints_json(exports, files, tmp_path):
    import matplotlib.image

    out = tmp_path / "pictures" / "out.png"
    out.parent.mkdir()
    result = run_cli("infer", str(files["midi"]), "--models", str(exports), "--window", "2", "--plot", str(out), "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert len(doc["rows"]) >= 3 and str(out) in result.stderr
    image = matplotlib.image.imread(out)
    assert image.ndim == 3 and image.shape[0] > 800 and image.shape[1] > 800 and image.shape[2] in (3, 4)
    assert image[..., :3].std() > 0.05  # not a blank page
    assert sorted(p.name for p in out.parent.iterdir()) == ["out.png"]  # no temporary file left behind


def test_cli_plot_usage_errors_come_before_inference(exports, tmp_path):
    # the input does not exist: inference would exit 1, the --plot check exits 2 first
    missing = tmp_path / "nowhere" / "out.png"
    result = run_cli("infer", str(tmp_path / "nope.wav"), "--models", str(exports), "--plot", str(missing))
    assert result.returncode == 2 and str(missing) in result.stderr, result.stderr
    assert not missing.parent.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name != "ml5-cache"] == []


def test_plot_paths_matplotlib_cannot_write(tmp_path):
    from ml5_audio.plot import plot_problem

    assert plot_problem(tmp_path / "out.png") is None and plot_problem(tmp_path / "out.SVG") is None
    for bad in (tmp_path / "out.xyz", tmp_path / "out", tmp_path):
        problem = plot_problem(bad)
        assert problem is not None and str(bad) in problem, bad
    assert ".xyz" in plot_problem(tmp_path / "out.xyz")
    assert list(tmp_path.iterdir()) == []
