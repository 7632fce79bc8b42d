"""``ml5 infer INPUT``: the five models on a real audio or MIDI file.

Audio: the features of ``ml5_audio.features`` (standardised with the emotion export's
``input_standardisation``) go through the full chain; harmony's second input half is the
harmony context (``ml5_audio.features.harmony_context``) of the window's last CONTEXT_SECONDS. MIDI: the embedding is
ml5-midi's documented proxy emotion and the window's musical context (the summary says so), then
the four downstream models run on it, harmony's context from the window's last bar
(``ml5_midi.bands``). Harmony's inputs are standardised with its export's
``input_standardisation``, as in training. Models run in the C++ MultiModelProcessor when
ml5-native is installed (with its fallbacks), else in ml5-rtneural's numpy reference engine.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Optional

import typer

MIDI_SUFFIXES = (".mid", ".midi", ".kar")
CHAIN = ("emotion", "melody", "harmony", "dynamics", "groove")
STEMS = {"emotion": "emotionrecognizer", "melody": "melodytransformer", "harmony": "harmonypredictor",
         "dynamics": "dynamicsengine", "groove": "groovepredictor"}


def register(cli: typer.Typer) -> None:
    @cli.command()
    def infer(
        input_file: Path = typer.Argument(..., metavar="INPUT", help="An audio file (WAV, FLAC, OGG, MP3) or a MIDI file."),
        models: Optional[Path] = typer.Option(None, "--models", "-m", help="Folder of exported models (default: the newest runs/*/exports)."),
        window: float = typer.Option(0.0, "--window", "-w", help="Seconds per window: one row each (0 = the whole file)."),
        as_json: bool = typer.Option(False, "--json", help="Print every output as JSON."),
        engine: str = typer.Option("auto", "--engine", help="auto (native if installed), native, or reference (numpy)."),
        plot: Optional[Path] = typer.Option(None, "--plot", metavar="OUT.png",
                                            help="Also draw every output over time into a picture (PNG, SVG, PDF, …)."),
    ) -> None:
        """Run the five models on an audio or MIDI file: valence and arousal, pitches, chords, dynamics, groove."""
        from rich.console import Console

        err = Console(stderr=True, soft_wrap=True)
        folder = models or _newest_exports()
        if folder is None or not folder.is_dir():
            err.print(f"[red]error[/]: {'no models folder: give --models DIR' if folder is None else f'{folder} is not a folder'}",
                      highlight=False)
            raise typer.Exit(2)
        if engine not in ("auto", "native", "reference"):
            err.print(f"[red]error[/]: --engine {engine!r}: use auto, native or reference", highlight=False)
            raise typer.Exit(2)
        if window < 0:
            err.print("[red]error[/]: --window must be 0 (whole file) or a number of seconds", highlight=False)
            raise typer.Exit(2)
        if plot is not None:
            from ml5_audio.plot import plot_problem

            if problem := plot_problem(plot):
                err.print(f"[red]error[/]: --plot {problem}", highlight=False)
                raise typer.Exit(2)
        try:
            doc = run_inference(input_file, folder, window, engine)
        except InputError as exc:
            err.print(f"[red]error[/]: {input_file}: {exc}", highlight=False)
            raise typer.Exit(1) from None
        if as_json:
            sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        else:
            _print_summary(doc)
        if plot is not None:
            from ml5_audio.plot import save_plot

            err.print(f"plot written to {save_plot(doc, plot)}", highlight=False)


class InputError(ValueError):
    """The input file cannot be read; the message says why."""


def _newest_exports() -> Path | None:
    runs = sorted(Path("runs").glob("*/exports"), key=lambda p: p.stat().st_mtime) if Path("runs").is_dir() else []
    return runs[-1] if runs else None


def _card(folder: Path, name: str) -> dict[str, Any]:
    try:
        return json.loads((folder / f"{STEMS[name]}.json").read_text()).get("model_card") or {}
    except (OSError, ValueError, AttributeError):
        return {}


class _Engines:
    """The five models from one folder: the C++ processor if installed, else the numpy reference."""

    def __init__(self, folder: Path, engine: str = "auto") -> None:
        self.folder = folder
        # read once: harmony's inputs are standardised with it on every window
        self.harmony_standardisation = _card(folder, "harmony").get("input_standardisation")
        ml5_native = None
        if engine != "reference":
            try:
                import ml5_native
            except ImportError:
                if engine == "native":
                    raise InputError("--engine native: ml5-native is not installed") from None
        self.sources: dict[str, str] = {}
        if ml5_native is not None:
            self.engine = "ml5-native MultiModelProcessor"
            self.processor = ml5_native.Processor()
            for status in self.processor.initialize(str(folder)):
                self.sources[status.model] = "network" if status.loaded else f"fallback ({status.reason})"
        else:
            from ml5_rtneural.reference import Engine

            self.engine, self.processor, self.numpy = "numpy reference (ml5-rtneural)", None, {}
            for name in CHAIN:
                path = folder / f"{STEMS[name]}.json"
                if path.is_file():
                    self.numpy[name] = Engine.load(path)
                    self.sources[name] = "network"
                else:
                    self.sources[name] = "not run (no file; fallbacks need ml5-native)"

    def one(self, name: str, x: Any) -> Any:
        import numpy as np

        x = np.asarray(x, np.float32)
        if self.processor is not None:
            return self.processor.infer(name, x)
        engine = self.numpy.get(name)
        return engine.forward(x).astype(np.float32) if engine else None

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
        """Every row of ``inputs`` (one feature frame per window) through the chain. With the
        native engine and all five networks loaded, each model takes all rows at once
        (``forward_batch``: each weight read once per block of rows, not once per window);
        otherwise, fallbacks included, the processor row by row."""
        import numpy as np

        x = np.ascontiguousarray(inputs, np.float32)
        if self.processor is None or len(x) < 2 or any(self.sources.get(m) != "network" for m in CHAIN):
            return [self.chain(row, context) for row, context in zip(x, contexts)]
        import ml5_native

        model = {m: ml5_native.load(self.folder / f"{STEMS[m]}.json") for m in CHAIN}
        emotion = model["emotion"].forward_batch(x)
        out = {
            "emotion": emotion,
            "melody": model["melody"].forward_batch(emotion),
            "harmony": model["harmony"].forward_batch(self.harmony_input(emotion, contexts)),
            "dynamics": model["dynamics"].forward_batch(np.ascontiguousarray(emotion[:, :32])),
            "groove": model["groove"].forward_batch(emotion),
        }
        return [{name: values[i] for name, values in out.items()} for i in range(len(x))]

    def downstream(self, emotion: Any, context: Any) -> dict[str, Any]:
        return {
            "melody": self.one("melody", emotion),
            "harmony": self.one("harmony", self.harmony_input(emotion, context)),
            "dynamics": self.one("dynamics", emotion[:32]),
            "groove": self.one("groove", emotion),
        }


def run_inference(path: Path, folder: Path, window: float, engine: str = "auto") -> dict[str, Any]:
    """Everything ``ml5 infer --json`` prints."""
    if not path.is_file():
        raise InputError("no such file")
    engines = _Engines(folder, engine)
    if path.suffix.lower() in MIDI_SUFFIXES:
        rows, source = _midi_rows(path, engines, window), "the ml5-midi emotion proxy and musical context of the notes (the file has no audio)"
    else:
        rows, source = _audio_rows(path, engines, window, folder), "EmotionRecognizer on the audio features"
    return {
        "input": str(path),
        "models_folder": str(folder),
        "engine": engines.engine,
        "emotion_from": source,
        "models": engines.sources,
        "rows": rows,
    }


def _audio_rows(path: Path, engines: _Engines, window: float, folder: Path) -> list[dict[str, Any]]:
    import numpy as np

    from ml5_audio import features as fx

    try:
        samples = fx.load_audio(path)
    except fx.AudioError as exc:
        raise InputError(str(exc)) from None
    power = fx.mel_power(samples)
    mel = fx.power_db(power)
    duration = len(samples) / fx.SAMPLE_RATE
    spans = _spans(duration, window)
    raw = (fx.song_features(mel)[None, :] if not window else
           fx.window_features(mel, np.array([(a + b) / 2 for a, b in spans]), window))
    # harmony's context: the last bar's worth of each window, as it learnt one bar from notes
    contexts = np.stack([fx.harmony_context(power, max(begin, end - fx.CONTEXT_SECONDS), end) for begin, end in spans])
    card = _card(folder, "emotion").get("input_standardisation")
    inputs = fx.standardise(raw, card) if card else raw
    return [_row(begin, end, outputs, standardised=bool(card))
            for (begin, end), outputs in zip(spans, engines.chain_rows(inputs, contexts))]


def _midi_rows(path: Path, engines: _Engines, window: float) -> list[dict[str, Any]]:
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
    rows = []
    for begin, end in _spans(duration, window):
        b0, b1 = _beat_at(piece, begin), min(_beat_at(piece, end), end_beat)
        if b1 <= b0:
            continue
        (valence, arousal), music = window_embedding_parts(piece, b0, b1)
        emotion = emotion_embedding(valence, arousal, music)
        last_bar = piece.bar_start[piece.bar_start < b1]
        bar0 = float(last_bar[-1]) if len(last_bar) else b0
        bands = bar_bands(piece, bar0, max(b1, bar0 + 1e-6))
        outputs = {"emotion": emotion, **engines.downstream(emotion, np.asarray(bands, np.float32))}
        rows.append(_row(begin, end, outputs))
    return rows


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
    out.print(f"{doc['input']}: models from {doc['models_folder']} ({doc['engine']}); emotion from {doc['emotion_from']}",
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
