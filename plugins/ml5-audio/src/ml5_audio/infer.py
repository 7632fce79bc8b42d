"""``ml5 infer INPUT...``: the five models on real audio or MIDI files.

Audio: the features of ``ml5_audio.features`` (standardised with the emotion export's
``input_standardisation``) go through the full chain; harmony's second input half is the
harmony context (``ml5_audio.features.harmony_context``) of the window's last CONTEXT_SECONDS. MIDI: the embedding is
ml5-midi's documented proxy emotion and the window's musical context (the summary says so), then
the four downstream models run on it, harmony's context from the window's last bar
(``ml5_midi.bands``). Harmony's inputs are standardised with its export's
``input_standardisation``, as in training. Models run in an engine a plugin registers
(``ml5_register_engines``): the one ``--engine`` names, by default the installed one of highest
priority; an engine with stand-ins (``ml5.Engine.load_folder``) runs them for a file it cannot use.
Each model file is loaded once per call (``Engines``).

Several files (or folders): what the models need of each file (``file_inputs``) is read first,
in worker processes when there are many, then the models run on each in turn.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, Optional

import typer

AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".mp3")
MIDI_SUFFIXES = (".mid", ".midi", ".kar")
#: what a folder is searched for
SUFFIXES = AUDIO_SUFFIXES + MIDI_SUFFIXES
#: from this many files on, they are read in a process pool: below it, starting the workers
#: costs more than reading the files here (measured on 2 cores with 20–60 s songs: 8 files 1.2 s
#: here, 1.4–1.8 s in the pool; 16 files 2.7 s and 2.6 s; 51 files 5.8 s and 4.0 s)
POOL_FROM = 12
CHAIN = ("emotion", "melody", "harmony", "dynamics", "groove")
STEMS = {"emotion": "emotionrecognizer", "melody": "melodytransformer", "harmony": "harmonypredictor",
         "dynamics": "dynamicsengine", "groove": "groovepredictor"}
#: each model's (inputs, outputs): emotion reads the 128 audio features; harmony the embedding and
#: the 64-band harmony context; dynamics the embedding's first 32 values
SIZES = {"emotion": (128, 64), "melody": (64, 128), "harmony": (128, 64), "dynamics": (32, 16), "groove": (64, 32)}


def register(cli: typer.Typer, registry: Callable[[], Any]) -> None:
    """Add ``ml5 infer``; ``registry()`` gives the loaded plugins' registry (its engines)."""

    @cli.command()
    def infer(
        inputs: list[Path] = typer.Argument(..., metavar="INPUT...",
                                            help="Audio files (WAV, FLAC, OGG, MP3), MIDI files, or folders searched for them."),
        models: Optional[Path] = typer.Option(None, "--models", "-m", help="Folder of exported models (default: the newest runs/*/exports)."),
        window: float = typer.Option(0.0, "--window", "-w", help="Seconds per window: one row each (0 = the whole file)."),
        as_json: bool = typer.Option(False, "--json", help="Print every output as JSON (several files: one JSON line per file)."),
        engine: str = typer.Option("auto", "--engine",
                                   help="An installed engine (ml5 plugins lists them), or auto: the preferred one installed."),
        plot: Optional[Path] = typer.Option(None, "--plot", metavar="OUT.png",
                                            help="Also draw every output over time into a picture (PNG, SVG, PDF, …); "
                                                 "several files: a folder, one PNG per file."),
    ) -> None:
        """Run the five models on audio or MIDI files: valence and arousal, pitches, chords, dynamics, groove."""
        from rich.console import Console

        err = Console(stderr=True, soft_wrap=True)

        def usage_error(message: str) -> NoReturn:
            err.print(f"[red]error[/]: {message}", highlight=False)
            raise typer.Exit(2)

        folder = models or _newest_exports()
        if folder is None or not folder.is_dir():
            usage_error("no models folder: give --models DIR" if folder is None else f"{folder} is not a folder")
        if window < 0:
            usage_error("--window must be 0 (whole file) or a number of seconds")
        one_file = len(inputs) == 1 and not inputs[0].is_dir()
        if plot is not None:
            from ml5_audio.plot import plot_problem

            if not one_file and not plot.is_dir():
                usage_error(f"--plot {plot}: several files give several pictures: give an existing folder for them "
                            "(--plot pictures/), one PNG per file")
            # several files: PNGs in that folder (the check still says when matplotlib is missing)
            if problem := plot_problem(plot if one_file else plot / "song.png"):
                usage_error(f"--plot {problem}")
        from ml5.registry import EngineError

        try:
            engines = Engines(folder, engine, registry())
        except EngineError as exc:
            usage_error(f"--engine: {exc}")
        if one_file:
            _infer_one(inputs[0], engines, window, as_json, plot, err)
        elif not _infer_many(inputs, engines, window, as_json, plot, err):
            raise typer.Exit(1)


def _infer_one(path: Path, engines: Engines, window: float, as_json: bool, plot: Path | None, err: Any) -> None:
    """One file: a summary or one JSON document (indented), and its picture."""
    try:
        doc = run_inference(path, engines.folder, window, engines=engines)
    except InputError as exc:
        err.print(f"[red]error[/]: {path}: {exc}", highlight=False)
        raise typer.Exit(1) from None
    if as_json:
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    else:
        _print_summary(doc)
    if plot is not None:
        from ml5_audio.plot import save_plot

        err.print(f"plot written to {save_plot(doc, plot)}", highlight=False)


def _infer_many(inputs: list[Path], engines: Engines, window: float, as_json: bool, plot: Path | None,
                err: Any) -> bool:
    """Several files (or folders): the models loaded once, the files read over all cores when
    there are many, then per file in order a summary or one JSON line; a file that cannot be read
    gives a line naming it and why, and the others still come out. True when every file ran."""
    entries = find_inputs(inputs)
    inputs_of = read_inputs([path for path, problem in entries if problem is None], window)
    pictures: list[Path] = []
    failed = 0
    for path, problem in entries:
        outcome = problem or inputs_of[path]
        if isinstance(outcome, str):
            failed += 1
            err.print(f"[red]error[/]: {path}: {outcome}", highlight=False)
            if as_json:
                sys.stdout.write(json.dumps({"input": str(path), "error": outcome}) + "\n")
            continue
        try:
            doc = document(path, engines, outcome)
        except InputError as exc:
            failed += 1
            err.print(f"[red]error[/]: {path}: {exc}", highlight=False)
            if as_json:
                sys.stdout.write(json.dumps({"input": str(path), "error": str(exc)}) + "\n")
            continue
        if as_json:
            sys.stdout.write(json.dumps(doc) + "\n")
        else:
            _print_summary(doc)
            sys.stdout.write("\n")
        if plot is not None:
            from ml5_audio.plot import save_plot

            pictures.append(save_plot(doc, _picture_path(plot, path, pictures)))
        sys.stdout.flush()
    if pictures:
        err.print(f"{len(pictures)} picture{'s' if len(pictures) != 1 else ''} written to {plot}", highlight=False)
    return not failed


def find_inputs(inputs: list[Path]) -> list[tuple[Path, str | None]]:
    """What to read, in the order given: every file (a folder's audio and MIDI files sorted, its
    subfolders included; a file named twice read once) with None, and every input that gives no
    file with what is wrong with it (a path that does not exist, a folder without such files)."""
    entries: list[tuple[Path, str | None]] = []
    seen: set[Path] = set()
    for given in inputs:
        if given.is_dir():
            found = sorted(p for p in given.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file())
            if not found:
                entries.append((given, f"no audio or MIDI file in this folder (looked for {', '.join(SUFFIXES)})"))
        elif given.is_file():
            found = [given]
        else:
            entries.append((given, "no such file"))
            continue
        for path in found:
            if path.resolve() not in seen:
                seen.add(path.resolve())
                entries.append((path, None))
    return entries


def _picture_path(folder: Path, path: Path, taken: list[Path]) -> Path:
    """``<folder>/<file name>.png`` (``song.mp3.png``); ``song.mp3-2.png`` … when two files of the
    call share a name."""
    candidate, n = folder / f"{path.name}.png", 1
    while candidate in taken:
        n += 1
        candidate = folder / f"{path.name}-{n}.png"
    return candidate


class InputError(ValueError):
    """The input file cannot be read; the message says why."""


def _newest_exports() -> Path | None:
    runs = sorted(Path("runs").glob("*/exports"), key=lambda p: p.stat().st_mtime) if Path("runs").is_dir() else []
    return runs[-1] if runs else None


def _card(folder: Path, name: str) -> dict[str, Any]:
    """The model card of an export, or {} when it has none or cannot be read."""
    try:
        text = (folder / f"{STEMS[name]}.json").read_text()
    except OSError:
        return {}
    # ml5-rtneural writes the card as the last key, after megabytes of weights: decode it from
    # there (a tenth of a second of a call saved); a card anywhere else is parsed whole
    decoder = json.JSONDecoder()
    at = text.rfind('"model_card":')
    if at >= 0:
        try:
            card, end = decoder.raw_decode(text, at + len('"model_card":'))
        except ValueError:
            card, end = None, 0
        if isinstance(card, dict) and text[end:].strip() == "}":
            return card
    try:
        card = json.loads(text).get("model_card")
    except (ValueError, AttributeError):
        return {}
    return card if isinstance(card, dict) else {}


class Engines:
    """The five models of one folder in one engine, each file loaded once and shared by every
    window and every file of a call.

    ``engine`` names an engine of ``registry`` (``ml5_register_engines``; None: the registry of
    every installed plugin); "auto" is the preferred one installed. ``forward`` runs one row,
    ``forward_batch`` all the windows of a file at once. When a file is missing, refused by the
    engine or of the wrong size, an engine with stand-ins (``load_folder``: the native
    MultiModelProcessor's fallbacks) loads the folder instead and runs that model's stand-in
    (named in ``sources``), row by row; another engine does not run that model. Raises
    ``ml5.registry.EngineError`` when no such engine is installed."""

    def __init__(self, folder: Path, engine: str = "auto", registry: Any = None) -> None:
        if registry is None:
            from ml5.plugins import load
            from ml5.registry import Registry

            registry = Registry(load())
        spec = registry.engine(None if engine == "auto" else engine)
        self.folder = folder
        self.engine = spec.name
        # read once: every row is standardised with them
        self.emotion_standardisation = _card(folder, "emotion").get("input_standardisation")
        self.harmony_standardisation = _card(folder, "harmony").get("input_standardisation")
        #: why this folder's EmotionRecognizer cannot read the audio features computed here, or None
        self.features_problem = features_problem(self.emotion_standardisation)
        self.processor: Any = None
        models, problems = _load_models(spec, folder, stop_at_first=spec.load_folder is not None)
        if problems and spec.load_folder is not None:
            # it reads again the files loaded before a refused one: only a broken export pays that
            self.models: dict[str, Any] = {}
            self.processor, sources = spec.load_folder(folder)
            self.sources = dict(sources)
        else:
            self.models = models
            self.sources = {name: "network" if name in models else f"not run ({problems[name]}; "
                            f"the {spec.name} engine has no fallbacks)" for name in CHAIN}
        self.batch = len(self.models) == len(CHAIN)

    def one(self, name: str, x: Any) -> Any:
        import numpy as np

        x = np.asarray(x, np.float32)
        if self.processor is not None:
            return self.processor(name, x)
        model = self.models.get(name)
        return np.asarray(model.forward(x), np.float32) if model else None

    def harmony_input(self, emotion: Any, context: Any) -> Any:
        """Harmony's 128 inputs: the embedding and the raw harmony context, standardised with
        the harmony export's ``input_standardisation`` (as its training data was)."""
        import numpy as np

        from ml5_audio.features import standardise

        x = np.concatenate([np.asarray(emotion, np.float32), np.asarray(context, np.float32)], axis=-1)
        return standardise(x, self.harmony_standardisation) if self.harmony_standardisation else x

    def chain(self, features: Any, context: Any) -> dict[str, Any]:
        emotion = self.one("emotion", features)
        if emotion is None:
            return {"emotion": None, **{m: None for m in CHAIN[1:]}}
        return {"emotion": emotion, **self.downstream(emotion, context)}

    def chain_rows(self, inputs: Any, contexts: Any) -> list[dict[str, Any]]:
        """Every row of ``inputs`` (one feature frame per window) through the chain: with the
        five networks loaded, each model takes all rows at once; otherwise row by row."""
        import numpy as np

        x = np.ascontiguousarray(inputs, np.float32)
        if not self.batch or len(x) < 2:
            return [self.chain(row, context) for row, context in zip(x, contexts)]

        def run(name: str, rows: Any) -> Any:
            return np.asarray(self.models[name].forward_batch(np.ascontiguousarray(rows, np.float32)), np.float32)

        emotion = run("emotion", x)
        out = {
            "emotion": emotion,
            "melody": run("melody", emotion),
            "harmony": run("harmony", self.harmony_input(emotion, contexts)),
            "dynamics": run("dynamics", emotion[:, :32]),
            "groove": run("groove", emotion),
        }
        return [{name: values[i] for name, values in out.items()} for i in range(len(x))]

    def downstream(self, emotion: Any, context: Any) -> dict[str, Any]:
        return {
            "melody": self.one("melody", emotion),
            "harmony": self.one("harmony", self.harmony_input(emotion, context)),
            "dynamics": self.one("dynamics", emotion[:32]),
            "groove": self.one("groove", emotion),
        }


def features_problem(card: Any) -> str | None:
    """Why an EmotionRecognizer whose ``input_standardisation`` is ``card`` cannot read the audio
    features this ml5-audio computes: its card names other feature settings (an export trained
    before the definition changed). None when they agree, or when the card does not say."""
    from ml5_audio.features import SETTINGS

    trained = card.get("features") if isinstance(card, dict) else None
    ours = json.loads(json.dumps(SETTINGS))
    if not isinstance(trained, dict) or trained == ours:
        return None
    differing = sorted(k for k in set(trained) | set(ours) if trained.get(k) != ours.get(k) and k != "definition")
    what = (f"another definition ({trained.get('definition', 1)}; this ml5-audio computes definition {ours['definition']})"
            if trained.get("definition", 1) != ours["definition"] else
            f"other settings of definition {ours['definition']} ({', '.join(differing)} differ)")
    return (f"{STEMS['emotion']}.json was trained on audio features of {what}: its outputs on this audio would mean "
            "nothing. Train it again (ml5 run), or use the ml5-audio it was trained with")


def _load_models(spec: Any, folder: Path, stop_at_first: bool) -> tuple[dict[str, Any], dict[str, str]]:
    """Each of the five files loaded by the engine ``spec``, and why each other one is not: no
    file, refused by the engine, or of the wrong size. ``stop_at_first``: nothing more is loaded
    after the first problem (none at all when a file is missing), as the caller then loads the
    folder another way."""
    missing = {name: "no file" for name in CHAIN if not (folder / f"{STEMS[name]}.json").is_file()}
    if missing and stop_at_first:
        return {}, missing
    models: dict[str, Any] = {}
    problems: dict[str, str] = dict(missing)
    for name in CHAIN:
        if name in missing:
            continue
        try:
            model = spec.load(folder / f"{STEMS[name]}.json")
        except (ValueError, OSError) as exc:
            problems[name] = f"refused: {exc}"
        else:
            sizes = (model.in_size, model.out_size)
            if sizes == SIZES[name]:
                models[name] = model
            else:
                problems[name] = f"{sizes[0]} inputs and {sizes[1]} outputs, expected {SIZES[name][0]} and {SIZES[name][1]}"
        if problems and stop_at_first:
            break
    return models, problems


def run_inference(path: Path, folder: Path, window: float, engine: str = "auto",
                  engines: Engines | None = None) -> dict[str, Any]:
    """Everything ``ml5 infer --json`` prints for one file. ``engines`` (the models of ``folder``
    already loaded) lets several files share one load."""
    if not path.is_file():
        raise InputError("no such file")
    engines = engines or Engines(folder, engine)
    return document(path, engines, file_inputs(path, window))


def document(path: Path, engines: Engines, inputs: dict[str, Any]) -> dict[str, Any]:
    """The ``run_inference`` document of a file from its ``file_inputs``."""
    if "emotion" in inputs:
        rows, source = _midi_rows(inputs, engines), "the ml5-midi emotion proxy and musical context of the notes (the file has no audio)"
    else:
        rows, source = _audio_rows(inputs, engines), "EmotionRecognizer on the audio features"
    return {
        "input": str(path),
        "models_folder": str(engines.folder),
        "engine": engines.engine,
        "emotion_from": source,
        "models": engines.sources,
        "rows": rows,
    }


def file_inputs(path: Path, window: float) -> dict[str, Any]:
    """What the models need of one file, before any model runs (so that it can run in a worker
    process): ``spans`` (rows × [start, end] seconds), the harmony ``contexts`` (rows × 64) and,
    for audio, the raw ``features`` (rows × 128), for MIDI the proxy ``emotion`` (rows × 64)."""
    if path.suffix.lower() in MIDI_SUFFIXES:
        return _midi_inputs(path, window)
    return _audio_inputs(path, window)


def _file_work(path: str, settings: dict[str, Any]) -> dict[str, Any]:
    """``file_inputs`` for ``ml5.filework.process_files`` (runs in worker processes)."""
    from ml5.filework import SkipFile

    try:
        return file_inputs(Path(path), float(settings["window"]))
    except InputError as exc:
        raise SkipFile(str(exc)) from None


def read_inputs(files: list[Path], window: float) -> dict[Path, dict[str, Any] | str]:
    """``file_inputs`` of every file, or why it cannot be read: from POOL_FROM files on over all
    cores (spawned workers, a crash in a reader costing only its file), cached by content like a
    data set's features (``ml5.filework``)."""
    from importlib import metadata

    from ml5.filework import process_files

    from ml5_audio.features import CONTEXT_SECONDS, SETTINGS

    if not files:
        return {}
    versions = {}
    for distribution in ("ml5", "ml5-audio", "ml5-midi"):
        try:
            versions[distribution] = metadata.version(distribution)
        except metadata.PackageNotFoundError:
            versions[distribution] = None
    settings = {"window": window, "features": SETTINGS, "context_seconds": CONTEXT_SECONDS, **versions}
    results = process_files(_file_work, files, settings=settings, namespace="infer-inputs",
                            workers=0 if len(files) >= POOL_FROM else 1, description="ml5 infer: reading files")
    out: dict[Path, dict[str, Any] | str] = {path: arrays for path, arrays in results.results}
    out.update({Path(skipped.file): skipped.reason for skipped in results.skipped})
    return out


def _audio_inputs(path: Path, window: float) -> dict[str, Any]:
    import numpy as np

    from ml5_audio import features as fx

    try:
        samples = fx.load_audio(path)
    except fx.AudioError as exc:
        raise InputError(str(exc)) from None
    analysis = fx.analyse(samples)
    spans = _spans(analysis.duration, window)
    raw = (fx.song_features(analysis)[None, :] if not window else
           fx.window_features(analysis, np.array([(a + b) / 2 for a, b in spans]), window))
    # harmony's context: the last bar's worth of each window, as it learnt one bar from notes
    contexts = np.stack([fx.harmony_context(analysis.context_power, max(begin, end - fx.CONTEXT_SECONDS), end)
                         for begin, end in spans])
    return {"spans": np.asarray(spans, np.float64), "features": raw, "contexts": contexts}


def _audio_rows(inputs: dict[str, Any], engines: Engines) -> list[dict[str, Any]]:
    from ml5_audio.features import standardise

    if engines.features_problem:
        raise InputError(engines.features_problem)
    card = engines.emotion_standardisation
    raw = inputs["features"]
    features = standardise(raw, card) if card else raw
    return [_row(begin, end, outputs, standardised=bool(card))
            for (begin, end), outputs in zip(inputs["spans"].tolist(), engines.chain_rows(features, inputs["contexts"]))]


def _midi_inputs(path: Path, window: float) -> dict[str, Any]:
    import numpy as np
    from ml5.music import emotion_embedding
    from ml5_midi.bands import bar_bands
    from ml5_midi.emotion import window_embedding_parts
    from ml5_midi.piece import read_midi

    try:
        piece = read_midi(path)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    end_beat = float(piece.end.max())
    duration = float(piece.seconds(end_beat))
    spans, emotions, contexts = [], [], []
    for begin, end in _spans(duration, window):
        b0, b1 = _beat_at(piece, begin), min(_beat_at(piece, end), end_beat)
        if b1 <= b0:
            continue
        (valence, arousal), music = window_embedding_parts(piece, b0, b1)
        last_bar = piece.bar_start[piece.bar_start < b1]
        bar0 = float(last_bar[-1]) if len(last_bar) else b0
        spans.append((begin, end))
        emotions.append(emotion_embedding(valence, arousal, music))
        contexts.append(np.asarray(bar_bands(piece, bar0, max(b1, bar0 + 1e-6)), np.float32))
    return {"spans": np.asarray(spans, np.float64).reshape(-1, 2),
            "emotion": np.asarray(emotions, np.float32).reshape(-1, 64),
            "contexts": np.asarray(contexts, np.float32).reshape(-1, 64)}


def _midi_rows(inputs: dict[str, Any], engines: Engines) -> list[dict[str, Any]]:
    return [_row(begin, end, {"emotion": emotion, **engines.downstream(emotion, context)})
            for (begin, end), emotion, context in zip(inputs["spans"].tolist(), inputs["emotion"], inputs["contexts"])]


def _beat_at(piece: Any, seconds: float) -> float:
    """The beat at a time in seconds (inverse of the tempo map)."""
    import numpy as np

    grid = np.linspace(0, float(piece.end.max()) + 1, 4096)
    return float(np.interp(seconds, piece.seconds(grid), grid))


def _spans(duration: float, window: float) -> list[tuple[float, float]]:
    if not window or window >= duration:
        return [(0.0, duration)]
    starts = [i * window for i in range(int(duration // window))]
    return [(s, s + window) for s in starts]


def _row(begin: float, end: float, outputs: dict[str, Any], standardised: bool = True) -> dict[str, Any]:
    from ml5.music import embedding_emotion

    row: dict[str, Any] = {"start": round(begin, 3), "end": round(end, 3)}
    emotion = outputs.get("emotion")
    if emotion is not None:
        valence, arousal = embedding_emotion(emotion)
        row.update(valence=float(valence), arousal=float(arousal))
    if not standardised:
        row["note"] = "the emotion export has no input_standardisation: raw features were used"
    row["outputs"] = {k: None if v is None else [float(x) for x in v] for k, v in outputs.items()}
    return row


def _print_summary(doc: dict[str, Any]) -> None:
    import numpy as np
    from ml5.music import CHORD_VOCABULARY, DYNAMICS_PARAMETERS, pitch_name
    from rich.console import Console

    out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
    out.print(f"{doc['input']}: models from {doc['models_folder']} ({doc['engine']} engine); emotion from {doc['emotion_from']}",
              highlight=False)
    off = [f"{m}: {s}" for m, s in doc["models"].items() if s != "network"]
    out.print("fallbacks: " + ("; ".join(off) if off else "none, every model ran its network"), highlight=False)
    for row in doc["rows"]:
        o = row["outputs"]
        out.print(f"\n[bold]{row['start']:.1f}–{row['end']:.1f} s[/]  valence {row.get('valence', float('nan')):+.2f}  "
                  f"arousal {row.get('arousal', float('nan')):+.2f}" + (f"  ({row['note']})" if "note" in row else ""))
        if o.get("melody"):
            top = np.argsort(o["melody"])[::-1][:6]
            out.print("  pitches: " + ", ".join(f"{pitch_name(int(p))} {o['melody'][p]:.2f}" for p in top), highlight=False)
        if o.get("harmony"):
            top = np.argsort(o["harmony"])[::-1][:3]
            out.print("  chords:  " + ", ".join(f"{CHORD_VOCABULARY[c]} {o['harmony'][c]:.2f}" for c in top), highlight=False)
        if o.get("dynamics"):
            out.print("  dynamics: " + ", ".join(f"{n} {v:.2f}" for n, v in zip(DYNAMICS_PARAMETERS, o["dynamics"])),
                      highlight=False)
        if o.get("groove"):
            g = o["groove"]
            out.print("  groove timing (16ths):   " + " ".join(f"{v:+.2f}" for v in g[:16]), highlight=False)
            out.print("  groove velocity offsets: " + " ".join(f"{v:+.2f}" for v in g[16:]), highlight=False)
