"""Harmony's second input half from notes: the power of a bar's notes in the 64 low bands of
the 128-band mel spectrum that ml5-audio measures on audio (22,050 Hz, Slaney mel scale as
librosa's default: fmin 0, fmax 11,025 Hz), made into the harmony context by the one rule of
``ml5.music.harmony_context`` (dB relative to the loudest band, floored, scaled).

Each sounding pitched note of the bar contributes its first four harmonics k·f0 (f0 = 440 ·
2^((p − 69)/12)) with amplitude (velocity/127)/k; harmonic k adds amplitude² × (beats it sounds
in the bar / bar length) × the power band b measures of a unit sinusoid at k·f0: the 2048-sample
Hann window's spectrum, leakage included, through librosa's Slaney-normalised mel filters. That
is the power a plain additive instrument would put in each band of ml5-audio's mel spectrum,
averaged over the bar (within 0.1 dB of librosa's for a steady sinusoid).
tests/test_harmony_context.py renders chorales with another instrument and checks that the
context measured on the audio agrees.
"""

from __future__ import annotations

import functools

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


N_FFT = 2048  # ml5-audio's frame: a periodic Hann window of 2048 samples
OVERSAMPLE = 64  # the window's spectrum is tabulated every 1/64 of an FFT bin


def _mel_filterbank() -> np.ndarray:
    """(CONTEXT_BANDS, N_FFT/2 + 1) weights of the low bands on the FFT bins: Slaney-normalised
    triangles, as librosa.filters.mel(sr=22050, n_fft=2048, n_mels=128) (its default) builds them."""
    bins = np.linspace(0.0, SAMPLE_RATE / 2, N_FFT // 2 + 1)
    width = np.diff(EDGES)
    ramps = EDGES[:, None] - bins[None, :]
    bands = np.arange(CONTEXT_BANDS)
    lower = -ramps[bands] / width[bands, None]
    upper = ramps[bands + 2] / width[bands + 1, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    return weights * (2.0 / (EDGES[bands + 2] - EDGES[bands]))[:, None]


def _window_power() -> np.ndarray:
    """|FFT|² of the periodic Hann window, zero-padded to N_FFT·OVERSAMPLE points."""
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)
    return np.abs(np.fft.fft(window, N_FFT * OVERSAMPLE)) ** 2


FILTERBANK = _mel_filterbank()
WINDOW_POWER = _window_power()


def band_response(freq: np.ndarray) -> np.ndarray:
    """(len(freq), CONTEXT_BANDS) power in each low band of a unit-amplitude sinusoid at each
    frequency, as ml5-audio's mel spectrum measures it: the Hann window's spectrum centred on the
    sinusoid (its leakage into neighbouring bins included), a quarter of its power per side,
    through the mel filters."""
    f = np.asarray(freq, dtype=np.float64)
    offset = np.arange(N_FFT // 2 + 1)[None, :] - f[:, None] * N_FFT / SAMPLE_RATE
    index = np.rint(offset * OVERSAMPLE).astype(np.int64) % len(WINDOW_POWER)
    return 0.25 * WINDOW_POWER[index] @ FILTERBANK.T


def pitch_hz(pitch: np.ndarray | int) -> np.ndarray:
    return 440.0 * 2.0 ** ((np.asarray(pitch, dtype=np.float64) - 69.0) / 12.0)


@functools.cache
def harmonic_responses() -> np.ndarray:
    """(HARMONICS, 128, CONTEXT_BANDS): ``band_response`` of harmonic k of every MIDI pitch,
    worked out once — a bar looks its notes up instead of redoing the window's leakage."""
    harmonics = np.arange(1, HARMONICS + 1, dtype=np.float64)[:, None] * pitch_hz(np.arange(128))[None, :]
    return band_response(harmonics.ravel()).reshape(HARMONICS, 128, CONTEXT_BANDS)


def bar_band_power(piece: Piece, begin: float, end: float) -> np.ndarray:
    """The 64 low-band powers of the notes sounding in [begin, end), averaged over it."""
    share = _overlap(piece, begin, end) / (end - begin)
    notes = np.flatnonzero(share > 0)
    energy = np.zeros(CONTEXT_BANDS)
    if len(notes):
        amplitude = piece.velocity[notes] / 127.0
        responses = harmonic_responses()
        for k in range(1, HARMONICS + 1):
            energy += ((amplitude / k) ** 2 * share[notes]) @ responses[k - 1, piece.pitch[notes]]
    return energy


def bar_bands(piece: Piece, begin: float, end: float) -> np.ndarray:
    """The harmony context (64 values in -1..0) of the notes sounding in [begin, end)."""
    return harmony_context(bar_band_power(piece, begin, end))
