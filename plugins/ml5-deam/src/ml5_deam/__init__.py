"""Dataset format ``deam``: the MediaEval Database for Emotional Analysis in Music as distributed,
for the EmotionRecognizer.

- Audio: ``MEMD_audio/<song_id>.mp3`` (any of .mp3 .wav .flac .ogg is accepted).
- Song labels (``labels = "static"``, the default): ``annotations/annotations averaged per
  song/song_level/static_annotations_averaged_songs_1_2000.csv`` and ``…_2000_2058.csv`` —
  comma-separated, header names with a leading space, the second file with extra columns; only
  ``song_id``, ``valence_mean`` and ``arousal_mean`` are read. The 1–9 scale maps to the head's
  −1..1 by ``(x − 5) / 4``.
- Per-window labels (``labels = "dynamic"``): ``annotations/annotations averaged per song/dynamic
  (per second annotations)/valence.csv`` and ``arousal.csv``, one ragged row per song, columns
  ``sample_15000ms``, ``sample_15500ms`` …, values already about −1..1 (clipped to it). Each
  annotated time is one example: the features of a ``window``-second window centred on it; the
  first 15 s carry no annotation and give no example.

Input: the 128 features of ml5-audio, standardised with the training songs' per-band mean and
std (written into the export's model card as ``input_standardisation``). Target:
``ml5.music.emotion_embedding(valence, arousal)``. Split: by song (SHA-256 of the id), about 10%
validation. A song id with labels but no audio, an unreadable audio file, and a row that is not
a number are skipped and named.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ml5

from ml5_deam.layout import (
    ANNOTATION_STEP,
    ANNOTATIONS,
    AUDIO,
    AUDIO_SUFFIXES,
    DYNAMIC,
    FIRST_ANNOTATION,
    OPTIONS,
    STATIC,
)

__all__ = ["ANNOTATIONS", "ANNOTATION_STEP", "AUDIO", "AUDIO_SUFFIXES", "DYNAMIC", "FIRST_ANNOTATION", "FORMAT",
           "OPTIONS", "STATIC", "open_deam", "problems"]


def open_deam(spec: ml5.ModelSpec, path: Path | None, options: dict[str, Any]) -> ml5.Data:
    from ml5_deam.reader import open_deam as read  # numpy and the audio features: only when used

    return read(spec, path, options)


def problems(path: Path) -> list[str]:
    from ml5_deam.reader import problems as check

    return check(path)


FORMAT = ml5.DatasetFormat(
    name="deam",
    feeds=("emotion",),
    open=open_deam,
    validate=problems,
    options=OPTIONS,
    description="DEAM: MEMD_audio with static (1-9) or per-second valence/arousal for the emotion model",
    citation="Aljanaki, A., Yang, Y.-H. and Soleymani, M. (2017). Developing a benchmark for emotional analysis "
    "of music. PLoS ONE 12(3).",
    license="see the DEAM distribution's terms (audio from freemusicarchive.org, jamendo.com, medleydb; various CC licences)",
)


@ml5.hookimpl
def ml5_register_datasets(register):
    register(FORMAT)
