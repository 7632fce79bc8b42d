from __future__ import annotations

import csv
import json

import ml5
import numpy as np
import pytest
from ml5.testing import DatasetContract, run_cli
from ml5_example_csv import FORMAT, problems


def write_pairs(folder, n=64, n_in=64, n_out=32, split=True, seed=0):
    """A real pairs.csv for the groove model: targets are a fixed function of the inputs."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, n_in))
    y = np.tanh(x @ rng.normal(0, 0.3, (n_in, n_out)))
    with (folder / "pairs.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([f"in_{i}" for i in range(n_in)] + [f"out_{j}" for j in range(n_out)] + (["split"] if split else []))
        for i in range(n):
            writer.writerow([f"{v:.6f}" for v in (*x[i], *y[i])] + (["validation" if i % 5 == 0 else "train"] if split else []))
    return folder


class TestCsvPairs(DatasetContract):
    dataset_name = "csv-pairs"

    def make_dataset(self, tmp_path):
        return write_pairs(tmp_path / "data", n=200)

    def fed_models(self):
        return [m for m in super().fed_models() if m == "groove"]


def _groove():
    from ml5.plugins import load
    from ml5.registry import Registry

    models = Registry(load()).models
    if "groove" not in models:
        pytest.skip("ml5-groove not installed")
    return models["groove"].spec


def test_reads_splits(tmp_path):
    data = FORMAT.open(_groove(), write_pairs(tmp_path / "d"), {})
    assert data.inputs.shape == (64, 64) and list(data.split).count("validation") == 13


@pytest.mark.parametrize(
    "mutate, words",
    [
        (lambda rows: rows[3].__setitem__(5, "abc"), "row 4, column in_5: 'abc' is not a number"),
        (lambda rows: rows[2].pop(), "row 3: 96 fields"),
        (lambda rows: rows[1].__setitem__(-1, "holdout"), "column split: 'holdout'"),
        (lambda rows: rows[1].__setitem__(0, "nan"), "is not finite"),
    ],
)
def test_bad_rows_are_named(tmp_path, mutate, words):
    folder = write_pairs(tmp_path / "d")
    rows = list(csv.reader((folder / "pairs.csv").open()))
    mutate(rows)
    with (folder / "pairs.csv").open("w", newline="") as f:
        csv.writer(f).writerows(rows)
    with pytest.raises(ml5.DataError, match=words.replace("(", r"\(")):
        FORMAT.open(_groove(), folder, {})


def test_wrong_width_and_missing_file(tmp_path):
    with pytest.raises(ml5.DataError, match="takes 64 inputs"):
        FORMAT.open(_groove(), write_pairs(tmp_path / "d", n_in=10), {})
    assert "pairs.csv not found" in problems(tmp_path / "empty")[0]


def test_trains_from_the_cli(tmp_path):
    folder = write_pairs(tmp_path / "grooves", n=300)
    (tmp_path / "ml5.toml").write_text('[train]\nepochs = 3\n[models.groove]\ndataset = "csv-pairs"\npath = "grooves"\n')
    result = run_cli("run", "--plugins", "groove", "--config", str(tmp_path / "ml5.toml"), "--out", str(tmp_path / "run"))
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    assert report["models"][0]["dataset"] == "csv-pairs" and report["models"][0]["val_examples"] == 60
    assert folder.exists()


def test_cli_checks_a_folder(tmp_path):
    good = write_pairs(tmp_path / "good")
    result = run_cli("datasets", "csv-pairs", str(good))
    assert result.returncode == 0 and "0 problem(s)" in result.stderr
    rows = (good / "pairs.csv").read_text().splitlines()
    (good / "pairs.csv").write_text("\n".join(rows[:3] + [rows[3] + ",1.0"] + rows[4:]) + "\n")
    result = run_cli("datasets", "csv-pairs", str(good))
    assert result.returncode == 1 and "pairs.csv row 4: 98 fields, header has 97" in result.stdout
    assert run_cli("datasets", "nosuch", str(good)).returncode == 2
