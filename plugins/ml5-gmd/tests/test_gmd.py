"""The Groove MIDI Dataset reader on a small copy of the real layout: info.csv with the real
columns (the MIDI-only release: empty audio_filename), the official split, beats and a fill,
a 3/4 piece, a tempo change, a corrupt file, a row naming a missing file, an unknown split."""

from __future__ import annotations

import json
from pathlib import Path

import ml5
import numpy as np
import pytest
from ml5.music import emotion_embedding
from ml5.testing import DatasetContract, open_dataset, run_cli
from ml5_gmd import FORMAT
from ml5_midi.testing import drum_bar, write_midi

HEADER = "drummer,session,id,style,bpm,beat_type,time_signature,midi_filename,audio_filename,duration,split\n"


def _row(drummer: int, n: int, style: str, bpm: int, kind: str, sig: str, split: str) -> tuple[str, str]:
    session = f"drummer{drummer}/session1"
    name = f"{session}/{n}_{style.replace('/', '-')}_{bpm}_{kind}_{sig}.mid"
    return name, f"drummer{drummer},{session},{session}/{n},{style},{bpm},{kind},{sig},{name},,8.0,{split}\n"


def make_gmd(root: Path) -> Path:
    """A groove/ folder; returns its parent (what a user points ml5 at)."""
    groove = root / "groove"
    rows = []
    name, row = _row(3, 6, "jazz/waltz", 90, "beat", "3-4", "train")
    write_midi(groove / name, [[(b, 0, 51, 60 + 5 * (b % 3)) for b in range(12)]], drums=[True],
               signatures=[(0, 3, 4)], tempos=[(0, 90)])
    rows.append(row)
    # grooves whose feel follows the tempo: faster = louder hats, earlier snares
    for n, (bpm, split) in enumerate(
        [(80, "train"), (140, "validation"), (100, "train"), (120, "train"), (90, "train"), (130, "train"),
         (110, "train"), (150, "train")], start=1):
        name, row = _row(1 + n % 2, n, "funk/groove1", bpm, "beat", "4-4", split)
        hat, late = 40 + (bpm - 80) // 2, 0.02 * (140 - bpm) / 60
        notes = [note for bar in range(4) for note in drum_bar(bar, hat=hat, late=late)]
        tempos = [(0, bpm), (8, bpm + 10)] if n == 3 else [(0, bpm)]
        write_midi(groove / name, [notes], drums=[True], tempos=tempos)
        rows.append(row)
    name, row = _row(2, 15, "rock", 120, "fill", "4-4", "test")
    write_midi(groove / name, [[(b / 4, 0, 38, 70 + 3 * b) for b in range(16)]], drums=[True], tempos=[(0, 120)])
    rows.append(row)
    name, row = _row(3, 7, "funk", 110, "beat", "4-4", "train")
    (groove / name).write_bytes(b"MThd\x00\x00\x00\x06\x00\x01\x00\x01\x01\xe0MTrk\xff\xff")  # truncated
    rows.append(row)
    rows.append(_row(3, 8, "funk", 110, "beat", "4-4", "train")[1])  # no such file
    name, row = _row(3, 9, "funk", 110, "beat", "4-4", "dev")
    write_midi(groove / name, [drum_bar(0)], drums=[True])
    rows.append(row)
    (groove / "info.csv").write_text(HEADER + "".join(rows))
    return root


class TestGMD(DatasetContract):
    dataset_name = "gmd"

    def make_dataset(self, tmp_path):
        return make_gmd(tmp_path)

    def options(self):
        return {"workers": 1}


def _open(model, path, **options):
    return open_dataset("gmd", model, path, workers=1, **options)


def test_groove_examples_split_and_skips(tmp_path):
    data = _open("groove", make_gmd(tmp_path))
    # eight 4/4 beat files of four bars; the waltz has no 4/4 bar, the fill is not a beat
    assert len(data.inputs) == 32
    assert sorted(data.stats["examples_per_split"].items()) == [("train", 28), ("validation", 4)]
    skipped = {s["file"]: s["reason"] for s in data.stats["skipped"]}
    assert skipped == {
        "info.csv row 13 (drummer3/session1/8_funk_110_beat_4-4.mid)": "the MIDI file it names is not on disk",
        "info.csv row 14 (drummer3/session1/9_funk_110_beat_4-4.mid)": "split 'dev' is not one of train, validation, test",
        "drummer3/session1/7_funk_110_beat_4-4.mid": skipped.get("drummer3/session1/7_funk_110_beat_4-4.mid", "?"),
    }
    assert "not a readable MIDI file" in skipped["drummer3/session1/7_funk_110_beat_4-4.mid"]


def test_groove_target_and_proxy_input_by_hand(tmp_path):
    data = _open("groove", make_gmd(tmp_path))
    # first groove, first bar: 80 bpm, hats 40; snares 0.02 beats late, written as 10 ticks of 480
    # (0.0833 of a 16th), averaged with the on-grid hat at the same step
    timing, velocity = data.targets[0][:16], data.targets[0][16:]
    late = (10 / 480 / 0.25 + 0.0) / 2
    assert timing[[4, 12]] == pytest.approx([late, late], abs=1e-3)
    assert np.delete(timing, [4, 12]) == pytest.approx(np.zeros(14), abs=1e-6)
    # step maxima: 100 (0, 8), 90 (4, 12), 40 (2, 6, 10, 14), 0 (odd): mean 540/16 = 33.75;
    # (100 - 33.75)/64 is above 1 and clipped
    expected = [1.0, (90 - 33.75) / 64, (40 - 33.75) / 64, -33.75 / 64]
    assert velocity[[0, 4, 2, 1]] == pytest.approx(expected, abs=1e-6)
    # drums have no mode: valence is the tempo term (80-100)/60 = -1/3
    assert data.inputs[0][:12] == pytest.approx(emotion_embedding(-1 / 3, 0.0)[:12], abs=1e-6)
    # and the musical context: tempo (80 - 100)/60, no mode, the eighth grid kept
    assert data.inputs[0][[24, 27]] == pytest.approx([-1 / 3, 0.0], abs=1e-6)


def test_dynamics_includes_the_waltz_and_fills_are_an_option(tmp_path):
    root = make_gmd(tmp_path)
    dynamics = _open("dynamics", root)
    assert dynamics.inputs.shape[1] == 32 and len(dynamics.inputs) == 8 * 2 + 2  # 2 phrases each; waltz: 4 bars
    both = _open("groove", root, beat_type="all")
    assert both.stats["examples_per_split"] == {"train": 28, "validation": 4, "test": 1}
    with pytest.raises(ml5.DataError, match="all 1 pieces are in the validation/test split"):
        _open("groove", root, beat_type="fill")  # the one fill is a test piece: nothing to train on


def test_wrong_layout_says_what_is_missing(tmp_path):
    problems = FORMAT.validate(tmp_path)
    assert len(problems) == 1 and "info.csv is missing" in problems[0] and "groove" in problems[0]


def test_cli_names_every_skipped_file_and_describes_the_data(tmp_path):
    root = make_gmd(tmp_path)
    check = run_cli("datasets", "gmd", str(root))
    assert check.returncode == 1
    assert "8_funk_110_beat_4-4.mid" in check.stdout and "not on disk" in check.stdout
    assert "7_funk_110_beat_4-4.mid" in check.stdout and "split 'dev'" in check.stdout
    stats = run_cli("datasets", "gmd", str(root), "--stats", "--json")
    assert stats.returncode == 0, stats.stderr
    doc = json.loads(stats.stdout)
    assert doc["models"]["groove"]["per_split"] == {"train": 28, "validation": 4}
    assert doc["files"]["files_skipped"] == 3 and doc["tempo_qpm"]["max"] == 150.0
    table = run_cli("datasets", "gmd", str(root), "--stats")
    assert "groove" in table.stdout and "skipped" in table.stdout
    empty = run_cli("datasets", "gmd", str(tmp_path / "groove" / "drummer1"), "--stats")
    assert empty.returncode == 1 and "info.csv is missing" in empty.stderr
    assert run_cli("datasets", "gmd").returncode == 2


def test_run_end_to_end_reports_skipped_files(tmp_path):
    pytest.importorskip("ml5_trainer")
    root = make_gmd(tmp_path / "data")
    config = tmp_path / "ml5.toml"
    sections = "".join(
        f'[models.{m}]\ndataset = "gmd"\npath = "{root}"\n[models.{m}.options]\nworkers = 1\n' for m in ("groove", "dynamics")
    )
    config.write_text("[train]\nepochs = 4\nbatch_size = 8\n" + sections)
    result = run_cli("run", "--plugins", "groove,dynamics", "--config", str(config), "--out", str(tmp_path / "run"))
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    for r in report["models"]:
        assert r["dataset"] == "gmd" and r["task"]["metric"] == "mse"
        reasons = {s["file"]: s["reason"] for s in r["data"]["skipped"]}
        assert "not a readable MIDI file" in reasons["drummer3/session1/7_funk_110_beat_4-4.mid"]
        assert r["data"]["files_skipped"] == 3
    markdown = (tmp_path / "run" / "report.md").read_text()
    assert "skipped `info.csv row 13 (drummer3/session1/8_funk_110_beat_4-4.mid)`: the MIDI file it names is not on disk" in markdown
    assert "| groove |" in markdown and "| dynamics |" in markdown


def test_run_with_nothing_usable_exits_1(tmp_path):
    pytest.importorskip("ml5_trainer")
    groove = tmp_path / "data" / "groove"
    groove.mkdir(parents=True)
    name, row = _row(1, 1, "funk", 100, "beat", "4-4", "train")
    (groove / name).parent.mkdir(parents=True)
    (groove / name).write_bytes(b"not midi")
    (groove / "info.csv").write_text(HEADER + row)
    config = tmp_path / "ml5.toml"
    config.write_text(f'[models.groove]\ndataset = "gmd"\npath = "{tmp_path / "data"}"\n')
    result = run_cli("run", "--plugins", "groove", "--config", str(config), "--out", str(tmp_path / "run"))
    assert result.returncode == 1
    assert "no usable groove examples in 1 file(s)" in result.stderr and "not a readable MIDI file" in result.stderr


def test_bad_options_are_named_and_max_files_spreads_over_the_list(tmp_path):
    root = make_gmd(tmp_path)
    with pytest.raises(ml5.DataError, match="option phrase_bars = 0"):
        _open("dynamics", root, phrase_bars=0)
    # 4 of the 10 beat files on disk, evenly spaced: the waltz (no 4/4 bar), the 100 and 130 bpm
    # grooves, the corrupt file. Both grooves are train pieces, so one of them is held out whole.
    four = _open("groove", root, max_files=4)
    assert four.stats["files"] == 4 + 2 and four.stats["files_skipped"] == 1 + 2  # + the two bad info.csv rows
    assert four.stats["examples_per_split"] == {"train": 4, "validation": 4}
