"""The EMOPIA reader on a small copy of the real layout: midis/Q<q>_<youtube id>_<n>.mid and
label.csv (ID, 4Q and other columns), with a label conflict, a row naming no file, a corrupt
clip, and two segments of one song."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from ml5.music import emotion_embedding
from ml5.testing import DatasetContract, open_dataset, run_cli
from ml5_emopia import FORMAT
from ml5_midi.testing import write_midi

#: (clip ID, quadrant in label.csv or None for no row, MIDI-making recipe)
CLIPS = {
    "Q1_aB3-x_Yz9Q0_0": 1,  # a YouTube id with '-' and '_' in it
    "Q1_aB3-x_Yz9Q0_1": 1,  # the same song, next segment
    "Q2_bbbbbbbbbbb_0": 2,
    "Q3_ccccccccccc_0": 3,
    "Q4_ddddddddddd_0": 4,
    "Q4_eeeeeeeeeee_0": 1,  # conflict: label.csv says Q1
    "Q3_fffffffffff_0": None,  # not in label.csv: the file name decides
}


def _clip(quadrant: int) -> list[list[tuple[float, float, int, int]]]:
    """Four 4/4 bars of piano whose register, loudness and rhythm follow the quadrant: high
    arousal (Q1, Q2) louder and busier, high valence (Q1, Q4) higher and in major."""
    happy, excited = quadrant in (1, 4), quadrant in (1, 2)
    base = 72 if happy else 60
    scale = [0, 2, 4, 5, 7, 9, 11] if happy else [0, 2, 3, 5, 7, 8, 10]
    step, velocity = (0.5, 100) if excited else (1.0, 50)
    melody = [(i * step, step, base + scale[i % 7], velocity) for i in range(int(16 / step))]
    chords = [(4.0 * b, 4.0, base - 12 + pc, velocity - 20) for b in range(4) for pc in (0, 4 if happy else 3, 7)]
    return [melody, chords]


def make_emopia(root: Path) -> Path:
    for clip in CLIPS:
        write_midi(root / "midis" / f"{clip}.mid", _clip(int(clip[1])), tempos=[(0, 120)])
    (root / "midis" / "Q2_ggggggggggg_0.mid").write_bytes(b"MThd\x00\x00\x00\x06garbage")
    rows = [f"{clip},{q},{clip[3:14]}\n" for clip, q in CLIPS.items() if q is not None]
    rows += ["Q2_ggggggggggg_0,2,ggggggggggg\n", "Q2_zzzzzzzzzzz_0,2,zzzzzzzzzzz\n"]  # the second has no file
    # written by a spreadsheet: a byte-order mark and spaces after the commas of the header
    (root / "label.csv").write_text("\ufeffID, 4Q, songID\n" + "".join(rows), encoding="utf-8")
    return root


class TestEMOPIA(DatasetContract):
    dataset_name = "emopia"

    def make_dataset(self, tmp_path):
        return make_emopia(tmp_path)

    def options(self):
        return {"workers": 1, "phrase_bars": 1}


def _open(model, path, **options):
    return open_dataset("emopia", model, path, workers=1, **options)


def test_real_labels_are_the_input(tmp_path):
    data = _open("melody", make_emopia(tmp_path))
    # 6 usable clips × 2 phrases of 2 bars; each input's valence and arousal (dims 0-23) are its
    # quadrant's centre, its musical context (dims 24-63) comes from the notes
    assert len(data.inputs) == 12 and data.description.endswith("emotion from emotion labels")
    q1, q2, q3, q4 = (emotion_embedding(v, a) for v, a in [(0.5, 0.5), (-0.5, 0.5), (-0.5, -0.5), (0.5, -0.5)])
    rows = {tuple(np.round(x[:24], 6)) for x in data.inputs}
    assert rows == {tuple(np.round(q[:24], 6)) for q in (q1, q2, q3, q4)}
    assert data.inputs[0][:24] == pytest.approx(q1[:24])  # clips in name order: Q1_aB3… first
    assert len({tuple(np.round(x[24:], 6)) for x in data.inputs}) > 4  # the notes differ, so does the context


def test_conflicts_missing_and_corrupt_files_are_named(tmp_path):
    data = _open("dynamics", make_emopia(tmp_path))
    skipped = {s["file"]: s["reason"] for s in data.stats["skipped"]}
    assert skipped["midis/Q4_eeeeeeeeeee_0.mid"] == "label.csv says Q1, the file name says Q4"
    assert skipped["label.csv ID Q2_zzzzzzzzzzz_0"] == "no midis/<ID>.mid on disk"
    assert "not a readable MIDI file" in skipped["midis/Q2_ggggggggggg_0.mid"]
    assert len(skipped) == 3


def test_melody_target_by_hand_and_split_by_song(tmp_path):
    data = _open("melody", make_emopia(tmp_path))
    # Q1: C major from C5 in 8ths, 8 notes per 2-bar phrase... the phrase 0-8 beats holds 16 8ths:
    # scale steps 0..6 then 0..6 again then 0, 1: C5 D5 E5 F5 G5 A5 B5
    assert np.flatnonzero(data.targets[0]).tolist() == [72, 74, 76, 77, 79, 81, 83]
    # both segments of one song land in the same split
    assert data.split[0] == data.split[2]


def test_wrong_layout_says_what_is_missing(tmp_path):
    (tmp_path / "midis").mkdir()
    problems = FORMAT.validate(tmp_path)
    assert len(problems) == 1 and "label.csv missing" in problems[0]


def test_cli_check_and_stats(tmp_path):
    root = make_emopia(tmp_path)
    check = run_cli("datasets", "emopia", str(root))
    assert check.returncode == 1 and "Q4_eeeeeeeeeee_0.mid: label.csv says Q1" in check.stdout
    stats = json.loads(run_cli("datasets", "emopia", str(root), "--stats", "--json").stdout)
    assert set(stats["models"]) == {"melody", "dynamics", "groove"}
    assert stats["files"]["files_used"] == 6 and stats["files"]["files_skipped"] == 3


def test_run_end_to_end_with_real_labels(tmp_path):
    pytest.importorskip("ml5_trainer")
    root = make_emopia(tmp_path / "data")
    config = tmp_path / "ml5.toml"
    sections = "".join(f'[models.{m}]\ndataset = "emopia"\npath = "{root}"\n' for m in ("melody", "dynamics", "groove"))
    config.write_text("[train]\nepochs = 3\nbatch_size = 8\n" + sections)
    result = run_cli("run", "--plugins", "melody,dynamics,groove", "--config", str(config), "--out", str(tmp_path / "run"))
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    assert {r["model"] for r in report["models"]} == {"melody", "dynamics", "groove"}
    for r in report["models"]:
        assert "emotion from emotion labels" in r["data"]["description"]
        assert r["data"]["files_skipped"] == 3
    assert "label.csv says Q1, the file name says Q4" in (tmp_path / "run" / "report.md").read_text()
