"""DEAM as distributed — where its audio and annotations lie (see the package docstring) — and the
options it is read with: what the plugin (``ml5_deam``) and the reader (``ml5_deam.reader``)
share. Imports nothing of ml5_deam.
"""

from __future__ import annotations

from pathlib import Path

ANNOTATIONS = Path("annotations") / "annotations averaged per song"
STATIC = (ANNOTATIONS / "song_level" / "static_annotations_averaged_songs_1_2000.csv",
          ANNOTATIONS / "song_level" / "static_annotations_averaged_songs_2000_2058.csv")
DYNAMIC = ANNOTATIONS / "dynamic (per second annotations)"
AUDIO = "MEMD_audio"
AUDIO_SUFFIXES = (".mp3", ".wav", ".flac", ".ogg")
FIRST_ANNOTATION, ANNOTATION_STEP = 15.0, 0.5  # seconds: sample_15000ms, sample_15500ms, …

OPTIONS = {"labels": "static", "window": 1.0, "max_files": 0, "workers": 0}
