"""Notes played by sampled instruments: a piece (an ``ml5_midi`` Piece, or anything with its arrays)
written to a General MIDI file, a program per track, and rendered with a SoundFont (``.sf2``)
by ``midirenderer`` (a self-contained wheel: no system library), then read at the feature
definition's sample rate. The default SoundFont is the General MIDI set that pretty-midi ships
(``TimGM6mb.sf2``); any other ``.sf2`` file can be named.

Programs are General MIDI numbers 0–127. ``FAMILIES`` groups them into the kinds of instrument a
companion hears; ``draw_programs`` picks one per track from them, deterministically from a seed.
Drum notes (``piece.drum``) play on MIDI channel 10 whatever the program.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ml5_audio.features import SAMPLE_RATE

#: General MIDI programs (0-based) by family: what a companion hears in a room
FAMILIES: dict[str, tuple[int, ...]] = {
    "piano": tuple(range(0, 8)),
    "organ": tuple(range(16, 24)),
    "guitar": tuple(range(24, 32)),
    "strings": tuple(range(40, 46)),
    "ensemble": (48, 49, 50, 51),
    "choir": (52, 53, 54),
    "brass": tuple(range(56, 64)),
    "reed": tuple(range(64, 72)),
    "pipe": tuple(range(72, 80)),
    "synth": (80, 81, 88, 89, 90, 91),
}
#: held out of every training draw: the held-out evaluation (benchmarks/real_audio.py) plays
#: its pieces on these, so that the instruments it hears are ones training never heard
EVALUATION_PROGRAMS: tuple[int, ...] = (1, 41, 70, 60, 25, 17)  # bright piano, viola, bassoon, horn, steel guitar, percussive organ
TICKS_PER_BEAT = 480
DRUM_CHANNEL = 9  # MIDI channel 10
#: what midirenderer writes (48 kHz, 16-bit stereo WAV)
RENDER_RATE = 48_000


def default_soundfont() -> Path:
    """pretty-midi's General MIDI SoundFont, ``TimGM6mb.sf2`` (6 MB), as pretty-midi distributes it."""
    import pretty_midi

    return Path(pretty_midi.__file__).parent / "TimGM6mb.sf2"


@lru_cache(maxsize=4)
def _soundfont_bytes(path: str) -> bytes:
    check_soundfont(path)
    return Path(path).read_bytes()


def check_soundfont(path: str | Path) -> None:
    """Raise ValueError naming ``path`` unless it is a SoundFont 2 file (a RIFF ``sfbk`` header)."""
    try:
        with open(path, "rb") as f:
            head = f.read(12)
    except OSError as exc:
        raise ValueError(f"SoundFont {path}: cannot be read ({exc.strerror or exc}); give an existing .sf2 file") from None
    if head[:4] != b"RIFF" or head[8:12] != b"sfbk":
        raise ValueError(f"SoundFont {path}: not a SoundFont 2 file (no RIFF sfbk header); give a .sf2 file")


def draw_programs(tracks: int, seed: int, families: Sequence[str] = tuple(FAMILIES)) -> list[int]:
    """A General MIDI program for each of ``tracks`` tracks: a family, then a program of it, drawn
    per track from ``seed`` (the same seed, the same programs); never one of EVALUATION_PROGRAMS."""
    unknown = [f for f in families if f not in FAMILIES]
    if unknown or not families:
        raise ValueError(f"unknown instrument families {unknown or '(none given)'}; known: {', '.join(FAMILIES)}")
    rng = np.random.default_rng(seed)
    chosen = []
    for _ in range(tracks):
        family = [p for p in FAMILIES[families[int(rng.integers(len(families)))]] if p not in EVALUATION_PROGRAMS]
        chosen.append(int(family[int(rng.integers(len(family)))]))
    return chosen


def midi_bytes(piece: Any, programs: Sequence[int]) -> bytes:
    """The piece as a type-1 Standard MIDI File: its tempo map on the first track, then a track
    per piece track (``programs[k]`` for the k-th track, in order of track number) on a channel
    of its own (pitched tracks skip channel 10; drum notes go there)."""
    import mido

    tracks = sorted({int(t) for t in np.asarray(piece.track)})
    if len(programs) < len(tracks):
        raise ValueError(f"{len(tracks)} tracks need as many programs; {len(programs)} given")
    if any(not 0 <= p <= 127 for p in programs):
        raise ValueError(f"General MIDI programs are 0..127: {list(programs)}")
    channels = [c for c in range(16) if c != DRUM_CHANNEL]
    file = mido.MidiFile(type=1, ticks_per_beat=TICKS_PER_BEAT)
    tempo = mido.MidiTrack()
    tempo_events = [(int(round(b * TICKS_PER_BEAT)), mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(q)))
                    for b, q in zip(np.asarray(piece.tempo_beat), np.asarray(piece.tempo_qpm))]
    _append_timed(tempo, tempo_events)
    file.tracks.append(tempo)
    for k, number in enumerate(tracks):
        channel = channels[k % len(channels)]
        events: list[tuple[int, Any]] = [(0, mido.Message("program_change", channel=channel, program=int(programs[k])))]
        mine = np.flatnonzero(np.asarray(piece.track) == number)
        for i in mine:
            on, off = int(round(piece.start[i] * TICKS_PER_BEAT)), int(round(piece.end[i] * TICKS_PER_BEAT))
            if off <= on:
                continue  # an onset without duration does not sound
            note_channel = DRUM_CHANNEL if piece.drum[i] else channel
            pitch, velocity = int(piece.pitch[i]), max(1, int(piece.velocity[i]))
            events.append((on, mido.Message("note_on", channel=note_channel, note=pitch, velocity=velocity)))
            events.append((off, mido.Message("note_off", channel=note_channel, note=pitch, velocity=0)))
        track = mido.MidiTrack()
        # at equal times a note-off comes before a note-on, so a repeated pitch sounds again
        _append_timed(track, events)
        file.tracks.append(track)
    out = io.BytesIO()
    file.save(file=out)
    return out.getvalue()


def _append_timed(track: Any, events: list[tuple[int, Any]]) -> None:
    """Absolute-tick events into a track as delta times, stably ordered by tick, note-offs first."""
    order = sorted(range(len(events)), key=lambda i: (events[i][0], events[i][1].type != "note_off", i))
    now = 0
    for i in order:
        tick, message = events[i]
        track.append(message.copy(time=tick - now))
        now = tick


def render(piece: Any, programs: Sequence[int], soundfont: Path | str | None = None,
           rate: int = SAMPLE_RATE) -> np.ndarray:
    """Mono float32 samples at ``rate`` of the piece played with ``programs`` (one per track) by
    ``soundfont`` (default: ``default_soundfont()``). Levels are the SoundFont's: no
    normalisation, so velocities stay audible as loudness."""
    import midirenderer
    import soundfile
    import soxr

    path = Path(soundfont) if soundfont is not None else default_soundfont()
    wav = midirenderer.render_wave_from(_soundfont_bytes(str(path.resolve())), midi_bytes(piece, programs))
    samples, source_rate = soundfile.read(io.BytesIO(wav), dtype="float32", always_2d=True)
    mono = samples.mean(axis=1)
    if source_rate != rate:
        mono = soxr.resample(mono, source_rate, rate, quality="HQ")
    return np.ascontiguousarray(mono, dtype=np.float32)
