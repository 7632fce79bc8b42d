"""Skipped items: the kind a reason counts under, and how much of a long list a report keeps."""

from __future__ import annotations

import json

import pytest
from ml5 import skipped as skips
from ml5.skipped import Skipped, reason_kind


@pytest.mark.parametrize(
    ("reason", "kind"),
    [
        ("not a readable MIDI file (MiniMidi: Invalid chunk length 4096: iostream error)", "not a readable MIDI file"),
        ("type-2 MIDI file (independent sequences), not one piece", "type-2 MIDI file, not one piece"),
        ("absurd tempo 4000.0 quarter notes per minute (outside 10..1000)", "absurd tempo N quarter notes per minute"),
        ("drums only: no pitch for harmony", "drums only"),
        ("cannot read: No such file or directory", "cannot read"),
        ("TypeError: 'NoneType' object is not subscriptable", "TypeError"),
        ("split 'dev' is not one of train, validation, test", "split is not one of train, validation, test"),
        ("music21 cannot parse it (ABCHandlerException: Bad chord (x))", "music21 cannot parse it"),
        ("music21 cannot parse it (ABCHandlerException: a bracket left open (x", "music21 cannot parse it"),
        ("the file doesn't exist: 'a.mid'", "the file doesn't exist"),
        ("played at 0.5x speed", "played at 0.5x speed"),
    ],
)
def test_a_reason_counts_under_its_kind_without_specifics(reason, kind):
    assert reason_kind(reason) == kind == Skipped("f.mid", reason).kind


def test_a_reader_can_name_the_kind_itself():
    item = Skipped("label.csv row 3 (Q1_x_0)", "4Q is '7', not 1-4", "4Q is not 1-4")
    assert item.kind == "4Q is not 1-4" and Skipped.from_dict({"file": "a", "reason": "no notes"}).kind == "no notes"


def test_a_summary_counts_every_item_and_lists_the_first_of_each_kind():
    items = [Skipped(f"{i}.mid", f"not a readable MIDI file (byte {i})") for i in range(250)]
    items += [Skipped(f"t{i}.mid", "type-2 MIDI file") for i in range(3)]
    summary = skips.summary(items, 100)
    assert summary["skipped_total"] == 253 and summary["skipped_per_reason"] == 100
    assert summary["skipped_by_reason"] == {"not a readable MIDI file": 250, "type-2 MIDI file": 3}
    assert [item["file"] for item in summary["skipped"]] == [f"{i}.mid" for i in range(100)] + ["t0.mid", "t1.mid", "t2.mid"]
    assert summary["skipped"][0] == {"file": "0.mid", "reason": "not a readable MIDI file (byte 0)",
                                     "kind": "not a readable MIDI file"}


def test_how_many_are_listed_comes_from_the_run_the_environment_or_the_default(monkeypatch):
    monkeypatch.delenv(skips.PER_REASON_VARIABLE, raising=False)
    assert skips.per_reason() == skips.PER_REASON == 100
    monkeypatch.setenv(skips.PER_REASON_VARIABLE, "5")
    assert skips.per_reason() == 5 and skips.per_reason(0) == 0
    assert len(skips.summary([Skipped(str(i), "r") for i in range(9)])["skipped"]) == 5
    monkeypatch.setenv(skips.PER_REASON_VARIABLE, "many")
    with pytest.raises(ValueError, match="ML5_SKIPPED_PER_REASON='many': expected a whole number"):
        skips.per_reason()


def test_the_full_list_is_one_json_object_a_line(tmp_path):
    items = [{"model": "melody", "dataset": "lakh", "file": "a/b.mid", "reason": "no notes", "kind": "no notes"}] * 3
    skips.write_jsonl(tmp_path / "skipped.jsonl", items)
    assert [json.loads(line) for line in (tmp_path / "skipped.jsonl").read_text().splitlines()] == items
    assert not list(tmp_path.glob(".*.tmp"))
