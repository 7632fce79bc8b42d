"""Sampled instruments (ml5_audio.soundfont, the General MIDI SoundFont pretty-midi ships) and the
recording chain (ml5_audio.recording): the notes are heard at their pitches and times, on every
instrument family, through every drawn chain."""

from __future__ import annotations

import io
from types import SimpleNamespace

import mido
import numpy as np
import pytest
from ml5_audio.features import SAMPLE_RATE
from ml5_audio.recording import LEVEL_DB, Recording
from ml5_audio.soundfont import (
    DRUM_CHANNEL,
    EVALUATION_PROGRAMS,
    FAMILIES,
    default_soundfont,
    draw_programs,
    midi_bytes,
    render,
)

C_MAJOR = [60, 62, 64, 65, 67, 69, 71, 72]


def piece(pitches, beats=1.0, qpm=120.0, velocity=90, tracks=None, drum=None):
    """The arrays of an ml5_midi Piece that the renderer reads: one note per beat."""
    n = len(pitches)
    return SimpleNamespace(
        start=np.arange(n) * beats, end=np.arange(n) * beats + 0.9 * beats, pitch=np.asarray(pitches),
        velocity=np.full(n, velocity) if np.isscalar(velocity) else np.asarray(velocity),
        track=np.zeros(n, int) if tracks is None else np.asarray(tracks),
        drum=np.zeros(n, bool) if drum is None else np.asarray(drum),
        tempo_beat=np.array([0.0]), tempo_qpm=np.array([qpm]))


def pitch_class_of(samples: np.ndarray, begin: float, end: float) -> int:
    """The pitch class heard in samples[begin:end] (seconds): the MIDI pitch whose first five
    harmonics hold the most energy (each the strongest bin within a quarter tone of k·f0)."""
    segment = samples[int(begin * SAMPLE_RATE):int(end * SAMPLE_RATE)]
    spectrum = np.abs(np.fft.rfft(segment * np.hanning(len(segment)))) ** 2
    freqs = np.fft.rfftfreq(len(segment), 1 / SAMPLE_RATE)

    def energy(f):
        near = np.abs(12 * np.log2(np.maximum(freqs, 1e-9) / f)) < 0.5
        return spectrum[near].max() if near.any() else 0.0

    scores = {m: sum(energy(k * 440.0 * 2 ** ((m - 69) / 12)) for k in range(1, 6)) for m in range(36, 97)}
    return max(scores, key=scores.get) % 12


@pytest.mark.parametrize("program", [0, 19, 40, 56, 71, 73], ids=["piano", "organ", "violin", "trumpet", "clarinet", "flute"])
def test_every_note_is_heard_at_its_pitch_on_every_family(program):
    audio = render(piece(C_MAJOR), [program])
    assert audio.dtype == np.float32 and np.isfinite(audio).all() and np.abs(audio).max() > 1e-3
    heard = [pitch_class_of(audio, i * 0.5 + 0.1, i * 0.5 + 0.4) for i in range(len(C_MAJOR))]
    assert heard == [p % 12 for p in C_MAJOR]


def test_the_tempo_map_sets_the_times():
    fast, slow = render(piece(C_MAJOR, qpm=120), [0]), render(piece(C_MAJOR, qpm=60), [0])
    # the last note ends at 3.95 s or 7.9 s; both end with the same release tail
    assert len(slow) - len(fast) == pytest.approx((7.9 - 3.95) * SAMPLE_RATE, rel=0.02)
    # from 1.1 s to 1.4 s: the second note (D) at 60 quarter notes a minute, the third (E) at 120
    assert pitch_class_of(slow, 1.1, 1.4) == 2 and pitch_class_of(fast, 1.1, 1.4) == 4


def test_velocity_is_loudness_and_instruments_differ():
    soft, loud = render(piece([60] * 4, velocity=30), [0]), render(piece([60] * 4, velocity=120), [0])
    assert np.sqrt(np.mean(loud ** 2)) > 2 * np.sqrt(np.mean(soft ** 2))

    def centroid(x):
        spectrum, freqs = np.abs(np.fft.rfft(x)), np.fft.rfftfreq(len(x), 1 / SAMPLE_RATE)
        return float((spectrum * freqs).sum() / spectrum.sum())

    flute, trumpet = render(piece(C_MAJOR), [73]), render(piece(C_MAJOR), [56])
    assert abs(centroid(trumpet) / centroid(flute) - 1) > 0.2


def test_midi_file_has_a_channel_and_program_per_track_and_drums_on_channel_10():
    notes = piece([60, 64, 36, 67], tracks=[0, 1, 2, 1], drum=[False, False, True, False])
    midi = mido.MidiFile(file=io.BytesIO(midi_bytes(notes, [0, 40, 0])))
    assert len(midi.tracks) == 4  # the tempo map, then one per piece track
    programs = [(m.channel, m.program) for t in midi.tracks for m in t if m.type == "program_change"]
    assert programs == [(0, 0), (1, 40), (2, 0)]
    ons = [(m.channel, m.note) for t in midi.tracks for m in t if m.type == "note_on"]
    assert sorted(ons) == sorted([(0, 60), (1, 64), (1, 67), (DRUM_CHANNEL, 36)])
    tempo = [m.tempo for m in midi.tracks[0] if m.type == "set_tempo"]
    assert tempo == [mido.bpm2tempo(120.0)]
    with pytest.raises(ValueError, match="3 tracks need as many programs; 2 given"):
        midi_bytes(notes, [0, 1])
    with pytest.raises(ValueError, match=r"0\.\.127"):
        midi_bytes(notes, [0, 1, 128])


def test_programs_are_drawn_from_the_families_by_seed():
    assert draw_programs(6, seed=3) == draw_programs(6, seed=3)
    assert draw_programs(6, seed=3) != draw_programs(6, seed=4)
    assert set(draw_programs(50, seed=0, families=["brass"])) <= set(FAMILIES["brass"])
    every = set(draw_programs(400, seed=1))
    assert all(every & set(programs) for programs in FAMILIES.values())
    assert not every & set(EVALUATION_PROGRAMS)  # the held-out evaluation's instruments
    with pytest.raises(ValueError, match="unknown instrument families \\['kazoo'\\]; known: piano"):
        draw_programs(1, seed=0, families=["kazoo"])


def test_a_missing_or_foreign_soundfont_is_named(tmp_path):
    with pytest.raises(ValueError, match="SoundFont .*none.sf2: cannot be read"):
        render(piece([60]), [0], soundfont=tmp_path / "none.sf2")
    fake = tmp_path / "fake.sf2"
    fake.write_bytes(b"RIFF\0\0\0\0WAVEfmt ")
    with pytest.raises(ValueError, match="fake.sf2: not a SoundFont 2 file"):
        render(piece([60]), [0], soundfont=fake)
    assert default_soundfont().is_file()


@pytest.fixture(scope="module")
def scale():
    return render(piece(C_MAJOR), [0])


@pytest.mark.parametrize("seed", range(6))
def test_every_drawn_chain_keeps_the_notes_and_sets_the_level(scale, seed):
    chain = Recording.draw(seed)
    recorded = chain.apply(scale, SAMPLE_RATE)
    assert recorded.dtype == np.float32 and np.isfinite(recorded).all()
    assert len(recorded) == pytest.approx(len(scale), rel=0.01)
    peak_db = 20 * np.log10(np.abs(recorded).max())
    assert LEVEL_DB[0] - 1.5 <= peak_db <= LEVEL_DB[1] + 1.5
    assert peak_db == pytest.approx(chain.level_db, abs=1.5 if chain.mp3_quality is not None else 0.2)
    heard = [pitch_class_of(recorded, i * 0.5 + 0.1, i * 0.5 + 0.4) for i in range(len(C_MAJOR))]
    assert heard == [p % 12 for p in C_MAJOR], chain


def test_a_chain_is_repeated_by_its_seed(scale):
    assert Recording.draw(5) == Recording.draw(5) and Recording.draw(5) != Recording.draw(6)
    first, again = Recording.draw(5).apply(scale, SAMPLE_RATE), Recording.draw(5).apply(scale, SAMPLE_RATE)
    np.testing.assert_array_equal(first, again)
    drawn = [Recording.draw(s) for s in range(40)]
    assert {r.source_rate for r in drawn} == {44_100, 48_000}
    assert any(r.mp3_quality is None for r in drawn) and any(r.mp3_quality is not None for r in drawn)
    assert any(r.room_size is None for r in drawn) and any(r.room_size is not None for r in drawn)
    with pytest.raises(ValueError, match="mono samples; got shape"):
        Recording.draw(0).apply(np.zeros((2, 100), np.float32), SAMPLE_RATE)
