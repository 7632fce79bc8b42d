"""The recording chain: what happens to an instrument's sound between the player and ml5 — the
room, the microphone's and the interface's tone, the level, noise, the source's sample rate and a
lossy file format — as Spotify's ``pedalboard`` effects, drawn from a seed.

``Recording.draw(seed)`` picks one chain (the same seed, the same chain); ``chain.apply(samples,
rate)`` returns the recorded samples at ``rate``. The ranges are the module's constants.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

#: peak level of the recording, dBFS
LEVEL_DB = (-35.0, -6.0)
#: reverb room size (0..1) and wet level; None: a dry recording, half the draws
ROOM_SIZE, WET = (0.1, 0.8), (0.05, 0.35)
#: low cut (high-pass) and high cut (low-pass) corner frequencies, Hz
LOW_CUT_HZ, HIGH_CUT_HZ = (20.0, 200.0), (4_000.0, 11_000.0)
#: a tilt of the spectrum: a low shelf at 300 Hz and a high shelf at 3 kHz in opposite directions, dB
TILT_DB = (-6.0, 6.0)
#: white noise, dB below the recording's peak
NOISE_BELOW_PEAK_DB = (35.0, 70.0)
#: the rates a source is recorded at before it reaches ml5
SOURCE_RATES = (44_100, 48_000)
#: MP3 (LAME VBR quality, 0 best .. 9 smallest), used in MP3_SHARE of the draws (encoding is
#: most of the chain's time)
MP3_QUALITY = (2.0, 7.0)
MP3_SHARE = 0.3
#: every range above, by name: a data set's cache key holds them
RANGES = ("LEVEL_DB", "ROOM_SIZE", "WET", "LOW_CUT_HZ", "HIGH_CUT_HZ", "TILT_DB", "NOISE_BELOW_PEAK_DB",
          "SOURCE_RATES", "MP3_QUALITY", "MP3_SHARE")


@attrs.frozen
class Recording:
    """One drawn chain: every setting, so that it can be stated in a cache key and repeated."""

    level_db: float
    room_size: float | None
    wet: float
    low_cut_hz: float
    high_cut_hz: float
    tilt_db: float
    noise_below_peak_db: float
    source_rate: int
    mp3_quality: float | None
    seed: int

    @classmethod
    def draw(cls, seed: int) -> Recording:
        rng = np.random.default_rng(seed)

        def pick(bounds: tuple[float, float]) -> float:
            return float(rng.uniform(*bounds))

        room = pick(ROOM_SIZE) if rng.random() < 0.5 else None
        return cls(level_db=pick(LEVEL_DB), room_size=room, wet=pick(WET), low_cut_hz=pick(LOW_CUT_HZ),
                   high_cut_hz=pick(HIGH_CUT_HZ), tilt_db=pick(TILT_DB), noise_below_peak_db=pick(NOISE_BELOW_PEAK_DB),
                   source_rate=int(SOURCE_RATES[int(rng.integers(len(SOURCE_RATES)))]),
                   mp3_quality=pick(MP3_QUALITY) if rng.random() < MP3_SHARE else None, seed=seed)

    def apply(self, samples: np.ndarray, rate: int, out_rate: int | None = None) -> np.ndarray:
        """``samples`` (mono, float, at ``rate``) as this chain records them, at ``out_rate``
        (default ``rate``): resampled to the source rate, room, tone, noise and level there, MP3
        if drawn, then resampled to ``out_rate``."""
        import pedalboard
        import soxr

        x = np.asarray(samples, dtype=np.float32)
        out_rate = rate if out_rate is None else out_rate
        if x.ndim != 1:
            raise ValueError(f"the recording chain takes mono samples; got shape {x.shape}")
        if not len(x):
            return x.copy()
        if rate != self.source_rate:
            x = soxr.resample(x, rate, self.source_rate, quality="HQ").astype(np.float32)
        effects: list[Any] = []
        if self.room_size is not None:
            effects.append(pedalboard.Reverb(room_size=self.room_size, wet_level=self.wet, dry_level=1.0 - self.wet))
        effects += [
            pedalboard.HighpassFilter(cutoff_frequency_hz=self.low_cut_hz),
            pedalboard.LowpassFilter(cutoff_frequency_hz=self.high_cut_hz),
            pedalboard.LowShelfFilter(cutoff_frequency_hz=300.0, gain_db=-self.tilt_db / 2),
            pedalboard.HighShelfFilter(cutoff_frequency_hz=3_000.0, gain_db=self.tilt_db / 2),
        ]
        x = pedalboard.Pedalboard(effects)(x, self.source_rate)
        peak = float(np.abs(x).max())
        if peak > 0:
            noise = np.random.default_rng(self.seed).standard_normal(len(x), dtype=np.float32)
            x = x + noise * np.float32(peak * 10 ** (-self.noise_below_peak_db / 20))
            x = x * np.float32(10 ** (self.level_db / 20) / float(np.abs(x).max()))
        if self.mp3_quality is not None:
            x = pedalboard.MP3Compressor(vbr_quality=self.mp3_quality)(x, self.source_rate)
        if out_rate != self.source_rate:
            x = soxr.resample(np.asarray(x, np.float32), self.source_rate, out_rate, quality="HQ")
        return np.ascontiguousarray(x, dtype=np.float32)
