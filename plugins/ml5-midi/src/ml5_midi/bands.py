"""Harmony's second input half from notes: the power of a bar's notes in the 64 low bands of
the 128-band mel spectrum that ml5-audio measures on audio (22,050 Hz, Slaney mel scale as
librosa's default: fmin 0, fmax 11,025 Hz), made into the harmony context by the one rule of
``ml5.music.harmony_context`` (dB relative to the loudest band, floored, scaled).

Each sounding pitched note of the bar contributes its first four harmonics k·f0 (f0 = 440 ·
2^((p − 69)/12)) with amplitude (velocity/127)/k; harmonic k adds amplitude² × (beats it sounds
in the bar / bar length) × the triangular response of band b at k·f0 (1 at the band centre, 0 at
its neighbours' centres) — the power a plain additive instrument would put there, averaged over
the bar. tests/test_harmony_context.py renders MIDI with such an instrument and checks that the
context measured on the audio agrees.
"""

from __future__ import annotations

import numpy as np
from ml5.music import harmony_context

from ml5_midi.piece import Piece
from ml5_midi.targets import _overlap

SAMPLE_RATE = 22_050
N_MELS = 128
CONTEXT_BANDS = 64
HARMONICS = 4


def hz_to_mel(f: np.ndarray | float) -> np.ndarray:
    """Slaney's mel scale: linear below 1 kHz (3 mels per 200 Hz), logarithmic above."""
    f = np.asarray(f, dtype=np.float64)
    log_step = np.log(6.4) / 27.0
    return np.where(f < 1000.0, 3.0 * f / 200.0, 15.0 + np.log(np.maximum(f, 1e-9) / 1000.0) / log_step)


def mel_to_hz(m: np.ndarray | float) -> np.ndarray:
    m = np.asarray(m, dtype=np.float64)
    log_step = np.log(6.4) / 27.0
    return np.where(m < 15.0, 200.0 * m / 3.0, 1000.0 * np.exp(log_step * (m - 15.0)))


#: N_MELS + 2 band edges in Hz: band b rises from EDGES[b] to EDGES[b+1] and falls to EDGES[b+2]
EDGES = mel_to_hz(np.linspace(0.0, float(hz_to_mel(SAMPLE_RATE / 2)), N_MELS + 2))


def band_response(freq: np.ndarray) -> np.ndarray:
    """(len(freq), CONTEXT_BANDS) triangular responses of the low bands at each frequency."""
    f = np.asarray(freq, dtype=np.float64)[:, None]
    low, centre, high = EDGES[:CONTEXT_BANDS], EDGES[1 : CONTEXT_BANDS + 1], EDGES[2 : CONTEXT_BANDS + 2]
    rising = (f - low) / (centre - low)
    falling = (high - f) / (high - centre)
    return np.clip(np.minimum(rising, falling), 0.0, None)


def pitch_hz(pitch: np.ndarray | int) -> np.ndarray:
    return 440.0 * 2.0 ** ((np.asarray(pitch, dtype=np.float64) - 69.0) / 12.0)


def bar_band_power(piece: Piece, begin: float, end: float) -> np.ndarray:
    """The 64 low-band powers of the notes sounding in [begin, end), averaged over it."""
    share = _overlap(piece, begin, end) / (end - begin)
    notes = np.flatnonzero(share > 0)
    energy = np.zeros(CONTEXT_BANDS)
    if len(notes):
        amplitude = piece.velocity[notes] / 127.0
        for k in range(1, HARMONICS + 1):
            response = band_response(k * pitch_hz(piece.pitch[notes]))
            energy += ((amplitude / k) ** 2 * share[notes]) @ response
    return energy


def bar_bands(piece: Piece, begin: float, end: float) -> np.ndarray:
    """The harmony context (64 values in -1..0) of the notes sounding in [begin, end)."""
    return harmony_context(bar_band_power(piece, begin, end))
