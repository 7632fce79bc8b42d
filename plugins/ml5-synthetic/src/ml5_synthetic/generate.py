"""The generators of the synthetic data set (numpy; imported when a model asks for data, not
when plugins are listed)."""

from __future__ import annotations

import hashlib
import json

import ml5
import numpy as np
from ml5.music import chord_pitch_classes, emotion_embedding, parse_chord

VERSION = "4"  # bump when a generator changes: it is part of every fingerprint


def _emotion(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    return rng.uniform(-1, 1, n), rng.uniform(-1, 1, n)


def noisy_embedding(v: np.ndarray, a: np.ndarray, rng: np.random.Generator, noise: float) -> np.ndarray:
    """What EmotionRecognizer outputs (``ml5.music.emotion_embedding``), with a little noise."""
    emb = emotion_embedding(v, a).astype(np.float64)
    return np.clip(emb + rng.normal(0, noise, emb.shape), -1, 1)


def _emotion_data(rng: np.random.Generator, n: int, noise: float, spec: ml5.ModelSpec) -> tuple[np.ndarray, np.ndarray]:
    """Standardised log-mel band means in which valence and arousal are hidden.

    Arousal: louder and brighter (spectral tilt); valence: a harmonic ripple across the bands
    (consonant spectra). Each example also gets a random timbre (smooth, low-order) as nuisance.
    """
    v, a = _emotion(rng, n)
    f = np.linspace(0, 1, 128)
    tilt = np.outer(a, f - 0.5) * 1.5 + 0.8 * a[:, None]
    ripple = 0.6 * np.outer(v, np.cos(2 * np.pi * 6 * f))
    timbre = sum(rng.normal(0, 0.3, (n, 1)) * np.cos(np.pi * k * f) for k in range(3))
    features = -2 * f + tilt + ripple + timbre + rng.normal(0, noise, (n, 128))
    features = (features - features.mean(axis=0)) / features.std(axis=0)
    targets = emotion_embedding(v, a).astype(np.float64)
    return features, targets + rng.normal(0, noise / 5, targets.shape)


MAJOR = np.array([1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1], float)
MINOR = np.array([1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0], float)


def _melody_data(rng: np.random.Generator, n: int, noise: float, spec: ml5.ModelSpec) -> tuple[np.ndarray, np.ndarray]:
    """Which pitches a phrase uses: register follows arousal, major/minor scale follows valence."""
    v, a = _emotion(rng, n)
    pitches = np.arange(128)
    center = 64 + 12 * a
    width = 5 + 3 * (1 - np.abs(a))
    envelope = np.exp(-0.5 * ((pitches[None, :] - center[:, None]) / width[:, None]) ** 2)
    major = 1 / (1 + np.exp(-6 * v))
    scale = np.outer(major, MAJOR) + np.outer(1 - major, MINOR)
    fit = envelope * scale[:, pitches % 12]  # in register and in the scale: near 1
    # Presence is close to all-or-nothing, as in real phrases; a soft 0.5 everywhere would put
    # most of the loss in the targets' own entropy, which no model can remove.
    probs = 0.002 + 0.996 / (1 + np.exp(-16 * (fit - 0.5)))
    return noisy_embedding(v, a, rng, noise), probs


def _harmony_data(rng: np.random.Generator, n: int, noise: float, spec: ml5.ModelSpec) -> tuple[np.ndarray, np.ndarray]:
    """Next chord from the previous one (in the chroma-like context) and the emotion.

    Root motion by a fourth or fifth is likely (functional harmony), shared tones help; valence
    favours major over minor qualities, arousal favours seventh chords; "N" is rare.
    """
    v, a = _emotion(rng, n)
    chords = spec.output_labels  # the model's own vocabulary, so indexes always agree
    parsed = [parse_chord(c) for c in chords]
    roots = np.array([-1 if p is None else p[0] for p in parsed])
    minor = np.array([p is not None and p[1] in ("min", "min7", "dim", "dim7") for p in parsed], float)
    seventh = np.array([p is not None and "7" in p[1] for p in parsed], float)
    chroma = np.array([[1.0 if p in chord_pitch_classes(c) else 0.0 for p in range(12)] for c in chords])
    playable = np.flatnonzero(roots >= 0)
    prev = rng.choice(playable, n)
    interval = (roots[None, :] - roots[prev][:, None]) % 12
    logits = (
        2.0 * (interval == 5) + 1.5 * (interval == 7) + 0.8 * (interval == 9)
        + 0.5 * (chroma[prev] @ chroma.T)
        + 1.5 * np.outer(v, 1 - 2 * minor)
        + 1.5 * np.outer(a, seventh)
    )
    logits[:, roots < 0] = -3.0
    logits *= 1.5
    targets = np.exp(logits - logits.max(axis=1, keepdims=True))
    targets /= targets.sum(axis=1, keepdims=True)
    # low mel bands: the previous chord's pitch classes over five octaves, with a falling envelope
    bands = np.arange(64)
    context = chroma[prev][:, bands % 12] * (1.0 - bands / 128)[None, :]
    context = context + rng.normal(0, noise, context.shape)
    return np.concatenate([noisy_embedding(v, a, rng, noise), context], axis=1), targets


def _dynamics_data(rng: np.random.Generator, n: int, noise: float, spec: ml5.ModelSpec) -> tuple[np.ndarray, np.ndarray]:
    """16 expression parameters as smooth functions of valence (the model's only input)."""
    v, _ = _emotion(rng, n)
    k = np.arange(16)
    slope = 2.5 * np.cos(k * 1.3)  # each parameter rises or falls with valence at its own rate
    curve = 1.5 * np.sin(k * 0.7)  # and some respond to how strong the emotion is at all
    raw = np.outer(v, slope) + np.outer(np.abs(v) - 0.5, curve)
    targets = 1 / (1 + np.exp(-raw))
    inputs = np.clip(emotion_embedding(v, v)[:, :32] + rng.normal(0, noise, (n, 32)), -1, 1)
    return inputs, np.clip(targets + rng.normal(0, noise / 5, targets.shape), 0, 1)


def _groove_data(rng: np.random.Generator, n: int, noise: float, spec: ml5.ModelSpec) -> tuple[np.ndarray, np.ndarray]:
    """A bar of 16ths: swing grows with valence, rushing with arousal; accents on the beats
    grow with arousal, backbeat with valence."""
    v, a = _emotion(rng, n)
    step = np.arange(16)
    offbeat = (step % 2 == 1).astype(float)
    beat = (step % 4 == 0).astype(float)
    backbeat = np.isin(step, (4, 12)).astype(float)
    timing = np.outer(0.3 + 0.3 * v, offbeat) - 0.2 * a[:, None]
    velocity = np.outer(0.3 + 0.4 * a, beat) + np.outer(0.4 * v, backbeat) - np.outer(0.2 + 0.1 * a, offbeat)
    targets = np.tanh(1.5 * np.concatenate([timing, velocity], axis=1))
    return noisy_embedding(v, a, rng, noise), np.clip(targets + rng.normal(0, noise / 5, targets.shape), -1, 1)


def open_synthetic(spec: ml5.ModelSpec, path: object, options: dict) -> ml5.Data:
    if path is not None:
        raise ml5.DataError("the synthetic data set is generated, not read: remove `path` from its config section")
    n, noise, seed = int(options["samples"]), float(options["noise"]), int(options["seed"])
    if n < 16:
        raise ml5.DataError(f"synthetic: samples = {n} is too few; use at least 16")
    # One stream per model, so adding a model never changes another model's data.
    rng = np.random.default_rng([seed, int.from_bytes(spec.name.encode(), "little") % (2**32)])
    inputs, targets = GENERATORS[spec.name](rng, n, noise, spec)
    settings = {"generator": "synthetic", "version": VERSION, "model": spec.name, **options}
    fingerprint = "synthetic-" + hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]
    return ml5.Data(
        inputs=inputs.astype(np.float32),
        targets=targets.astype(np.float32),
        fingerprint=fingerprint,
        description=f"synthetic {spec.name} data, {n} examples, seed {seed}, noise {noise}",
        stats={"examples": n},
    )


GENERATORS = {
    "emotion": _emotion_data,
    "melody": _melody_data,
    "harmony": _harmony_data,
    "dynamics": _dynamics_data,
    "groove": _groove_data,
}
