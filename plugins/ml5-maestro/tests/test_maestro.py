"""The MAESTRO reader on a small copy of the v3 layout: year folders of .midi performances with
pedal and velocity, the CSV and JSON, the official split, a missing file, an unknown split."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from ml5.music import DYNAMICS_PARAMETERS
from ml5.testing import DatasetContract, open_dataset
from ml5_midi.testing import write_midi

HEADER = "canonical_composer,canonical_title,split,year,midi_filename,audio_filename,duration\n"


def _performance(loudness: int, seconds: float = 16.0) -> list[list[tuple[float, float, int, int]]]:
    """Arpeggios at 120 qpm, growing louder from ``loudness``: in C major when played loud (from
    velocity 80), in C minor when soft, so the proxy's valence (mode) goes with the dynamics."""
    beats = int(seconds * 2)
    triad = (0, 4, 7) if loudness >= 80 else (0, 3, 7)
    notes = [(0.5 * i, 0.4, 48 + 12 * (i // 3 % 2) + triad[i % 3], min(127, loudness + i // 4)) for i in range(2 * beats)]
    return [notes]


def make_maestro(root: Path) -> Path:
    base = root / "maestro-v3.0.0"
    rows, records = [], []
    for i, (year, split) in enumerate([(2004, "train"), (2006, "train"), (2008, "validation"), (2009, "train"),
                                       (2011, "test"), (2013, "train"), (2015, "train"), (2017, "train")]):
        name = f"{year}/MIDI-Unprocessed_{i:02d}_R1_{year}_01-03_ORIG_MID--AUDIO_{i:02d}_R1_{year}_wav--1.midi"
        write_midi(base / name, _performance(40 + 10 * i), pedal=[(0, 4), (8, 12)])
        rows.append(f"Composer {i},\"Piece {i}, Op. {i}\",{split},{year},{name},{name[:-5]}.wav,16.0\n")
        records.append({"canonical_composer": f"Composer {i}", "split": split, "midi_filename": name})
    rows.append("Nobody,Lost,train,2018,2018/missing.midi,2018/missing.wav,1.0\n")
    rows.append("Nobody,Odd,dev,2018,2004/" + rows[0].split(",")[5].split("/")[1] + ",x.wav,1.0\n")
    (base / "maestro-v3.0.0.csv").write_text(HEADER + "".join(rows))
    (base / "maestro-v3.0.0.json").write_text(json.dumps(records))
    return root


class TestMaestro(DatasetContract):
    dataset_name = "maestro"

    def make_dataset(self, tmp_path):
        return make_maestro(tmp_path)

    def options(self):
        return {"workers": 1}


def test_official_split_and_skips(tmp_path):
    data = open_dataset("maestro", "dynamics", make_maestro(tmp_path), workers=1)
    # 16 s at 120 qpm = 8 nominal bars = 4 phrases of 2 bars per performance
    assert data.stats["examples_per_split"] == {"train": 24, "validation": 4, "test": 4}
    reasons = sorted(s["reason"] for s in data.stats["skipped"])
    assert reasons == ["split 'dev' is not one of train, validation, test", "the MIDI file it names is not on disk"]


def test_dynamics_follow_the_performance(tmp_path):
    data = open_dataset("maestro", "dynamics", make_maestro(tmp_path), workers=1)
    got = dict(zip(DYNAMICS_PARAMETERS, data.targets[0]))
    # first phrase of the first performance: velocities 40 + i//4 for i < 16 -> 40..43, mean 41.5;
    # the pedal is down for beats 0-4 of 8
    assert got["velocity_mean"] == pytest.approx(41.5 / 127, abs=1e-5)
    assert got["sustain_pedal"] == pytest.approx(0.5, abs=1e-5)
    assert got["crescendo"] > 0.5  # it grows
    assert np.all((data.targets >= 0) & (data.targets <= 1))


def test_v2_csv_and_wrong_layout(tmp_path):
    root = make_maestro(tmp_path / "v2")
    base = root / "maestro-v3.0.0"
    (base / "maestro-v3.0.0.csv").rename(base / "maestro-v2.0.0.csv")
    assert len(open_dataset("maestro", "melody", base, workers=1).inputs) > 0
    from ml5_maestro import FORMAT

    problems = FORMAT.validate(tmp_path / "elsewhere")
    assert len(problems) == 1 and "is not a MAESTRO folder" in problems[0]
