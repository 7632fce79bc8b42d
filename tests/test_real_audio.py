"""benchmarks/real_audio.py, the held-out real-audio evaluation, on one piece and 12 s: every
rendering is made, ``ml5 infer`` reads each, and the figures are the ones its docstring defines."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from ml5_audio.testing import random_exports

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def real_audio():
    spec = importlib.util.spec_from_file_location("real_audio", ROOT / "benchmarks" / "real_audio.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """The five models with random weights, as RTNeural files every engine loads."""
    return random_exports(tmp_path_factory.mktemp("exports"))


def test_one_piece_through_every_rendering(real_audio, exports, tmp_path, capsys):
    out = tmp_path / "figures.json"
    per_piece = real_audio.main([str(exports), "--pieces", "1", "--seconds", "12", "--json", str(out)])
    assert json.loads(out.read_text()) == per_piece
    (figures,) = per_piece.values()
    assert list(figures) == ["midi", "additive", "sampled", "sampled −20 dB", "sampled 44.1 kHz", "sampled 48 kHz",
                             "sampled MP3 128k"]
    for name, row in figures.items():
        assert row["windows"] == 3, name  # whole 4 s windows in 12 s, paired by start time
        assert 0 <= row["in_key"] <= 1 and 0 <= row["top1_equal"] <= 1 and -1 <= row["valence_r"] <= 1
    # the MIDI path against itself: every window the same
    assert figures["midi"]["top1_equal"] == 1 and figures["midi"]["valence_rms"] == 0
    table = capsys.readouterr().out
    assert "| sampled MP3 128k |" in table and "1 held-out pieces, first 12 s" in table


def test_the_evaluation_programs_are_never_drawn_for_training(real_audio):
    from ml5_audio.soundfont import EVALUATION_PROGRAMS, draw_programs

    assert not set(draw_programs(2000, seed=11)) & set(EVALUATION_PROGRAMS)


def test_no_model_trains_on_a_composer_of_the_evaluation_by_default(real_audio):
    from ml5.config import Config
    from ml5.plugins import load
    from ml5.registry import Registry
    from ml5.run import dataset_options

    registry = Registry(load())
    corpus = registry.datasets["corpus"].spec
    read = {name: dataset_options(corpus, entry.spec, Config().model(name).options)["collection"].split(",")
            for name, entry in registry.models.items() if registry.default_dataset(entry.spec) == "corpus"}
    assert {"emotion", "harmony", "melody"} <= set(read)
    composers = {p.split("/")[0] for p in real_audio.PIECES + real_audio.DEV_PIECES}
    for name, collection in read.items():
        assert not composers & set(collection), name


def test_the_development_pieces_are_other_pieces_of_the_corpus(real_audio):
    from ml5_corpus import corpus_root

    assert not set(real_audio.DEV_PIECES) & set(real_audio.PIECES)
    assert len(set(real_audio.DEV_PIECES)) == len(real_audio.DEV_PIECES) >= 10
    missing = [p for p in real_audio.PIECES + real_audio.DEV_PIECES if not (corpus_root() / p).is_file()]
    assert not missing, f"not in music21's corpus: {missing}"
