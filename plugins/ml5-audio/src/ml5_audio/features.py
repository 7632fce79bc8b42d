"""The one definition of the EmotionRecognizer's 128 inputs, from audio: what is played (pitches,
the bass, the register, the rhythm) and how loudly relative to the rest of the piece, not which
instrument plays it or at what level it was recorded.

1. Decode with soundfile (WAV, FLAC, OGG, MP3), mix to mono (mean of the channels), resample to
   22,050 Hz with soxr (high quality; what ``librosa.resample(res_type="soxr_hq")`` runs).
2. Two short-time spectra, periodic Hann windows, centred frames (zero-padded):
   - **pitch**: n_fft 8192 (2.7 Hz bins), hop 2048, power summed into 96 semitone bands, MIDI
     24–119, by triangles one semitone wide on each side of the band's pitch (each FFT bin's
     power is split between the two bands its pitch lies between: nothing is counted twice);
   - **time**: the 128-band mel power spectrogram, n_fft 2048, hop 512, Slaney mel scale 0 to
     11,025 Hz with Slaney-normalised filters — ``librosa.feature.melspectrogram``'s defaults,
     computed with numpy and checked against librosa in the tests. Per frame: the loudness (dB
     of the summed power), the onset strength (the mean over bands of the rise in dB since the
     previous frame, the dB floored FLUX_FLOOR_DB below the file's level so that noise does
     not count), the spectral flatness and the share of power above 2 kHz. Onsets are the peaks
     of the onset strength (``onset_frames``).
3. The file's level (``reference_db``): the LEVEL_PERCENTILE-th percentile of the frames' loudness.
   Loudness is measured against it, so a recording's gain cancels out and a passage is loud or
   soft relative to the rest of the piece, as a listener hears the player's dynamics.
4. Per window (``window_features``; ``song_features`` is the whole file as one window), the
   frames centred within it, in the order of ``FEATURES``:
   - 0–69 **semitone bands** MIDI 36–105: the window's mean power per band in dB relative to its
     loudest band, floored RANGE_DB below it, scaled to −1 (floor) … 1 (loudest);
   - 70–81 **chroma** C…B and 94–101 **octaves** 1…8 (MIDI 24–35 … 108–119): the notes'
     amplitude, summed per pitch class and per octave, as a profile (``ml5.music.profile_values``:
     the strongest 1, an absent one −1). The amplitude is the square root of the power with each
     note's upper harmonics taken out (``salience``: from the lowest band up, harmonic k of a
     band — HARMONICS, k = 2…6, at the nearest semitone — loses 1/k of that band's remaining
     power), so that the fifth and the major third every tone's harmonics add do not count as
     notes. The octaves read the window's mean power; the chroma reads each pitch frame's,
     relative to the frame's loudest note (``frame_chroma``), summed over the frames within
     RANGE_DB of the window's loudest: a note counts by how long it sounds, as the notes' pitch
     classes count beats, not by how loudly it is played or how far it has decayed (on the
     development pieces of benchmarks/real_audio.py the raw mode feature's r with the notes'
     rose from 0.65 to 0.85, and the model's valence r from 0.72 to 0.85);
   - 82–93 **bass chroma**: per pitch frame, the pitch class of the lowest band that is a local
     peak within PEAK_DB of the frame's loudest band, counted over the window, as a profile;
   - 102–115 **scalars**: loudness (the window's mean power in dB re the file's level, /30),
     its peak frame (same), the frames' loudness std (/10 dB), onsets per second (/8), mean and
     std of the onset strength (/FLUX_SCALE), the power-weighted mean pitch ((p − 60)/24) and
     spread (/24), the lowest peak pitch (median over frames, (p − 48)/24; 0 when none) and
     highest band within PEAK_DB of the loudest ((p − 72)/24), spectral flatness, the share of
     power above 2 kHz in dB (/30), and the key heard in the chroma: its mode, tanh(4·(r_major −
     r_minor)) with r the best correlation of the chroma's weights with the 12 rotations of each
     Krumhansl–Kessler profile (``ml5.music``; the rule ml5-midi applies to notes), and its
     clarity, the larger of the two r;
   - 116–127 **rhythm**: onsets per second (/8) counted at six thresholds, ONSET_DELTAS dB above
     the local mean of the onset strength (soft attacks of bowed and blown instruments pass the
     low ones, only strikes the high ones), and the frames' loudness re the file's level (/30)
     at six percentiles, LOUDNESS_PERCENTILES: statistics of the window that hold still while the
     music does. (The onset strength's autocorrelation at 12 lags, tried in their place, moved
     from window to window with nothing the notes did and cost the held-out arousal r 0.14 in a
     linear probe.)
   Every value is bounded, and none moves with the recording's gain (floors aside).
5. Standardised per feature: ``(raw − mean) / std`` with the mean and std of the training data
   (std floored at STD_FLOOR: a feature almost constant in training must not blow up on new
   audio). They are fitted once by the data set, applied to every row, and written into the
   export's model card as ``input_standardisation`` — a host (``ml5 infer``, the C++ plugin)
   applies the same two vectors to its raw features before the model.

Harmony's context from audio (``harmony_context``) reads the same mel power.

The C++ runtime computes the same definition from a host's audio blocks
(``ml5::audio::AudioFrontEnd``, native/src/audio_frontend.cpp; docs/cpp-runtime.md, "From
audio"). This module stays the reference that training reads; tests/test_native_audio.py holds
the two together, so a change is made in both in one commit.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import numpy as np
from ml5.music import HARMONY_CONTEXT_BANDS, PITCH_CLASSES, key_correlations, mode_score, profile_values

SAMPLE_RATE = 22_050
#: the time spectrum: the mel spectrogram (onsets, loudness; harmony's context)
N_FFT = 2048
HOP = 512
N_MELS = 128
AMIN = 1e-10
#: the pitch spectrum: semitone bands MIDI LOWEST_PITCH … LOWEST_PITCH + PITCHES - 1
PITCH_FFT = 8192
PITCH_HOP = 2048
LOWEST_PITCH = 24
PITCHES = 96
#: the semitone bands that are features themselves (the others count in chroma and octaves)
BAND_PITCHES = range(36, 106)
RANGE_DB = 60.0
PEAK_DB = 30.0
FLUX_FLOOR_DB = 70.0
LEVEL_PERCENTILE = 95.0
FLUX_SCALE = 4.0
#: an onset is the highest onset strength within ±ONSET_SPAN frames, ONSET_DELTA dB above the
#: mean within ±ONSET_MEAN_SPAN frames, at least ONSET_GAP frames after the previous one
ONSET_SPAN, ONSET_MEAN_SPAN, ONSET_DELTA, ONSET_GAP = 3, 10, 0.5, 3
BRIGHT_HZ = 2000.0
ONSET_DELTAS = (0.25, 1.0, 2.0, 4.0, 8.0, 16.0)
LOUDNESS_PERCENTILES = (0.0, 10.0, 25.0, 50.0, 75.0, 90.0)
#: harmonics 2 … 6 of a tone, in semitones above it (nearest): what ``salience`` takes out
HARMONICS = tuple((k, int(round(12 * np.log2(k)))) for k in range(2, 7))
STD_FLOOR = 0.05

SCALARS = ("loudness", "loudness_peak", "loudness_std", "onset_rate", "flux_mean", "flux_std",
           "centroid", "spread", "lowest", "highest", "flatness", "brightness", "mode", "key_clarity")
#: the 128 features, in order
FEATURES: tuple[str, ...] = (
    tuple(f"band_{p}" for p in BAND_PITCHES)
    + tuple(f"chroma_{c}" for c in PITCH_CLASSES)
    + tuple(f"bass_{c}" for c in PITCH_CLASSES)
    + tuple(f"octave_{k}" for k in range(1, 9))
    + SCALARS
    + tuple(f"onset_rate_{delta:g}db" for delta in ONSET_DELTAS)
    + tuple(f"loudness_p{q:g}" for q in LOUDNESS_PERCENTILES)
)
assert len(FEATURES) == 128
#: where each group lies in FEATURES
BANDS = slice(0, len(BAND_PITCHES))
CHROMA = slice(BANDS.stop, BANDS.stop + 12)
BASS = slice(CHROMA.stop, CHROMA.stop + 12)
OCTAVES = slice(BASS.stop, BASS.stop + 8)
SCALAR_FEATURES = slice(OCTAVES.stop, OCTAVES.stop + len(SCALARS))
RHYTHM = slice(SCALAR_FEATURES.stop, SCALAR_FEATURES.stop + len(ONSET_DELTAS) + len(LOUDNESS_PERCENTILES))
assert RHYTHM.stop == 128
#: the settings that shape a feature; every cache key holds them
SETTINGS = {"definition": 6, "sample_rate": SAMPLE_RATE, "n_fft": N_FFT, "hop": HOP, "n_mels": N_MELS,
            "harmonics": [list(h) for h in HARMONICS], "flux_scale": FLUX_SCALE, "bright_hz": BRIGHT_HZ,
            "pitch_fft": PITCH_FFT, "pitch_hop": PITCH_HOP, "lowest_pitch": LOWEST_PITCH, "pitches": PITCHES,
            "range_db": RANGE_DB, "peak_db": PEAK_DB, "flux_floor_db": FLUX_FLOOR_DB,
            "level_percentile": LEVEL_PERCENTILE, "onsets": [ONSET_SPAN, ONSET_MEAN_SPAN, ONSET_DELTA, ONSET_GAP],
            "onset_deltas": list(ONSET_DELTAS), "loudness_percentiles": list(LOUDNESS_PERCENTILES),
            "std_floor": STD_FLOOR}


class AudioError(ValueError):
    """A file that cannot be decoded; the message says why."""


def load_audio(path: str | Path) -> np.ndarray:
    """Mono float32 samples at SAMPLE_RATE."""
    import soundfile

    try:
        samples, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except MemoryError:
        raise
    except Exception as exc:  # libsndfile's errors: unknown format, truncated data …
        raise AudioError(f"not a decodable audio file (libsndfile: {exc})") from None
    if samples.size == 0:
        raise AudioError("no audio samples")
    mono = samples.mean(axis=1)
    if not np.isfinite(mono).all():
        raise AudioError("non-finite samples")
    return resample(mono, rate).astype(np.float32)


def resample(samples: np.ndarray, rate: int) -> np.ndarray:
    """``samples`` at ``rate`` Hz resampled to SAMPLE_RATE with soxr's high quality, trimmed or
    zero-padded to ceil(n · SAMPLE_RATE / rate) samples (as ``librosa.resample`` does)."""
    if rate == SAMPLE_RATE:
        return samples
    import soxr

    size = int(np.ceil(len(samples) * SAMPLE_RATE / rate))
    out = soxr.resample(samples, rate, SAMPLE_RATE, quality="HQ")[:size]
    return np.pad(out, (0, size - len(out)))


@functools.lru_cache(maxsize=1)
def mel_filters() -> np.ndarray:
    """(N_MELS, N_FFT/2 + 1) weights of the mel bands on the FFT bins: triangles between
    N_MELS + 2 edges equally spaced on the Slaney mel scale from 0 to SAMPLE_RATE/2, each scaled
    by 2 / its width in Hz (Slaney's norm), as ``librosa.filters.mel`` builds them. Read-only."""
    bins = np.fft.rfftfreq(N_FFT, 1.0 / SAMPLE_RATE)
    edges = _mel_to_hz(np.linspace(0.0, _hz_to_mel(SAMPLE_RATE / 2), N_MELS + 2))
    width = np.diff(edges)
    ramps = edges[:, None] - bins[None, :]
    rising = -ramps[:N_MELS] / width[:N_MELS, None]
    falling = ramps[2:] / width[1:, None]
    weights = np.maximum(0.0, np.minimum(rising, falling)) * (2.0 / (edges[2:] - edges[:N_MELS]))[:, None]
    weights.flags.writeable = False
    return weights


#: Slaney's mel scale: 3 mels per 200 Hz up to 1 kHz (15 mels), then logarithmic, 27 mels per factor 6.4
_LINEAR_HZ, _LINEAR_MELS, _LOG_STEP = 1000.0, 15.0, np.log(6.4) / 27.0


def _hz_to_mel(hz: float) -> float:
    if hz < _LINEAR_HZ:
        return 3.0 * hz / 200.0
    return _LINEAR_MELS + float(np.log(hz / _LINEAR_HZ)) / _LOG_STEP


def _mel_to_hz(mels: np.ndarray) -> np.ndarray:
    return np.where(mels < _LINEAR_MELS, 200.0 * mels / 3.0,
                    _LINEAR_HZ * np.exp(_LOG_STEP * (mels - _LINEAR_MELS)))


#: frames transformed at once: bounds the memory of a long file (8 MB a block), large enough
#: that each block's matrix product is worth BLAS's start-up
_BLOCK = 512


def mel_power(samples: np.ndarray) -> np.ndarray:
    """(N_MELS, frames) mel power; frame k is centred at k·HOP samples (the signal zero-padded by
    N_FFT/2 at both ends, so there are 1 + len(samples) // HOP frames)."""
    padded = np.pad(np.asarray(samples, np.float32), N_FFT // 2)
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP]
    window = 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(N_FFT) / N_FFT)  # periodic Hann
    to_mels = mel_filters().T
    out = np.empty((len(frames), N_MELS), np.float32)
    for start in range(0, len(frames), _BLOCK):
        spectrum = np.fft.rfft(frames[start:start + _BLOCK] * window, axis=1)
        out[start:start + _BLOCK] = np.abs(spectrum) ** 2 @ to_mels
    return np.ascontiguousarray(out.T)


def power_db(power: np.ndarray) -> np.ndarray:
    """Mel power in dB re 1.0, floored at AMIN."""
    return (10.0 * np.log10(np.maximum(power, AMIN))).astype(np.float32)


def mel_db(samples: np.ndarray) -> np.ndarray:
    """(N_MELS, frames) mel power in dB re 1.0; frame k is centred at k·HOP samples."""
    return power_db(mel_power(samples))


#: from audio, the "bar before" of a window is its last two seconds (a 4/4 bar at 120 quarter notes
#: a minute): audio has no bar grid, and harmony learnt from one bar of context
CONTEXT_SECONDS = 2.0


def harmony_context(power: np.ndarray, begin: float, end: float) -> np.ndarray:
    """The harmony model's context (``ml5.music.harmony_context``) of the audio between ``begin``
    and ``end`` seconds: the power of the 64 lowest mel bands averaged over the frames centred
    in that span (at least the nearest frame), relative to the loudest of them. Power below
    AMIN is silence, as in the features."""
    from ml5.music import harmony_context as relative

    times = frame_times(power.shape[1])
    inside = (times >= begin) & (times < end)
    if not inside.any():
        inside = np.arange(len(times)) == np.argmin(np.abs(times - (begin + end) / 2))
    band = power[:HARMONY_CONTEXT_BANDS, inside].mean(axis=1)
    return relative(np.where(band > AMIN, band, 0.0))


def frame_times(frames: int) -> np.ndarray:
    return np.arange(frames) * HOP / SAMPLE_RATE


@functools.lru_cache(maxsize=1)
def semitone_filters() -> np.ndarray:
    """(PITCHES, PITCH_FFT/2 + 1) weights of the semitone bands on the FFT bins: bin k (pitch
    q_k = 69 + 12·log2(f_k/440)) weighs max(0, 1 − |q_k − p|) in band p, so each bin's power is
    split between the two bands its pitch lies between. Read-only."""
    hz = np.fft.rfftfreq(PITCH_FFT, 1.0 / SAMPLE_RATE)
    pitch = 69.0 + 12.0 * np.log2(np.maximum(hz, 1e-9) / 440.0)
    bands = LOWEST_PITCH + np.arange(PITCHES)
    weights = np.maximum(0.0, 1.0 - np.abs(pitch[None, :] - bands[:, None])).astype(np.float32)
    weights.flags.writeable = False
    return weights


def semitone_power(samples: np.ndarray) -> np.ndarray:
    """(PITCHES, frames) power per semitone band; frame k is centred at k·PITCH_HOP samples."""
    import scipy.fft

    padded = np.pad(np.asarray(samples, np.float32), PITCH_FFT // 2)
    frames = np.lib.stride_tricks.sliding_window_view(padded, PITCH_FFT)[::PITCH_HOP]
    window = (0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(PITCH_FFT) / PITCH_FFT)).astype(np.float32)
    to_bands = semitone_filters().T
    out = np.empty((len(frames), PITCHES), np.float32)
    block = max(1, _BLOCK * N_FFT // PITCH_FFT)
    for start in range(0, len(frames), block):
        # in single precision (scipy keeps float32; numpy's FFT is double): a band's power is
        # read in dB to 0.01 dB, far finer than the features need, at a seventh of the time
        spectrum = scipy.fft.rfft(frames[start:start + block] * window, axis=1)
        out[start:start + block] = (spectrum.real ** 2 + spectrum.imag ** 2) @ to_bands
    return np.ascontiguousarray(out.T)


@functools.lru_cache(maxsize=1)
def _bright_bands() -> np.ndarray:
    """The mel bands centred at or above BRIGHT_HZ."""
    centres = _mel_to_hz(np.linspace(0.0, _hz_to_mel(SAMPLE_RATE / 2), N_MELS + 2))[1:-1]
    return centres >= BRIGHT_HZ


class Analysis:
    """What the features of any window of one file are computed from (``analyse``): the frames
    of both spectra, reduced to what the features read, and the file's level."""

    def __init__(self, power: np.ndarray, semitones: np.ndarray, duration: float) -> None:
        #: seconds of audio analysed
        self.duration = duration
        #: (PITCHES, pitch frames) semitone band power
        self.semitones = semitones
        #: (pitch frames, 12) the notes' relative amplitude per pitch class (``frame_chroma``)
        self.chroma = frame_chroma(semitones)
        #: per pitch frame, its bands' power summed, in dB: which frames a window's chroma hears
        self.pitch_db = 10.0 * np.log10(np.maximum(semitones.sum(axis=0), AMIN))
        #: (HARMONY_CONTEXT_BANDS, time frames) mel power of the low bands, for harmony's context
        self.context_power = np.ascontiguousarray(power[:HARMONY_CONTEXT_BANDS])
        total = power.sum(axis=0)
        #: per time frame: loudness (dB), onset strength, spectral flatness, share above 2 kHz (dB)
        self.loudness = 10.0 * np.log10(np.maximum(total, AMIN))
        self.reference_db = float(np.percentile(self.loudness, LEVEL_PERCENTILE)) if len(total) else 0.0
        db = np.maximum(10.0 * np.log10(np.maximum(power, AMIN)), self.reference_db - FLUX_FLOOR_DB)
        rise = np.maximum(np.diff(db, axis=1, prepend=db[:, :1]), 0.0)
        self.flux = rise.mean(axis=0)
        self.onsets = onset_frames(self.flux)
        #: the onsets at each of ONSET_DELTAS
        self.onsets_at = [onset_frames(self.flux, delta) for delta in ONSET_DELTAS]
        # flatness and brightness of the power floored like the onset strength's: a recording's
        # gain must not move them where a band is (nearly) silent
        floored = np.maximum(power, 10 ** ((self.reference_db - FLUX_FLOOR_DB) / 10))
        self.flatness = np.exp(np.log(floored).mean(axis=0)) / floored.mean(axis=0)
        self.brightness = 10.0 * np.log10(floored[_bright_bands()].sum(axis=0) / floored.sum(axis=0))

    @property
    def frames(self) -> int:
        return len(self.loudness)


def analyse(samples: np.ndarray) -> Analysis:
    """The analysis of mono samples at SAMPLE_RATE."""
    return Analysis(mel_power(samples), semitone_power(samples), len(samples) / SAMPLE_RATE)


def onset_frames(flux: np.ndarray, delta: float = ONSET_DELTA) -> np.ndarray:
    """Indexes of the onsets: peaks of the onset strength ``delta`` dB above its local mean (see
    ONSET_SPAN and the others)."""
    n = len(flux)
    if n == 0:
        return np.zeros(0, np.int64)
    padded = np.pad(flux, ONSET_SPAN, constant_values=-np.inf)
    local_max = np.lib.stride_tricks.sliding_window_view(padded, 2 * ONSET_SPAN + 1).max(axis=1)
    sums = np.concatenate([[0.0], np.cumsum(flux)])
    lo = np.clip(np.arange(n) - ONSET_MEAN_SPAN, 0, n)
    hi = np.clip(np.arange(n) + ONSET_MEAN_SPAN + 1, 0, n)
    local_mean = (sums[hi] - sums[lo]) / (hi - lo)
    candidates = np.flatnonzero((flux >= local_max) & (flux >= local_mean + delta))
    kept: list[int] = []
    for frame in candidates:
        if not kept or frame - kept[-1] >= ONSET_GAP:
            kept.append(int(frame))
    return np.asarray(kept, np.int64)


def _inside(times: np.ndarray, begin: float, end: float) -> np.ndarray:
    """Indexes of the frames centred in [begin, end], at least the nearest one."""
    inside = np.flatnonzero((times >= begin) & (times <= end))
    if not len(inside) and len(times):
        inside = np.asarray([int(np.argmin(np.abs(times - (begin + end) / 2)))])
    return inside


def _lowest_peaks(db: np.ndarray) -> np.ndarray:
    """Per frame of (PITCHES, frames) dB, the band index of the lowest local peak within
    PEAK_DB of the frame's loudest band; -1 when the frame is silent."""
    top = db.max(axis=0)
    up = np.vstack([np.full((1, db.shape[1]), -np.inf), db[:-1]])
    down = np.vstack([db[1:], np.full((1, db.shape[1]), -np.inf)])
    peak = (db >= up) & (db > down) & (db >= top - PEAK_DB) & (top > 10 * np.log10(AMIN) + 1)
    return np.where(peak.any(axis=0), peak.argmax(axis=0), -1)


def salience(power: np.ndarray) -> np.ndarray:
    """(PITCHES,) or (PITCHES, frames) semitone band power with the upper harmonics of lower bands
    taken out: from the lowest band up, band p + 12·log2(k) (nearest semitone) loses 1/k of band
    p's remaining power for each k in HARMONICS, floored at 0."""
    left = np.asarray(power, np.float64).copy()
    for p in range(len(left)):
        for k, offset in HARMONICS:
            if p + offset < len(left):
                left[p + offset] = np.maximum(left[p + offset] - left[p] / k, 0.0)
    return left


def frame_chroma(semitones: np.ndarray) -> np.ndarray:
    """(pitch frames, 12): per frame, each note's amplitude (the square root of ``salience``)
    relative to the frame's loudest, summed per pitch class: a soft passage and a decaying note
    count as the notes do, by how long they sound, not how loudly (0 in a silent frame)."""
    amplitude = np.sqrt(salience(semitones))
    top = amplitude.max(axis=0, initial=0.0)
    relative = amplitude / np.where(top > 0, top, 1.0)
    return np.ascontiguousarray(relative.reshape(PITCHES // 12, 12, -1).sum(axis=0).T)  # LOWEST_PITCH is a C


def _window(analysis: Analysis, begin: float, end: float) -> np.ndarray:
    """The 128 raw features of the frames centred in [begin, end] (see the module)."""
    out = np.empty(len(FEATURES), np.float32)
    pitch_frames = _inside(np.arange(analysis.semitones.shape[1]) * PITCH_HOP / SAMPLE_RATE, begin, end)
    time_frames = _inside(frame_times(analysis.frames), begin, end)
    bands = analysis.semitones[:, pitch_frames]
    power = bands.mean(axis=1).astype(np.float64)
    db = 10.0 * np.log10(np.maximum(power, AMIN))
    top = float(db.max())
    silent = top <= 10 * np.log10(AMIN) + 1
    above = np.zeros(PITCHES) if silent else np.maximum(db - (top - RANGE_DB), 0.0)
    first = BAND_PITCHES.start - LOWEST_PITCH
    out[BANDS] = -1.0 if silent else above[first:first + len(BAND_PITCHES)] / RANGE_DB * 2.0 - 1.0
    pitches = LOWEST_PITCH + np.arange(PITCHES)
    amplitude = np.sqrt(salience(power)) if not silent else np.zeros(PITCHES)
    # the frames heard: within RANGE_DB of the window's loudest (a pause's noise does not count)
    frame_db = analysis.pitch_db[pitch_frames]
    heard = pitch_frames[frame_db >= frame_db.max() - RANGE_DB]
    chroma = analysis.chroma[heard].sum(axis=0) if not silent else np.zeros(12)  # frame by frame, as C++ adds
    out[CHROMA] = profile_values(chroma)
    lowest = _lowest_peaks(10.0 * np.log10(np.maximum(bands, AMIN)))
    found = lowest[lowest >= 0]
    out[BASS] = profile_values(np.bincount((pitches[found]) % 12, minlength=12).astype(np.float64))
    out[OCTAVES] = profile_values(np.bincount((pitches - LOWEST_PITCH) // 12, weights=amplitude, minlength=8)[:8])
    loudness = analysis.loudness[time_frames]
    level = 10.0 * np.log10(np.maximum(np.mean(10.0 ** (loudness / 10.0)), AMIN)) - analysis.reference_db
    seconds = max(end - begin, HOP / SAMPLE_RATE)
    onsets = np.count_nonzero((analysis.onsets >= time_frames[0]) & (analysis.onsets <= time_frames[-1]))
    flux = analysis.flux[time_frames]
    weight = power / power.sum() if not silent else np.full(PITCHES, 1.0 / PITCHES)
    centre = float(weight @ pitches)
    spread = float(np.sqrt(weight @ (pitches - centre) ** 2))
    strong = np.flatnonzero(db >= top - PEAK_DB)
    scalars = {
        "loudness": np.clip(level / 30.0, -2.0, 1.0),
        "loudness_peak": np.clip((loudness.max() - analysis.reference_db) / 30.0, -2.0, 1.0),
        "loudness_std": min(float(loudness.std()) / 10.0, 3.0),
        "onset_rate": min(onsets / seconds / 8.0, 3.0),
        "flux_mean": min(float(flux.mean()) / FLUX_SCALE, 3.0),
        "flux_std": min(float(flux.std()) / FLUX_SCALE, 3.0),
        "centroid": np.clip((centre - 60.0) / 24.0, -2.0, 2.0),
        "spread": spread / 24.0,
        "lowest": (float(np.median(pitches[found])) - 48.0) / 24.0 if len(found) and not silent else 0.0,
        "highest": (float(pitches[strong].max()) - 72.0) / 24.0 if not silent else 0.0,
        "flatness": float(analysis.flatness[time_frames].mean()),
        "brightness": np.clip(float(analysis.brightness[time_frames].mean()) / 30.0, -3.0, 0.0),
        "mode": mode_score(chroma),
        "key_clarity": max(key_correlations(chroma)),
    }
    out[SCALAR_FEATURES] = [scalars[name] for name in SCALARS]
    counts = [np.count_nonzero((found >= time_frames[0]) & (found <= time_frames[-1])) for found in analysis.onsets_at]
    out[RHYTHM] = np.concatenate([np.minimum(np.asarray(counts) / seconds / 8.0, 3.0),
                                  np.clip((np.percentile(loudness, LOUDNESS_PERCENTILES) - analysis.reference_db) / 30.0,
                                          -2.0, 1.0)])
    return out


def song_features(analysis: Analysis) -> np.ndarray:
    """The raw 128 features of a whole file: the file as one window."""
    return _window(analysis, 0.0, max(analysis.duration, 0.0))


def window_features(analysis: Analysis, centres: np.ndarray, width: float) -> np.ndarray:
    """(len(centres), 128) raw features of the windows of ``width`` seconds centred at
    ``centres`` (the frames centred within ±width/2; at least the nearest frame)."""
    out = np.empty((len(centres), len(FEATURES)), np.float32)
    for i, centre in enumerate(np.asarray(centres, np.float64)):
        out[i] = _window(analysis, centre - width / 2, centre + width / 2)
    return out


def fit_standardisation(raw: np.ndarray) -> dict[str, Any]:
    """Per-feature mean and std of training rows (std floored at STD_FLOOR), as the model card
    holds them."""
    mean = raw.mean(axis=0, dtype=np.float64)
    std = np.maximum(raw.std(axis=0, dtype=np.float64), STD_FLOOR)  # a floored std is STD_FLOOR exactly
    return {
        "mean": [float(v) for v in mean],
        "std": [float(v) for v in std],
        "rule": "input = (raw feature - mean) / std, per feature; raw features as defined by ml5_audio.features",
        "features": dict(SETTINGS),
    }


def standardise(raw: np.ndarray, card: dict[str, Any]) -> np.ndarray:
    mean, std = np.asarray(card["mean"], np.float32), np.asarray(card["std"], np.float32)
    return ((np.asarray(raw, np.float32) - mean) / std).astype(np.float32)


def file_features(path: str, settings: dict) -> dict[str, np.ndarray]:
    """Per-file work for audio data sets (runs in worker processes): the whole file's raw
    features and those of windows centred every ``step`` seconds from ``first`` (annotation
    times), each ``window`` seconds wide."""
    from ml5.filework import SkipFile

    try:
        samples = load_audio(path)
    except AudioError as exc:
        raise SkipFile(str(exc)) from None
    analysis = analyse(samples)
    duration = analysis.duration
    first, step, width = float(settings["first"]), float(settings["step"]), float(settings["window"])
    centres = np.arange(first, duration - width / 2 + 1e-9, step) if duration - width / 2 >= first else np.zeros(0)
    return {
        "song": song_features(analysis),
        "window_times": centres.astype(np.float64),
        "windows": window_features(analysis, centres, width),
        "duration": np.asarray([duration]),
    }
