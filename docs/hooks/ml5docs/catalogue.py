"""A page per installed model and per data set format, from the specs the plugins register.

Models: the ``ModelSpec`` (layers, sizes, meanings, labels, head, loss), the task metric of
``ml5.metrics``, the data sets that feed it, and its C++ fallback as ``native/src/fallback.cpp``
defines it. Data sets: the ``DatasetFormat`` (feeds, options, licence, citation) and the
README of the plugin that registers it.
"""

from __future__ import annotations

import json
import os
import re

import attrs
from ml5.metrics import HEADLINE
from ml5.plugins import load
from ml5.registry import Registry
from ml5.specs import LOSSES, DatasetFormat, ModelSpec

from ml5docs import ROOT, DocsError, plain
from ml5docs.readme import embed, plugin_readme

FALLBACKS = ROOT / "native" / "src" / "fallback.cpp"
#: shared libraries whose README gets a page beside the formats that build on them
LIBRARIES = {"ml5_midi": "ml5-midi", "ml5_audio": "ml5-audio"}


@attrs.frozen
class Catalogue:
    registry: Registry
    modules: dict[str, str]  # plugin name -> module name


def installed() -> Catalogue:
    """Every installed plugin, loaded strictly: a broken plugin stops the build."""
    os.environ["ML5_STRICT_PLUGINS"] = "1"
    plugins = load(only=_entry_point_names())  # all of them, whatever ML5_PLUGINS says
    modules = {name: plugins.pm.get_plugin(name).__name__ for name in plugins.infos}
    return Catalogue(Registry(plugins), modules)


def _entry_point_names() -> list[str]:
    from importlib import metadata

    return sorted({ep.name for ep in metadata.entry_points(group="ml5")})


def fallback_source(name: str) -> str | None:
    """The body of ``ml5::fallback::<name>`` in the C++ runtime, or None if it has none."""
    match = re.search(rf"^void {re.escape(name)}\(const float\* in, float\* out\) noexcept \{{\n(.*?)^\}}",
                      FALLBACKS.read_text(encoding="utf-8"), re.M | re.S)
    return match.group(0) if match else None


def _feeders(catalogue: Catalogue, model: str) -> list[str]:
    return [name for name, entry in catalogue.registry.datasets.items() if model in entry.spec.feeds]


def _table(rows: list[tuple[str, str]]) -> str:
    return "\n".join(["| | |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows)])


def _embedding_table(meaning: str, size: int) -> str:
    """Where a model reads or writes the emotion embedding: what each of its values means
    (``ml5.music.EMBEDDING_PARTS``; a model reading 32 values gets the first 32)."""
    from ml5.music import EMBEDDING_PARTS

    if "emotion embedding" not in meaning:
        return ""
    rows = ["| values | part | rule (each value in −1..1) |", "|---|---|---|"]
    rows += [f"| {a}–{b} | {name} | {rule} |" if a != b else f"| {a} | {name} | {rule} |"
             for a, b, name, rule in EMBEDDING_PARTS if a < size]
    return ("\n\nThe emotion embedding, value by value (computed from notes by `ml5_midi.context` and "
            "`ml5_midi.emotion`; predicted from audio by EmotionRecognizer; set by a host to steer):\n\n" + "\n".join(rows))


def model_page(catalogue: Catalogue, name: str) -> str:
    entry = catalogue.registry.models[name]
    spec: ModelSpec = entry.spec
    info = catalogue.registry.plugins.infos[entry.plugin]
    metric = HEADLINE[spec.metric or spec.loss][0]
    feeders = ", ".join(f"[`{d}`](../datasets/{d}.md)" for d in _feeders(catalogue, name)) or "none installed"
    default = catalogue.registry.default_dataset(spec)
    default_link = f"[`{default}`](../datasets/{default}.md)" if default in catalogue.registry.datasets else f"`{default}`"
    layers = ["| # | layer | in | out | activation | parameters |", "|---|---|---|---|---|---|"]
    for i, layer in enumerate(spec.layers):
        layers.append(f"| {i} | {layer.kind} | {layer.in_size} | {layer.out_size} | "
                      f"{layer.activation or '—'} | {layer.param_count:,} |")
    parts = [
        f"# {spec.title}\n\n{plain(spec.description)}",
        _table([
            ("model name", f"`{spec.name}`"),
            ("export file", f"`{spec.stem}.json` (RTNeural), stem `{spec.stem}`"),
            ("inputs → outputs", f"{spec.input_size} → {spec.output_size}"),
            ("parameters", f"{spec.param_count:,} (as PyTorch counts them)"),
            ("distribution", f"`{info.distribution}` (plugin `{entry.plugin}`)"),
        ]),
        "## Layers\n\n" + "\n".join(layers),
        *(["Its recurrent layers run one step from a zero state, as the model is trained: a host resets "
           "their state before every inference."] if any(layer.kind != "dense" for layer in spec.layers) else []),
        f"## Inputs\n\n{plain(spec.input_meaning)}" + _embedding_table(spec.input_meaning, spec.input_size),
        f"## Outputs\n\n{plain(spec.output_meaning)}" + _embedding_table(spec.output_meaning, spec.output_size),
    ]
    if spec.output_labels:
        labels = ["| output | label |", "|---|---|", *(f"| {i} | `{label}` |" for i, label in enumerate(spec.output_labels))]
        parts.append("### Output labels\n\nPublished in every export's model card as `output_labels`.\n\n" + "\n".join(labels))
    parts.append("## How it is trained\n\n" + _table([
        ("head", f"`{spec.head}`"),
        ("loss", f"`{spec.loss}`: {plain(LOSSES[spec.loss])}"),
        ("task metric in the report", f"`{metric}` (`ml5.metrics`), beside its trivial baseline"),
        ("default data set", default_link),
        ("data sets that feed it", feeders),
        ("its own training defaults", ", ".join(f"`{k} = {json.dumps(v)}`" for k, v in spec.train.items()) or
         "none: the [train] defaults"),
    ]) + f"\n\n`ml5 run --plugins {name}` trains only this model; the [training guide](../training.md) "
        f"describes the trainer and [Configuration](../configuration.md) its settings "
        f"(`[models.{name}]`, `[models.{name}.train]`).")
    source = fallback_source(name)
    fallback = (f"When `{spec.stem}.json` is missing or refused, the C++ `MultiModelProcessor` runs this "
                "heuristic instead (`native/src/fallback.cpp`, `i` indexes the output) and its status says why; "
                f"see the [C++ host guide](../cpp-runtime.md).\n\n```cpp\n{source}```"
                if source else "The C++ `MultiModelProcessor` has no slot, and so no fallback, for this model.")
    parts.append("## Fallback\n\n" + fallback)
    parts.append("## Model card\n\nEvery export carries a `model_card` with this page's facts "
                 "(sizes, meanings, head, loss, parameters, labels) plus the training data's fingerprint "
                 "and metrics: see [the RTNeural format](../rtneural-format.md).")
    return "\n\n".join(parts) + "\n"


def dataset_page(catalogue: Catalogue, name: str) -> str:
    entry = catalogue.registry.datasets[name]
    fmt: DatasetFormat = entry.spec
    info = catalogue.registry.plugins.infos[entry.plugin]
    feeds = ", ".join(f"[`{m}`](../models/{m}.md)" if m in catalogue.registry.models else f"`{m}`" for m in fmt.feeds)
    parts = [
        f"# `{fmt.name}`\n\n{plain(fmt.description)}",
        _table([
            ("format name", f"`{fmt.name}` (`dataset = \"{fmt.name}\"`)"),
            ("feeds", feeds),
            ("path", "a folder on disk (`path = …`)" if fmt.needs_path else "none: no path, no download"),
            ("distribution", f"`{info.distribution}` (plugin `{entry.plugin}`)"),
            ("licence", plain(fmt.license) or "—"),
        ]),
    ]
    if fmt.citation:
        parts.append(f"Cite: {plain(fmt.citation)}")
    if fmt.options:
        rows = ["| option | type | default |", "|---|---|---|"]
        rows += [f"| `{k}` | {type(v).__name__} | `{v!r}` |" for k, v in fmt.options.items()]
        parts.append("## Options\n\nSet in `[models.<name>.options]`; each is type-checked against its default.\n\n"
                     + "\n".join(rows))
    text, folder = plugin_readme(catalogue.modules[entry.plugin], info.distribution)
    if text:
        parts.append(f"## From the `{info.distribution}` README\n\n" + embed(text, folder, f"datasets/{name}.md", level=3))
    return "\n\n".join(parts) + "\n"


def library_page(module: str, distribution: str) -> str:
    __import__(module)
    text, folder = plugin_readme(module, distribution)
    if not text:
        raise DocsError(f"{distribution}: no README found")
    return f"# {distribution}\n\n" + embed(text, folder, f"datasets/{distribution}.md") + "\n"


def models_index(catalogue: Catalogue) -> str:
    rows = ["| model | stem | in → out | layers | parameters |", "|---|---|---|---|---|"]
    for name, entry in catalogue.registry.models.items():
        spec = entry.spec
        stack = " · ".join(f"{layer.kind} {layer.out_size} {layer.activation}".strip() for layer in spec.layers)
        rows.append(f"| [{spec.title}]({name}.md) | `{spec.stem}` | {spec.input_size} → {spec.output_size} | "
                    f"{stack} | {spec.param_count:,} |")
    total = sum(e.spec.param_count for e in catalogue.registry.models.values())
    return ("# Models\n\nThe networks of the installed model plugins (`ml5 models` prints the same). "
            "Each page is written from the model's `ModelSpec`, the one definition of the network.\n\n"
            + "\n".join(rows) + f"\n\nTotal {total:,} parameters ({total * 4 / 1e6:.1f} MB of float32).\n")


def datasets_index(catalogue: Catalogue) -> str:
    rows = ["| format | feeds | path | distribution |", "|---|---|---|---|"]
    for name, entry in catalogue.registry.datasets.items():
        fmt = entry.spec
        dist = catalogue.registry.plugins.infos[entry.plugin].distribution
        rows.append(f"| [`{name}`]({name}.md) | {', '.join(fmt.feeds)} | {'folder' if fmt.needs_path else '—'} | `{dist}` |")
    libs = "\n".join(f"- [{dist}]({dist}.md)" for dist in LIBRARIES.values())
    return ("# Data sets\n\nThe data set formats of the installed plugins (`ml5 datasets` prints the same). "
            "Point a model at one in `ml5.toml` (`[models.<name>] dataset = …, path = …`); "
            "[the training guide](../training.md#real-data) explains how they are read.\n\n"
            + "\n".join(rows) + "\n\nShared libraries the formats build on:\n\n" + libs + "\n")


def pages() -> dict[str, str]:
    """docs-relative path -> Markdown of every generated catalogue page."""
    catalogue = installed()
    if not catalogue.registry.models:
        raise DocsError("no model plugin is installed: install the model plugins to build the docs")
    out = {"models/index.md": models_index(catalogue), "datasets/index.md": datasets_index(catalogue)}
    for name in catalogue.registry.models:
        out[f"models/{name}.md"] = model_page(catalogue, name)
    for name in catalogue.registry.datasets:
        out[f"datasets/{name}.md"] = dataset_page(catalogue, name)
    for module, dist in LIBRARIES.items():
        out[f"datasets/{dist}.md"] = library_page(module, dist)
    return out
