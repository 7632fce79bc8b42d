"""The music21 corpus reader: a MusicXML score and a two-tune ABC file written for the test
(targets worked out by hand), and the real corpus shipped with music21."""

from __future__ import annotations

from pathlib import Path

import ml5
import numpy as np
import pytest
from ml5.music import CHORD_VOCABULARY, PITCH_CLASSES
from ml5.testing import DatasetContract, open_dataset
from ml5_corpus import corpus_root

TWO_TUNES = """X:1
T:One
M:4/4
L:1/4
K:C
CEGc|dfa2|]

X:2
T:Two
M:3/4
L:1/4
K:Am
ACE|^GBE|A3|]
"""


def make_scores(folder: Path) -> Path:
    """A 3/4 chord progression C, G7, Am, F as MusicXML (bass on the bottom), and an ABC file
    holding two tunes."""
    from music21 import chord, meter, stream

    folder.mkdir(parents=True, exist_ok=True)
    part = stream.Part()
    for i, pitches in enumerate((["C3", "E4", "G4"], ["G2", "B3", "D4", "F4"], ["A2", "C4", "E4"], ["F2", "A3", "C4", "F4"])):
        bar = stream.Measure(number=i + 1)
        if i == 0:
            bar.append(meter.TimeSignature("3/4"))
        bar.append(chord.Chord(pitches, quarterLength=3.0))
        part.append(bar)
    score = stream.Score([part])
    score.write("musicxml", fp=str(folder / "progression.musicxml"))
    (folder / "tunes.abc").write_text(TWO_TUNES)
    (folder / "broken.krn").write_text("**kern\n*M3/4\n=1\n4cc\n*-\nnot kern at all\t\t\n")
    return folder


def _open(model, path, **options):
    return open_dataset("corpus", model, path, workers=1, **options)


def test_chords_of_a_score_and_of_two_tunes(tmp_path):
    data = _open("harmony", make_scores(tmp_path / "scores"), render_audio=False)  # the rows from notes only
    chords = [CHORD_VOCABULARY[i] for i in data.targets.argmax(axis=1)]
    # files in name order: progression (bars 2-4 have a previous bar), then the ABC tunes:
    # tune 1 bar 2 d f a2 (D bass) -> D:min; tune 2 bar 2 ^G B E (E lowest) -> E:maj; bar 3 a lone A -> A:maj
    assert chords == ["G:7", "A:min", "F:maj", "D:min", "E:maj", "A:maj"]
    assert data.inputs.shape == (6, 128)
    # the harmony context, standardised with the training rows' statistics (in the card): undone,
    # every bar heard its predecessor (silence would be -1 in every band)
    card = data.card["input_standardisation"]
    raw = data.inputs * np.asarray(card["std"], np.float32) + np.asarray(card["mean"], np.float32)
    assert card["mean"][:64] == [0.0] * 64 and card["std"][:64] == [1.0] * 64
    assert (raw[:, 64:] > -0.99).any(axis=1).all() and raw[:, 64:].max() == pytest.approx(0.0, abs=1e-5)


#: a collection as collections are: a file header, and among good tunes one music21 cannot
#: parse (an unclosed chord) and one with rests only
COLLECTION = """%abc-2.1
O:Nowhere

X:1
T:Good
M:4/4
L:1/4
K:C
CEGc|dfa2|]

X:2
T:Broken
M:4/4
L:1/4
K:C
[[[CEG c|]

X:3
T:Silent
M:4/4
L:1/4
K:C
z4|z4|]

X:4
T:Also good
M:3/4
L:1/4
K:Am
ACE|^GBE|A3|]
"""


@pytest.mark.parametrize("mark", ["", "\ufeff"], ids=["plain", "byte-order-mark"])
def test_a_collection_is_read_tune_by_tune_and_its_bad_tunes_are_named(tmp_path, mark):
    folder = make_scores(tmp_path / "scores")
    (folder / "collection.abc").write_text(mark + COLLECTION, encoding="utf-8")
    data = _open("harmony", folder, render_audio=False)
    # files in name order: broken.krn (skipped), then the collection's good tunes: tune 1 bar 2
    # -> D:min; tune 4 bars 2, 3 -> E:maj, A:maj (as the same tunes of tunes.abc at the end)
    chords = [CHORD_VOCABULARY[i] for i in data.targets.argmax(axis=1)]
    assert chords[:3] == ["D:min", "E:maj", "A:maj"] and chords[-3:] == chords[:3]
    skipped = {s.file: s for s in data.skipped}
    assert set(skipped) == {"broken.krn", "collection.abc tune X:2 (Broken)", "collection.abc tune X:3 (Silent)"}
    assert skipped["collection.abc tune X:2 (Broken)"].reason.startswith("music21 cannot parse it (ABCHandlerException: ")
    assert skipped["collection.abc tune X:3 (Silent)"].reason == "no notes in the tune"
    stats = data.stats
    assert (stats["files"], stats["files_used"], stats["files_skipped"], stats["skipped_total"]) == (4, 3, 1, 3)
    assert stats["skipped_by_reason"] == {"music21 cannot parse it": 2, "no notes in the tune": 1}
    assert [item["file"] for item in stats["skipped"]] == ["broken.krn", "collection.abc tune X:2 (Broken)",
                                                           "collection.abc tune X:3 (Silent)"]
    # the first bar of each piece has no bar before it for the harmony context: counted, not named
    assert stats["left_out"] == {"first bars of a piece (no bar before them for the harmony context)": 5}


def test_chord_symbols_are_annotations_not_notes(tmp_path):
    from ml5_midi.score import read_score
    from music21 import chord, harmony, stream

    part = stream.Part()
    bar = stream.Measure(number=1)
    symbol = harmony.ChordSymbol("D")
    symbol.quarterLength = 4.0  # as some scores carry them: a written chord name with a duration
    bar.insert(0, symbol)
    bar.insert(0, chord.Chord(["C3", "E4", "G4"], quarterLength=4.0))
    part.append(bar)
    stream.Score([part]).write("musicxml", fp=str(tmp_path / "with_symbol.musicxml"))
    (piece,) = read_score(tmp_path / "with_symbol.musicxml")
    assert sorted(piece.pitch.tolist()) == [48, 64, 67]


def test_melody_of_a_score(tmp_path):
    data = _open("melody", make_scores(tmp_path / "scores"))
    # progression in phrases of 2 bars: the top notes G4, F4 then E4, F4
    assert np.flatnonzero(data.targets[0]).tolist() == [65, 67]
    assert np.flatnonzero(data.targets[1]).tolist() == [64, 65]


def test_the_real_corpus_without_a_path():
    data = _open("harmony", None, max_files=4)
    assert len(data.inputs) > 20 and data.stats["files_used"] == 4
    assert data.stats["from_cache"] + data.stats["computed"] == 4
    again = _open("harmony", None, max_files=4)
    assert again.stats["from_cache"] == 4 and np.array_equal(again.targets, data.targets)
    assert Path(corpus_root(), "bach").is_dir()


def test_unknown_collection_is_named():
    import ml5

    with pytest.raises(ml5.DataError, match="no scores for collection 'bachh'"):
        _open("melody", None, collection="bachh", max_files=1)
    with pytest.raises(ml5.DataError, match="no scores for collection 'chopn'"):
        _open("melody", None, collection="bach, chopn", max_files=1)


def test_a_collection_of_several_composers_reads_each_once():
    from ml5_corpus import _corpus_files

    bach, _ = _corpus_files("bach")
    chopin, _ = _corpus_files("chopin")
    both, _ = _corpus_files("chopin, bach,chopin")
    assert chopin and bach and both == sorted(set(bach) | set(chopin))
    assert {p.relative_to(corpus_root()).parts[0] for p in both} == {"bach", "chopin"}


class TestCorpus(DatasetContract):
    dataset_name = "corpus"
    weak_signal = {"melody": "a phrase's proxy emotion (mode, density) says little about which absolute pitches "
                             "its melody uses; the trained model's gain is small even on all Bach scores"}

    def options(self):
        return {"workers": 1, "max_files": 16}


@pytest.mark.slow
def test_harmony_learns_bach_beyond_the_majority_chord(tmp_path):
    """`ml5 run` on 50 real Bach scores: held-out chord accuracy and loss beat both baselines."""
    pytest.importorskip("ml5_trainer")
    import json

    from ml5.testing import run_cli

    config = tmp_path / "ml5.toml"
    config.write_text('[train]\nepochs = 15\npatience = 5\n[models.harmony]\ndataset = "corpus"\n'
                      "[models.harmony.options]\nmax_files = 50\nrender_audio = false\n")
    result = run_cli("run", "--plugins", "harmony", "--config", str(config), "--out", str(tmp_path / "run"))
    assert result.returncode == 0, result.stderr[-2000:]
    (harmony,) = json.loads((tmp_path / "run" / "report.json").read_text())["models"]
    assert harmony["best_val_loss"] < harmony["baseline_loss"]
    task = harmony["task"]
    assert task["metric"] == "top1_accuracy" and task["value"] > 1.5 * task["baseline"]
    assert task["top3_accuracy"] > task["baseline_top3_accuracy"]


def test_a_piece_in_two_formats_is_read_once(tmp_path):
    from ml5_corpus import index

    folder = make_scores(tmp_path / "scores")
    (folder / "progression.abc").write_text(TWO_TUNES)  # the same piece name in another format
    found = index(folder, {})
    assert [f.name for f in found.files] == ["broken.krn", "progression.musicxml", "tunes.abc"]
    assert found.piece_of(folder / "progression.musicxml") == "progression"


def test_a_rendering_adds_harmony_rows_with_the_context_measured_on_its_audio(tmp_path):
    pytest.importorskip("ml5_audio")
    from ml5_audio.features import harmony_context
    from ml5_audio.scores import RENDERING
    from ml5_midi.score import read_score

    folder = make_scores(tmp_path / "scores")
    notes = _open("harmony", folder, render_audio=False)
    heard = _open("harmony", folder)
    # every bar with a bar before it once more, from the rendering: 6 + 6 rows
    assert len(notes.targets) == 6 and len(heard.targets) == 12
    # the progression's first: its 3 rows from notes, then its 3 from the rendering: the chords of
    # the notes as played (a variation: transposed), the context measured on its audio
    (piece,) = read_score(folder / "progression.musicxml")
    ((played, analysis),) = RENDERING.hear(piece, {})
    shift = int(played.pitch[0] - piece.pitch[0])
    names = [CHORD_VOCABULARY[i] for i in heard.targets.argmax(axis=1)]

    def moved(name: str) -> str:
        root, quality = name.split(":")
        return f"{PITCH_CLASSES[(PITCH_CLASSES.index(root) + shift) % 12]}:{quality}"

    assert names[3:6] == [moved(name) for name in names[:3]]
    card = heard.card["input_standardisation"]
    raw = heard.inputs[3, 64:] * np.asarray(card["std"][64:], np.float32) + np.asarray(card["mean"][64:], np.float32)
    bar = played.seconds(np.array([played.bar_start[0], played.bar_start[1]]))
    assert raw == pytest.approx(harmony_context(analysis.context_power, float(bar[0]), float(bar[1])), abs=1e-4)


def test_emotion_rows_are_the_rendered_scores_features_and_the_notes_embedding(tmp_path):
    pytest.importorskip("ml5_audio")
    from ml5.music import emotion_embedding
    from ml5_audio.features import window_features
    from ml5_audio.scores import RENDERING
    from ml5_midi.emotion import window_embedding_parts
    from ml5_midi.score import read_score

    folder = make_scores(tmp_path / "scores")
    data = _open("emotion", folder)
    # phrases of 2 bars starting at every bar: the progression's 4 bars of 3/4, then tune 1 (2
    # bars) and tune 2 (3 bars): 4 + 2 + 3 phrases (the last of each one bar), one rendering each
    # by default
    assert data.inputs.shape == (9, 128) and data.targets.shape == (9, 64)
    card = data.card["input_standardisation"]
    raw = data.inputs * np.asarray(card["std"], np.float32) + np.asarray(card["mean"], np.float32)
    (piece,) = read_score(folder / "progression.musicxml")
    ((played, heard),) = RENDERING.hear(piece, {})  # the same piece, the same variation and recording
    assert played.pitch.shape == piece.pitch.shape and (played.start == piece.start).all()  # the same beats
    seconds = played.seconds(np.array([0.0, 6.0]))  # the first phrase: bars 1-2, six beats
    expected = window_features(heard, seconds.mean(keepdims=True), float(np.ptp(seconds)))[0]
    assert raw[0] == pytest.approx(expected, abs=1e-3)
    va, music = window_embedding_parts(played, 0.0, 6.0)  # the targets are the notes as played
    assert data.targets[0] == pytest.approx(emotion_embedding(va[0], va[1], music), abs=1e-6)
    # three renderings: each phrase three times (the progression's four phrases first), heard
    # three ways, each with the embedding of the notes it played
    thrice = _open("emotion", folder, renderings=3)
    assert thrice.inputs.shape == (27, 128)
    card = thrice.card["input_standardisation"]
    rows = thrice.inputs * np.asarray(card["std"], np.float32) + np.asarray(card["mean"], np.float32)
    assert rows[0] == pytest.approx(expected, abs=1e-3)
    for k, (variant, analysis) in enumerate(RENDERING.hear(piece, {"renderings": 3})):
        seconds = variant.seconds(np.array([0.0, 6.0]))
        assert rows[4 * k] == pytest.approx(window_features(analysis, seconds.mean(keepdims=True), float(np.ptp(seconds)))[0], abs=1e-3)
        va, music = window_embedding_parts(variant, 0.0, 6.0)
        assert thrice.targets[4 * k] == pytest.approx(emotion_embedding(va[0], va[1], music), abs=1e-6)
    assert np.abs(rows[4] - rows[0]).max() > 0.05
    # without rendering there is nothing for EmotionRecognizer, and the message says what to do
    with pytest.raises(Exception, match="render_audio"):
        _open("emotion", folder, render_audio=False)
    # a wrong rendering option is named with what to give
    with pytest.raises(ml5.DataError, match="option renderings = 0: give a whole number"):
        _open("emotion", folder, renderings=0)
    with pytest.raises(ml5.DataError, match=r"SoundFont .*missing\.sf2: cannot be read"):
        _open("emotion", folder, soundfonts=[str(tmp_path / "missing.sf2")])
