"""The ``ml5`` command. Data goes to stdout, messages and progress to stderr.

Exit codes: 0 ok, 1 the work failed, 2 usage or config error.
"""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from rich.table import Table

from ml5 import skipped as skips
from ml5._version import __version__
from ml5.config import ConfigError
from ml5.plugins import PluginError, Plugins, UnknownPluginError
from ml5.registry import Registry

# Wide when piped, so tables stay readable in logs and files.
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)

app = typer.Typer(
    name="ml5",
    help="Train, export and verify the networks of a real-time MIDI companion.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
config_app = typer.Typer(help="Inspect the configuration.", no_args_is_help=True)
app.add_typer(config_app, name="config")

# Set by main() before the app runs: plugin commands must exist before arguments are parsed.
_state: dict[str, Any] = {}


def _fail(message: str, code: int) -> typer.Exit:
    from rich.markup import escape

    err.print(f"[red]error[/]: {escape(message)}", highlight=False)  # messages quote paths, [brackets] …
    return typer.Exit(code)


def _plugins() -> Plugins:
    return _state["plugins"]


def _registry() -> Registry:
    if "registry" not in _state:
        try:
            _state["registry"] = Registry(_plugins())
        except PluginError as exc:
            raise _fail(str(exc), 1) from None
    return _state["registry"]


def _split(names: Optional[str]) -> Optional[list[str]]:
    return None if names is None else [n.strip() for n in names.split(",") if n.strip()]


def _version(value: bool) -> None:
    if value:
        out.print(f"ml5 {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
    disable: Optional[str] = typer.Option(None, "--disable", help="Plugins not to load, comma-separated."),
) -> None:
    """ml5: plugin-based training, export and verification of RTNeural models."""


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2) + "\n")


@app.command()
def plugins(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    all_: bool = typer.Option(False, "--all", help="Also list installed plugins that were not loaded."),
) -> None:
    """List installed plugins: version, hooks, what each provides, broken ones with their error."""
    registry = _registry()
    rows = []
    for info in _plugins().infos.values():
        if not info.loaded and not all_:
            continue
        row: dict[str, Any] = {
            "name": info.name,
            "distribution": info.distribution,
            "version": info.version,
            "hooks": list(info.hooks),
            "provides": registry.provided_by(info.name),
        }
        if info.broken:
            row["error"] = info.error
        if not info.loaded:
            row["loaded"] = False
        rows.append(row)
    if as_json:
        _print_json(rows)
        return
    table = Table("name", "distribution", "version", "provides", "hooks")
    for row in rows:
        provides = "; ".join(f"{k}: {', '.join(v)}" for k, v in row["provides"].items())
        if "error" in row:
            provides = f"[red]BROKEN[/] {row['error']}"
        elif row.get("loaded") is False:
            provides = "(not loaded)"
        table.add_row(row["name"], row["distribution"], row["version"], provides, ", ".join(row["hooks"]))
    out.print(table)


@app.command()
def models(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the registered networks with their sizes and parameter counts."""
    registry = _registry()
    entries = registry.models
    rows: list[dict[str, Any]] = [
        {
            "name": s.name,
            "title": s.title,
            "stem": s.stem,
            "input_size": s.input_size,
            "output_size": s.output_size,
            "parameters": s.param_count,
            "layers": " · ".join(f"{layer.kind} {layer.in_size}→{layer.out_size}{' ' + layer.activation if layer.activation else ''}" for layer in s.layers),
            "head": s.head,
            "loss": s.loss,
            "default_dataset": registry.default_dataset(s),
            "plugin": e.plugin,
        }
        for e in entries.values()
        for s in [e.spec]
    ]
    if as_json:
        _print_json(rows)
        return
    if not rows:
        err.print("No model plugins installed.")
        return
    table = Table("name", "title", "in → out", "parameters", "layers", "loss", "dataset")
    for r in rows:
        table.add_row(r["name"], r["title"], f"{r['input_size']} → {r['output_size']}", f"{r['parameters']:,}",
                      r["layers"], r["loss"], r["default_dataset"])
    out.print(table)
    out.print(f"total parameters: {sum(r['parameters'] for r in rows):,}")


@app.command()
def datasets(
    name: Optional[str] = typer.Argument(None, help="A dataset format to check a folder against."),
    folder: Optional[Path] = typer.Argument(None, help="The folder to check (with NAME; not for formats that need none)."),
    stats: bool = typer.Option(False, "--stats", help="With NAME: examples per split, skipped files, label distributions."),
    option: Optional[list[str]] = typer.Option(None, "--option", "-O", help="A format option, KEY=VALUE (repeatable)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List the registered dataset formats; with NAME [FOLDER], check that data: one line per
    problem (skipped files with their reasons); with --stats, describe it."""
    entries = _registry().datasets
    if name is not None:
        fmt = _dataset_format(entries, name, folder)
        options = _dataset_options(fmt, option or [])
        if stats:
            _dataset_stats(fmt, folder, options, as_json)
        else:
            _check_dataset(fmt, folder)
        return
    rows: list[dict[str, Any]] = [
        {
            "name": s.name,
            "feeds": list(s.feeds),
            "needs_path": s.needs_path,
            "options": dict(s.options),
            "description": s.description,
            "citation": s.citation,
            "license": s.license,
            "plugin": e.plugin,
        }
        for e in entries.values()
        for s in [e.spec]
    ]
    if as_json:
        _print_json(rows)
        return
    table = Table("name", "feeds", "on disk", "description")
    for r in rows:
        table.add_row(r["name"], ", ".join(r["feeds"]), "yes" if r["needs_path"] else "no", r["description"])
    out.print(table)


def _dataset_format(entries: Any, name: str, folder: Optional[Path]) -> Any:
    if name not in entries:
        raise _fail(f"unknown dataset {name!r}; available: {', '.join(entries) or 'none'}", 2)
    fmt = entries[name].spec
    if folder is None and fmt.needs_path:
        raise _fail(f"give the folder to check: ml5 datasets {name} /path/to/it", 2)
    if folder is not None and not folder.is_dir():
        raise _fail(f"{folder} is not a folder", 2)
    return fmt


def _dataset_options(fmt: Any, pairs: list[str]) -> dict[str, Any]:
    """``KEY=VALUE`` strings as the format's typed options (the type of each default)."""
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or key not in fmt.options:
            raise _fail(f"--option {pair!r}: expected KEY=VALUE with KEY one of: {', '.join(fmt.options) or 'none'}", 2)
        kind = type(fmt.options[key])
        try:
            options[key] = (text.lower() in ("1", "true", "yes")) if kind is bool else kind(text)
        except ValueError:
            raise _fail(f"--option {pair!r}: {key} takes a {kind.__name__}", 2) from None
    return options


def _check_dataset(fmt: Any, folder: Optional[Path]) -> None:
    if fmt.validate is None:
        raise _fail(f"dataset {fmt.name!r} has no checks of its own (its plugin gives no validate)", 2)
    problems = fmt.validate(folder)
    for problem in problems:
        out.print(problem, markup=False, highlight=False)
    err.print(f"{folder or fmt.name}: {len(problems)} problem(s) for dataset {fmt.name!r}")
    if problems:
        raise typer.Exit(1)


def _dataset_stats(fmt: Any, folder: Optional[Path], options: dict[str, Any], as_json: bool) -> None:
    from ml5.run import DataError

    if fmt.stats is None:
        raise _fail(f"dataset {fmt.name!r} gives no statistics (its plugin gives no stats)", 2)
    try:
        stats = dict(fmt.stats(folder, options))
    except DataError as exc:
        raise _fail(str(exc), 1) from None
    if as_json:
        _print_json(stats)
        return
    files = stats.get("files", {})
    if files:
        out.print(f"{files['files']} files: {files['files_used']} used, {files['files_skipped']} skipped, "
                  f"{files.get('from_cache', 0)} read from cache", highlight=False)
    table = Table("model", "examples", "per split", "labels")
    for model, entry in stats.get("models", {}).items():
        labels = []
        if "chords" in entry:
            labels.append("chords: " + ", ".join(f"{c} {n}" for c, n in list(entry["chords"].items())[:8]))
        if entry.get("pitch_range"):
            labels.append(f"pitches {entry['pitch_range'][0]}–{entry['pitch_range'][1]}, "
                          f"{entry['pitches_per_phrase']:.1f} per phrase")
        split = ", ".join(f"{s} {n}" for s, n in entry.get("per_split", {}).items())
        table.add_row(model, f"{entry['examples']:,}", split, "; ".join(labels))
    out.print(table)
    for key, title in (("velocity", "velocity"), ("tempo_qpm", "tempo (quarter notes per minute)")):
        if key in stats:
            out.print(f"{title}: " + ", ".join(f"{k} {v}" for k, v in stats[key].items()), highlight=False)
    for line in _skipped_lines(files, examples=None):
        out.print(line, markup=False, highlight=False)
    if files and not files.get("files_used"):
        raise _fail(f"nothing usable in {folder or fmt.name}", 1)


def _skipped_lines(summary: dict[str, Any], examples: Optional[int] = 3, indent: str = "") -> list[str]:
    """What a data set skipped: the counts by kind of reason, then the items listed of each kind
    (``examples`` of each; None: every one listed), and what it left out of the files it used."""
    by_reason = summary.get("skipped_by_reason") or {}
    lines = []
    if by_reason:
        lines.append(f"{indent}skipped by reason: " + "; ".join(f"{kind} {count:,}" for kind, count in by_reason.items()))
    for _, _, items in skips.examples_by_kind(summary, examples):
        lines += [f"{indent}skipped {item['file']}: {item['reason']}" for item in items]
    shown = len(lines) - bool(by_reason)
    total = summary.get("skipped_total", len(summary.get("skipped", [])))
    if total > shown:
        lines.append(f"{indent}… {total - shown:,} more not listed here (ml5 datasets NAME FOLDER lists every one; "
                     f"a run writes them to {skips.JSONL})")
    if summary.get("left_out"):
        lines.append(f"{indent}left out of the files used: "
                     + "; ".join(f"{what} {count:,}" for what, count in summary["left_out"].items()))
    return lines


def _load_config(path: Optional[Path]) -> Any:
    from ml5 import config

    try:
        return config.load(path)
    except ConfigError as exc:
        raise _fail(str(exc), 2) from None


@config_app.command("show")
def config_show(
    config_file: Optional[Path] = typer.Option(None, "--config", "-c", help="Config file (default: ./ml5.toml)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Print the effective configuration (defaults with the file applied)."""
    import attrs

    from ml5.config import ConfigError, to_toml
    from ml5.run import dataset_options

    cfg = _load_config(config_file)
    data = cfg.to_dict()
    registry = _registry()
    for name, entry in registry.models.items():  # show every model's effective settings
        section = data["models"].setdefault(name, {})
        section["train"] = attrs.asdict(cfg.train_settings(name, entry.spec.train))
        dataset = cfg.model(name).dataset or registry.default_dataset(entry.spec)
        if dataset in registry.datasets:  # an unknown one is the run's error to name
            section["dataset"] = dataset
            try:
                section["options"] = dataset_options(registry.datasets[dataset].spec, entry.spec, cfg.model(name).options)
            except ConfigError as exc:
                raise _fail(str(exc), 2) from None
    if as_json:
        _print_json(data)
    else:
        sys.stdout.write(to_toml(data) + "\n")


plugin_app = typer.Typer(help="Start a new plugin.", no_args_is_help=True)
app.add_typer(plugin_app, name="plugin")


@plugin_app.command("new")
def plugin_new(
    name: str = typer.Argument(..., help="Plugin name, lower case (e.g. drum_takes): distribution ml5-NAME, package ml5_NAME."),
    kind: str = typer.Option(..., "--kind", "-k", help="dataset, model or exporter."),
    folder: Optional[Path] = typer.Option(None, "--dir", "--out", "-o", help="Where to write it (default: ./ml5-NAME); absent or empty."),
    feeds: str = typer.Option("groove", "--feeds", help="dataset kind: the model its data trains."),
    dataset: str = typer.Option("", "--dataset", help="model kind: the data set format that trains it."),
) -> None:
    """Write a new plugin distribution: entry point, a working plugin, README, tests, noxfile."""
    from ml5 import scaffold

    try:
        plugin = scaffold.new(name, kind, folder, feeds=feeds, dataset=dataset)
    except (scaffold.ScaffoldError, OSError) as exc:
        raise _fail(str(exc), 2) from None
    for path in plugin.files:
        out.print(str(path), markup=False, highlight=False)
    err.print(f"wrote {plugin.kind} plugin {plugin.name!r} in {plugin.folder}; next:", markup=False, highlight=False)
    for command in plugin.next_steps:
        err.print(f"  {command}", markup=False, highlight=False)


@app.command()
def run(
    plugins: Optional[str] = typer.Option(
        None, "--plugins", "-p", help="Only these plugins' models / exporters / verifiers, comma-separated."
    ),
    config_file: Optional[Path] = typer.Option(None, "--config", "-c", help="Config file (default: ./ml5.toml)."),
    out_dir: Optional[Path] = typer.Option(None, "--out", "-o", help="Run folder (default: runs/<time>)."),
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted run in --out from its checkpoints."),
    nproc: int = typer.Option(
        0, "--nproc", min=0, help="Train with N processes on this machine (the same as torchrun --nproc-per-node N)."
    ),
) -> None:
    """Train, export and verify every selected model; write a report into the run folder."""
    from ml5 import distributed
    from ml5 import run as run_mod
    from ml5.runlock import FolderUnavailable

    if nproc > 1 and distributed.launched_size() == 1:
        _relaunch_with_torchrun(nproc)
    cfg = _load_config(config_file)
    if resume and out_dir is None:
        raise _fail("--resume needs --out: the folder of the run to continue", 2)
    try:
        plan = run_mod.plan(_registry(), cfg, _split(plugins))
    except ConfigError as exc:
        raise _fail(str(exc), 2) from None
    except PluginError as exc:
        raise _fail(str(exc), 2) from None
    try:
        world = distributed.start(cfg.train.device, cfg.run.collective_timeout)
    except distributed.DistributedError as exc:
        raise _fail(str(exc), 1) from None
    if world.distributed:
        # a launcher stops the other processes with SIGTERM when one fails: stop as on Ctrl-C
        import signal

        signal.signal(signal.SIGTERM, signal.default_int_handler)
    folder: Optional[Path] = out_dir
    try:
        # every rank must write into (and resume from) the folder rank 0 chose
        folder = Path(distributed.broadcast(world, str(out_dir or run_mod.default_folder())))
        doc = run_mod.execute(plan, folder, resume=resume, console=err if world.is_main else Console(quiet=True), world=world)
    except FolderUnavailable as exc:
        if world.is_main:  # the others know it too, and stop as quietly
            _fail(str(exc), 2)
        raise typer.Exit(2) from None
    except distributed.DistributedError as exc:
        raise _fail(f"{exc} (run folder: {folder})" if folder else str(exc), 1) from None
    except run_mod.RunInterrupted as stop:
        if world.is_main:
            again = ["ml5", *_global_args(), "run", *(["--plugins", plugins] if plugins else []),
                     *(["--config", str(config_file)] if config_file else []), "--out", str(folder), "--resume"]
            if world.distributed:  # the same launcher again; torchrun's form for one machine
                again = ["torchrun", f"--nproc-per-node={world.size}", "-m", *again]
            where = (f"after epoch {stop.epochs_done}" if stop.epochs_done
                     else "before an epoch ended" + (" in this session" if resume else ""))
            done = f"; finished before it: {', '.join(stop.finished)}" if stop.finished else ""
            err.print(f"[yellow]interrupted[/]: stopped in model {stop.model!r} {where}{done}.", highlight=False)
            err.print(f"The checkpoints are kept in {folder}. To continue: {shlex.join(again)}",
                      markup=False, highlight=False)
        raise typer.Exit(130) from None
    finally:
        distributed.stop(world)
    if not world.is_main:  # rank 0 prints the report
        raise typer.Exit(0 if doc["ok"] else 1)
    from ml5.report import markdown

    out.print(markdown(doc), markup=False, highlight=False)
    err.print(f"run folder: {folder}")
    if doc.get("skipped_total"):
        err.print(f"{doc['skipped_total']:,} skipped files, rows and tunes (each model's counted apart), "
                  f"each with its reason: "
                  f"{folder / doc['skipped_file']}", markup=False, highlight=False)
    if not doc["ok"]:
        raise typer.Exit(1)


@app.command()
def validate(folder: Path = typer.Argument(..., help="Folder of exported files (or one file).")) -> None:
    """Check exported files against the registered model specs: one line per problem."""
    registry = _registry()
    files = [folder] if folder.is_file() else sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else None
    if files is None:
        raise _fail(f"{folder} does not exist", 2)
    stems = {e.spec.stem: e.spec for e in registry.models.values()}
    suffixes = sorted({e.spec.suffix for e in registry.exporters.values() if e.spec.validate})
    checked = problems = 0
    for path in files:
        # the longest suffix that fits first: a ".x.json" file is for the exporter of ".x.json", not of ".json"
        checks = [e.spec.validate for e in sorted(registry.exporters.values(), key=lambda e: -len(e.spec.suffix))
                  if e.spec.validate and path.name.endswith(e.spec.suffix)]
        stem = path.name.split(".")[0]
        spec = stems.get(stem)
        if not checks or spec is None:
            why = (f"no installed exporter checks this kind of file (checked: {', '.join(suffixes) or 'none'})"
                   if not checks else f"{stem!r} is not the file stem of an installed model ({', '.join(stems)})")
            err.print(f"not checked: {path}: {why}", markup=False, highlight=False)
            continue
        checked += 1
        for problem in checks[0](path, spec):
            problems += 1
            out.print(f"{path}: {problem}", markup=False, highlight=False)
    err.print(f"{checked} file(s) checked, {problems} problem(s)")
    if checked == 0:
        raise _fail(f"no exported model file in {folder} (expected <stem>{'|'.join(suffixes) or '.json'} for: "
                    f"{', '.join(stems) or 'no installed model'})", 1)
    if problems:
        raise typer.Exit(1)


@app.command()
def evaluate(
    exports: Path = typer.Argument(..., help="Folder of exported models (<stem>.json, as runs/<x>/exports)."),
    path: Optional[Path] = typer.Argument(None, help="The data set's folder (for formats that read one)."),
    dataset: str = typer.Option(..., "--dataset", "-d", help="The data set format to score on (ml5 datasets lists them)."),
    split: str = typer.Option("test", "--split", help="test, validation or all (every row)."),
    engine: Optional[str] = typer.Option(
        None, "--engine", help="The engine that runs the exports (ml5 plugins lists them; default: the preferred one installed)."
    ),
    option: Optional[list[str]] = typer.Option(None, "--option", "-O", help="A data set option, KEY=VALUE (repeatable)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Score exported models on a data set's split: each model's task metric beside its trivial baseline."""
    from ml5 import evaluate as ev

    registry = _registry()
    try:
        if dataset not in registry.datasets:  # before the options, which are the format's
            raise ev.EvaluateError(f"unknown dataset {dataset!r}; installed: {', '.join(registry.datasets) or 'none'}", 2)
        options = _dataset_options(registry.datasets[dataset].spec, option or [])
        doc = ev.evaluate(registry, exports, dataset, path, options, split, engine)
    except ev.EvaluateError as exc:
        raise _fail(str(exc), exc.code) from None
    if as_json:
        _print_json(doc)
    else:
        table = Table("model", "dataset", "split", "examples", "metric", "value", "baseline", "more")
        for r in doc["models"]:
            if r["scored"]:
                m = r["metric"]
                table.add_row(r["model"], doc["dataset"], r["split"], f"{r['examples']:,}", m["metric"], f"{m['value']:.4g}",
                              f"{m['baseline']:.4g}", ev.extra_figures(m))
            else:
                table.add_row(r["model"], doc["dataset"], r["split"], "—", "not scored", "", "", r["reason"])
        if doc["models"]:
            out.print(table)
    shown: dict[str, str] = {}
    for r in doc["models"]:
        skipped = r.get("skipped") or {}
        if not skipped.get("skipped_total"):
            continue
        key = json.dumps([skipped.get("skipped_by_reason"), skipped.get("skipped")], sort_keys=True)
        total = f" of {skipped['files']}" if skipped.get("files") is not None else ""
        if key in shown:
            err.print(f"{r['model']}: the same {skipped['files_skipped']} skipped file(s) as {shown[key]}",
                      markup=False, highlight=False)
            continue
        shown[key] = r["model"]
        err.print(f"{r['model']}: {skipped['files_skipped']}{total} file(s) skipped by {doc['dataset']}:",
                  markup=False, highlight=False)
        for line in _skipped_lines(skipped, indent="  "):
            err.print(line, markup=False, highlight=False)
    for r in doc["not_fed"]:
        err.print(f"not evaluated: {r['model']}: {r['reason']}", markup=False, highlight=False)
    err.print(f"{doc['scored']} of {len(doc['models'])} model(s) scored on {doc['dataset']} ({doc['split']} split, "
              f"{doc['engine']} engine)", markup=False, highlight=False)
    if not doc["scored"]:
        raise _fail(ev.nothing_scored(doc, registry), 1)


def _relaunch_with_torchrun(nproc: int) -> None:
    """``ml5 run --nproc N`` is ``torchrun --standalone --nproc-per-node N -m ml5 run …``."""
    import importlib.util
    import os

    if importlib.util.find_spec("torch") is None:
        raise _fail("--nproc needs torch (pip install 'ml5[torch]')", 2)
    argv, skip = [], False
    for arg in _state.get("argv", sys.argv[1:]):
        if skip:
            skip = False
        elif arg == "--nproc":
            skip = True
        elif not arg.startswith("--nproc="):
            argv.append(arg)
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc-per-node={nproc}", "-m", "ml5", *argv]
    err.print(f"starting {nproc} processes: {shlex.join(['python', *command[1:]])}", markup=False, highlight=False)
    sys.stderr.flush()
    os.execv(sys.executable, command)


def _global_args() -> list[str]:
    """The options given before the command, for a command line printed back to the user."""
    disabled = _state.get("disabled")
    return ["--disable", ",".join(disabled)] if disabled else []


def _disabled_from_argv(argv: list[str]) -> list[str]:
    names: list[str] = []
    for i, arg in enumerate(argv):
        if arg == "--disable" and i + 1 < len(argv):
            names += _split(argv[i + 1]) or []
        elif arg.startswith("--disable="):
            names += _split(arg.split("=", 1)[1]) or []
    return names


def main(argv: Optional[list[str]] = None) -> None:
    from ml5 import plugins as plugins_mod

    argv = sys.argv[1:] if argv is None else argv
    _state["argv"], _state["disabled"] = list(argv), _disabled_from_argv(argv)
    try:
        skips.per_reason()  # a bad $ML5_SKIPPED_PER_REASON is a usage error at the start, not a traceback after the work
    except ValueError as exc:
        err.print(f"[red]error[/]: {exc}", highlight=False)
        sys.exit(2)
    try:
        _state["plugins"] = plugins_mod.load(disabled=_state["disabled"])
    except PluginError as exc:
        err.print(f"[red]error[/]: {exc}", highlight=False)
        sys.exit(2 if isinstance(exc, UnknownPluginError) else 1)
    _plugins().hook.ml5_register_commands(cli=app, registry=_registry)
    app(args=argv, prog_name="ml5")
