"""The harmony context agrees between a score's MIDI and an audio rendering of it.

HarmonyPredictor's inputs 64-127 are ``ml5.music.harmony_context``: the power of the bar in the
64 low bands of the 128-band Slaney mel scale, dB relative to the loudest band. Training data
model that power from notes (``ml5_midi.bands``); a host measures it on audio
(``ml5_audio.features``). Both must give the same numbers *after* the standardisation the model
sees (the training rows' mean and std, ``standardise_harmony_context``), or a model trained on
MIDI reads audio as something else.

Material: real Bach chorales from the music21 corpus, written to MIDI by music21 and read back by
``ml5_midi.piece.read_midi``; rendered by ml5-audio's additive instrument (``ml5_audio.render``: a
partial recipe unlike the one ``bands`` models — six partials of amplitude 1/k^1.3, random
phases, 10 ms attack, 50 ms release), written as WAV and read back by
``ml5_audio.features.load_audio``.

1. Per bar, the 64 values from the MIDI and from the audio, both standardised with the MIDI
   bars' mean and std: mean Pearson r over bars, RMS difference in standardised units. Two wrong
   variants (the MIDI context one bar late; the audio context averaged in dB instead of power)
   must fall clearly below the bounds, so the bounds catch a broken definition.
2. A HarmonyPredictor trained with the real trainer on other chorales (the ``corpus`` data set):
   for each bar of the test chorales, its top-1 chord from [embedding, MIDI context] and from
   [embedding, audio context] must agree far more often than with the audio contexts shuffled
   across bars.

``pytest tests/test_harmony_context.py -s`` prints the measured numbers (lines ``HARMONY-CONTEXT``).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("music21")
pytest.importorskip("librosa")
pytest.importorskip("soundfile")

from ml5.music import emotion_embedding, harmony_context  # noqa: E402
from ml5_audio import features  # noqa: E402
from ml5_audio.render import render  # noqa: E402
from ml5_midi import bands, examples  # noqa: E402
from ml5_midi.dataset import standardise_harmony_context  # noqa: E402
from ml5_midi.emotion import window_embedding_parts  # noqa: E402
from ml5_midi.piece import Piece, read_midi  # noqa: E402

#: held out from the training chorales (asserted below); 69 bars together
TEST_CHORALES = ("bach/bwv66.6", "bach/bwv269", "bach/bwv26.6", "bach/bwv10.7")
TRAIN_FILES = 40  # corpus data set, max_files: evenly spaced over the Bach collection

SAMPLE_RATE = features.SAMPLE_RATE

# ---- bounds ----
# Measured on these 4 chorales (69 bars, 65 harmony rows), the model trained on 40 others:
#
#                                   mean r   RMS    agreement  shuffled (max of 20)
#   the definitions                  0.873   0.468    0.769     0.350 (0.446)
#   wrong: audio averaged in dB      0.582   1.260
#   wrong: MIDI one bar late         0.232   1.149
#
# (Before the band model took the STFT window's leakage into account and the range was 30 dB,
# the same test measured r 0.001 and an agreement of 0.123, below chance: a model trained on
# MIDI read audio as something else.) The bounds sit below the first row with margin and far
# above what a broken definition or a wrong pairing gives.
#: mean over bars of Pearson r between the standardised 64-vectors from MIDI and from audio
MIN_MEAN_R = 0.75
#: RMS of (audio − MIDI) in standardised units (1.0 = one training std; uncorrelated ≈ 1.4)
MAX_RMS = 0.7
#: a wrong variant must miss the r bound by this much, or the RMS bound by WRONG_RMS_MARGIN
WRONG_R_MARGIN, WRONG_RMS_MARGIN = 0.2, 0.3
#: share of bars where the model trained on MIDI gives the same top-1 chord from either context
MIN_AGREEMENT = 0.65
#: … and how far above the agreement with the audio contexts shuffled across bars
MIN_OVER_CHANCE = 0.2
SHUFFLES = 20


def audio_context_db_mean(power: np.ndarray, begin: float, end: float) -> np.ndarray:
    """WRONG on purpose: the bar's frames averaged in dB instead of in power."""
    times = features.frame_times(power.shape[1])
    inside = (times >= begin) & (times < end)
    db = 10 * np.log10(np.maximum(power[:64, inside], features.AMIN)).mean(axis=1)
    return harmony_context(10 ** (db / 10))


def mean_r(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a - a.mean(axis=1, keepdims=True), b - b.mean(axis=1, keepdims=True)
    r = (a * b).sum(axis=1) / np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1) + 1e-30)
    return float(r.mean())


def standardised(midi: np.ndarray, *others: np.ndarray) -> list[np.ndarray]:
    """``midi`` and ``others`` standardised with the MIDI rows' mean and std, by the training
    data's own function (``standardise_harmony_context``, its std floor included)."""
    rows = [midi, *others]
    x = np.zeros((sum(len(r) for r in rows), 128), np.float32)
    x[:, 64:] = np.concatenate(rows)
    train = np.zeros(len(x), bool)
    train[: len(midi)] = True
    standardise_harmony_context(x, train)
    return np.split(x[:, 64:], np.cumsum([len(r) for r in rows])[:-1])


def report(line: str) -> None:
    print(f"HARMONY-CONTEXT {line}")


@pytest.fixture(scope="module")
def ml5_cache(tmp_path_factory):
    """Data-set reads cached for this session only (never the user's cache, never a stale one)."""
    folder = tmp_path_factory.mktemp("ml5-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ML5_CACHE_DIR", str(folder))
        yield Path(folder)


@pytest.fixture(scope="module")
def chorales(tmp_path_factory):
    """[(name, piece from the MIDI music21 wrote, mel power of its rendering)]."""
    import soundfile
    from music21 import corpus

    folder = tmp_path_factory.mktemp("chorales")
    out = []
    for name in TEST_CHORALES:
        stem = name.split("/")[-1]
        corpus.parse(name).write("midi", fp=str(folder / f"{stem}.mid"))
        piece = read_midi(folder / f"{stem}.mid")
        soundfile.write(str(folder / f"{stem}.wav"), render(piece), SAMPLE_RATE, subtype="FLOAT")
        samples = features.load_audio(folder / f"{stem}.wav")
        out.append((name, piece, features.mel_power(samples)))
    return out


def bars_of(piece: Piece) -> tuple[np.ndarray, np.ndarray]:
    """Bar starts and ends in beats, as the examples use them (empty bars dropped), up to the
    last onset."""
    keep = piece.bar_length > 1e-6
    starts, ends = piece.bar_start[keep], piece.bar_start[keep] + piece.bar_length[keep]
    used = starts <= piece.start.max()
    return starts[used], ends[used]


@pytest.fixture(scope="module")
def bar_contexts(chorales):
    """Per bar of every test chorale: the context from MIDI, from audio, and the wrong variants."""
    out: dict[str, list] = {"midi": [], "audio": [], "db_mean": [], "late_midi": [], "late_audio": []}
    for _, piece, power in chorales:
        starts, ends = bars_of(piece)
        midi = [bands.bar_bands(piece, float(b0), float(b1)) for b0, b1 in zip(starts, ends)]
        seconds = [(float(piece.seconds(b0)), float(piece.seconds(b1))) for b0, b1 in zip(starts, ends)]
        audio = [features.harmony_context(power, s0, s1) for s0, s1 in seconds]
        out["midi"] += midi
        out["audio"] += audio
        out["db_mean"] += [audio_context_db_mean(power, s0, s1) for s0, s1 in seconds]
        out["late_midi"] += midi[:-1]  # bar b's audio beside bar b-1's MIDI context
        out["late_audio"] += audio[1:]
    return {k: np.asarray(v, np.float32) for k, v in out.items()}


def test_bar_contexts_from_midi_and_from_audio_agree(bar_contexts):
    c = bar_contexts
    assert len(c["midi"]) >= 40
    midi, audio, db_mean, late_midi, late_audio = standardised(
        c["midi"], c["audio"], c["db_mean"], c["late_midi"], c["late_audio"])

    def compare(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
        return mean_r(a, b), float(np.sqrt(((a - b) ** 2).mean()))

    measured = {
        "right": compare(midi, audio),
        "wrong_db_mean": compare(midi, db_mean),
        "wrong_one_bar_late": compare(late_midi, late_audio),
    }
    spread = c["midi"].std(axis=0)
    report(f"bars={len(midi)} raw_mean_r={mean_r(c['midi'], c['audio']):.3f} "
           f"raw_rms={float(np.sqrt(((c['midi'] - c['audio']) ** 2).mean())):.3f} "
           f"bands_constant_in_midi={np.flatnonzero(spread < 1e-6).tolist()}")
    for name, (r, e) in measured.items():
        report(f"{name}: mean_r={r:.3f} rms={e:.3f}")
    for name in ("wrong_db_mean", "wrong_one_bar_late"):  # the bounds catch a broken definition
        wrong_r, wrong_rms = measured[name]
        assert wrong_r < MIN_MEAN_R - WRONG_R_MARGIN or wrong_rms > MAX_RMS + WRONG_RMS_MARGIN, (name, measured[name])
    r, e = measured["right"]
    worst = np.argsort(-np.sqrt(((audio - midi) ** 2).mean(axis=0)))[:5]
    assert r >= MIN_MEAN_R and e <= MAX_RMS, (
        f"standardised harmony contexts from MIDI and from audio disagree: mean r {r:.3f} (bound {MIN_MEAN_R}), "
        f"RMS {e:.3f} (bound {MAX_RMS}); worst bands {worst.tolist()} with MIDI std "
        f"{spread[worst].round(4).tolist()}")


@pytest.fixture(scope="module")
def trained_harmony(ml5_cache, tmp_path_factory):
    """HarmonyPredictor trained by the real trainer on the ``corpus`` data set (other chorales)."""
    import ml5
    from ml5.config import TrainSettings
    from ml5.testing import open_dataset
    from ml5_corpus import index
    from ml5_harmony import SPEC
    from ml5_midi.format import evenly_spaced

    pytest.importorskip("ml5_trainer")
    from ml5_trainer.loop import train

    found = index(None, {"collection": "bach"})
    used = {found.piece_of(found.files[i]) for i in evenly_spaced(len(found.files), TRAIN_FILES)}
    assert not used & set(TEST_CHORALES), "a test chorale is among the training files"
    started = time.perf_counter()
    # every core, and no rendering: this model reads notes only
    data = open_dataset("corpus", "harmony", None, max_files=TRAIN_FILES, workers=0, render_audio=False)
    read = time.perf_counter() - started
    settings = TrainSettings(epochs=15, batch_size=64, learning_rate=0.002, patience=6, device="cpu",
                             threads=1)  # more threads are slower on a busy 2-core machine
    model = train(ml5.TrainRequest(SPEC, data, settings, seed=0, folder=tmp_path_factory.mktemp("harmony")))
    task = model.metrics["task"]
    report(f"trained on {data.description}; read {read:.1f} s, total {time.perf_counter() - started:.1f} s; "
           f"val top1 {task['value']:.3f} (majority baseline {task['baseline']:.3f})")
    assert task["value"] > 2 * task["baseline"]  # it learned chords: agreement below means something
    return model, data.card["input_standardisation"]


def harmony_rows(piece: Piece, power: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(embeddings, MIDI contexts, audio contexts) of the piece's harmony rows, made as
    ``ml5_midi.examples.piece_examples`` makes them: phrases of 2 bars, the phrase's embedding,
    the context of the bar before."""
    keep = piece.bar_length > 1e-6
    starts, ends = piece.bar_start[keep], piece.bar_start[keep] + piece.bar_length[keep]
    embedding, midi, audio = [], [], []
    for first in range(0, len(starts), 2):
        bars = range(first, min(first + 2, len(starts)))
        begin, end = float(starts[bars[0]]), float(ends[bars[-1]])
        if begin > float(piece.start.max()):
            break
        near = piece.around((float(starts[first - 1]) if first > 0 else begin) - 1.0, float(ends[list(bars)].max()))
        if not ((near.start >= begin) & (near.start < end)).any():
            continue
        va, music = window_embedding_parts(near, begin, end)
        for b in bars:
            before, b0, b1 = float(starts[b - 1]) if b else 0.0, float(starts[b]), float(ends[b])
            if b > 0 and (near.sounding & (near.end > before) & (near.start < b1)).any():
                embedding.append(emotion_embedding(va[0], va[1], music))
                midi.append(bands.bar_bands(piece, before, b0))
                audio.append(features.harmony_context(power, float(piece.seconds(before)), float(piece.seconds(b0))))
    return np.asarray(embedding, np.float32), np.asarray(midi, np.float32), np.asarray(audio, np.float32)


@pytest.mark.slow
def test_a_model_trained_on_midi_reads_the_audio_context_alike(chorales, trained_harmony):
    model, card = trained_harmony
    mean, std = np.asarray(card["mean"], np.float32), np.asarray(card["std"], np.float32)
    parts = [harmony_rows(piece, power) for _, piece, power in chorales]
    for (name, piece, _), (_, midi, _) in zip(chorales, parts):
        # the rows are the training data's own: same contexts as the per-file work makes
        np.testing.assert_allclose(midi, examples.piece_examples(piece, 2)["harmony_context"], atol=1e-6, err_msg=name)
    embedding, midi, audio = (np.concatenate(p) for p in zip(*parts))

    def top1(context: np.ndarray) -> np.ndarray:
        x = (np.concatenate([embedding, context], axis=1) - mean) / std
        return model.predict(x.astype(np.float32)).argmax(axis=1)

    from_midi = top1(midi)
    agreement = float((top1(audio) == from_midi).mean())
    rng = np.random.default_rng(0)
    shuffled = [float((top1(audio[rng.permutation(len(audio))]) == from_midi).mean()) for _ in range(SHUFFLES)]
    largest_z = float(np.abs((audio - mean[64:]) / std[64:]).max())
    report(f"rows={len(midi)} agreement={agreement:.3f} shuffled_chance={np.mean(shuffled):.3f} "
           f"(max {max(shuffled):.3f} over {SHUFFLES}) largest_standardised_audio_input={largest_z:.1f} "
           f"training_bands_with_floored_std={np.flatnonzero(std[64:] <= 1e-3 + 1e-9).tolist()}")
    assert len(midi) >= 40
    assert agreement >= MIN_AGREEMENT and agreement >= np.mean(shuffled) + MIN_OVER_CHANCE, (
        f"top-1 chord from the audio context agrees with the MIDI context's on {agreement:.3f} of bars "
        f"(bound {MIN_AGREEMENT}); with shuffled audio contexts {np.mean(shuffled):.3f}")
