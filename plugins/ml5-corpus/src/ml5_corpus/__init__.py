"""Dataset format ``corpus``: the scores shipped inside the music21 package — no download, no path.

By default the Bach collection (the four-part chorales and other Bach scores); ``collection =
"all"`` reads every score of the corpus (Essen and other folk collections in ABC, Humdrum kern,
Palestrina, Beethoven …), or a composer name music21 knows, or several separated by commas
(``"bach,schumann_robert,chopin"``). RomanText files (``.rntxt``) are harmonic analyses, not
music, and are left out (counted). With ``path``, a folder of your own
scores in the formats music21 reads is used instead of the corpus. An ABC collection is read tune
by tune: a tune music21 cannot parse, or one without notes, is skipped and named with its reason
("file.abc tune X:12 (Title)") while the file's other tunes are used.

Feeds harmony and melody (scores carry pitch and harmony, not a performance's dynamics or
groove), and EmotionRecognizer: with ``render_audio`` (the default; needs ml5-audio, the extra
``ml5-corpus[audio]``) every score is played by sampled instruments and recorded
(``ml5_audio.scores.RENDERING``: options ``renderings`` and ``soundfonts``) and each phrase's
audio features are the input, its embedding — ml5-midi's emotion proxy and musical context of
the notes as played — the target, so the chain reads audio as the downstream models were
trained to read notes. Each rendering also gives harmony rows whose context is measured on the
audio, beside those modelled from the notes. No emotion labels: valence and arousal come from the documented proxy. Split: by piece (SHA-256 of its path inside the corpus without the suffix; a piece the
corpus holds in two formats is read once, the copy counted), about 10% validation (chooses the epoch) and 10% test
(scored after training, never used to choose anything).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import ml5
from ml5.splits import split_by_piece
from ml5_midi.format import Index, symbolic_format

try:  # EmotionRecognizer learns from the scores rendered to audio: only where ml5-audio can render them
    from ml5_audio.scores import RENDERING
except ImportError:
    RENDERING = None

#: score formats read from the corpus or a folder (by file suffix)
SCORE_SUFFIXES = (".mxl", ".xml", ".musicxml", ".krn", ".abc")
#: what the corpus's other files are, for the count of what was left out
NOT_SCORES = {".rntxt": "RomanText harmonic analyses, not music"}
#: a piece the corpus holds in two formats is read once
COPIES = "copies of a piece in another format (read once)"

OPTIONS = {"collection": "bach", "render_audio": True}
VALIDATION_SHARE, TEST_SHARE = 0.1, 0.1


def corpus_root() -> Path:
    from music21 import corpus

    return Path(corpus.__file__).parent


def _corpus_files(collection: str) -> tuple[list[Path], dict[str, int]]:
    """The collection's score files, and the other files of it counted by kind (analyses …)."""
    from music21 import corpus

    paths: list[str] = []
    for name in (part.strip() for part in collection.split(",")):
        scores = corpus.getPaths() if name == "all" else corpus.getComposer(name) if name else []
        if not scores:
            raise ml5.DataError(
                f"corpus: no scores for collection {name!r} in music21's corpus; use \"bach\", \"all\", "
                "a composer folder of music21/corpus (e.g. \"palestrina\", \"beethoven\"), or several "
                "separated by commas (\"bach,chopin\")"
            )
        paths += scores
    found = {Path(p) for p in paths}
    others = Counter(f"{p.suffix.lower() or 'no suffix'} files ({NOT_SCORES.get(p.suffix.lower(), 'not a score format read here')})"
                     for p in found if p.suffix.lower() not in SCORE_SUFFIXES)
    return sorted(p for p in found if p.suffix.lower() in SCORE_SUFFIXES), dict(others)


def index(path: Path | None, options: dict) -> Index:
    left_out: dict[str, int] = {}
    if path is None:
        root = corpus_root()
        files, left_out = _corpus_files(str(options["collection"]))
    else:
        root = Path(path)
        if not root.is_dir():
            raise ml5.DataError(f"corpus: {root} is not a folder of scores")
        files = sorted(p for p in root.rglob("*") if p.suffix.lower() in SCORE_SUFFIXES)
        if not files:
            raise ml5.DataError(f"corpus: no score files ({', '.join(SCORE_SUFFIXES)}) in {root}")

    def piece_of(file: Path) -> str:
        return file.relative_to(root).with_suffix("").as_posix()

    chosen = _one_per_piece(files, piece_of)
    if len(chosen) < len(files):
        left_out[COPIES] = len(files) - len(chosen)
    return Index(files=chosen, root=root, split_of=lambda file: split_by_piece(piece_of(file), VALIDATION_SHARE, TEST_SHARE),
                 piece_of=piece_of, kind="score", left_out=left_out)


def _one_per_piece(files: list[Path], piece_of: Callable[[Path], str]) -> list[Path]:
    """The corpus holds some pieces twice (``bwv277.krn`` and ``bwv277.mxl``): keep one file a
    piece, in the order of SCORE_SUFFIXES, so a piece is neither counted twice nor split."""
    chosen: dict[str, Path] = {}
    for file in sorted(files, key=lambda f: SCORE_SUFFIXES.index(f.suffix.lower())):
        chosen.setdefault(piece_of(file), file)
    return sorted(chosen.values())


FORMAT = symbolic_format(
    name="corpus",
    feeds=("harmony", "melody", "emotion") if RENDERING is not None else ("harmony", "melody"),
    index=index,
    options=OPTIONS,
    needs_path=False,
    rendering=RENDERING,
    description="the music21 corpus (Bach chorales by default; no download), or a folder of scores",
    citation="Cuthbert, M. S. and Ariza, C. (2010). music21: A Toolkit for Computer-Aided Musicology "
    "and Symbolic Music Data. ISMIR 2010.",
    license="scores carry their own terms (mostly public-domain works; see music21's corpus documentation)",
)


@ml5.hookimpl
def ml5_register_datasets(register):
    register(FORMAT)
