"""What the loaded plugins provide: models, dataset formats, trainers, exporters, verifiers, engines.

Each registration hook is called once per plugin so that every spec remembers who gave it;
``ml5 plugins`` shows that and ``--plugins`` selects by it.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import attrs

from ml5.plugins import PluginError, Plugins, UnknownPluginError
from ml5.specs import DatasetFormat, Engine, Exporter, ModelSpec, Trainer, Verifier

T = TypeVar("T")

#: kind -> (registration hook, spec class)
KINDS: dict[str, tuple[str, type]] = {
    "models": ("ml5_register_models", ModelSpec),
    "datasets": ("ml5_register_datasets", DatasetFormat),
    "trainers": ("ml5_register_trainers", Trainer),
    "exporters": ("ml5_register_exporters", Exporter),
    "verifiers": ("ml5_register_verifiers", Verifier),
    "engines": ("ml5_register_engines", Engine),
}


class EngineError(LookupError):
    """No engine of the name asked for is installed, or none at all; the message names the
    installed ones."""


@attrs.frozen
class Entry(Generic[T]):
    spec: T
    plugin: str  # the plugin that registered it


class Registry:
    def __init__(self, plugins: Plugins) -> None:
        self.plugins = plugins
        self.kinds: dict[str, dict[str, Entry[Any]]] = {}
        for kind, (hook_name, spec_class) in KINDS.items():
            self.kinds[kind] = self._collect(kind, hook_name, spec_class)

    def _collect(self, kind: str, hook_name: str, spec_class: Any) -> dict[str, Entry[Any]]:
        found: dict[str, Entry[Any]] = {}
        for plugin, function in self.plugins.implementations(hook_name):

            def register(spec: Any, _plugin: str = plugin) -> None:
                if not isinstance(spec, spec_class):
                    raise PluginError(
                        f"plugin {_plugin!r}: {hook_name} registered {type(spec).__name__}, expected ml5.{spec_class.__name__}"
                    )
                if spec.name in found:
                    raise PluginError(
                        f"{kind[:-1]} {spec.name!r} is registered by both {found[spec.name].plugin!r} and {_plugin!r}"
                    )
                found[spec.name] = Entry(spec, _plugin)

            function(register=register)
        return dict(sorted(found.items()))

    @property
    def models(self) -> dict[str, Entry[ModelSpec]]:
        return self.kinds["models"]

    @property
    def datasets(self) -> dict[str, Entry[DatasetFormat]]:
        return self.kinds["datasets"]

    @property
    def trainers(self) -> dict[str, Entry[Trainer]]:
        return self.kinds["trainers"]

    @property
    def exporters(self) -> dict[str, Entry[Exporter]]:
        return self.kinds["exporters"]

    @property
    def verifiers(self) -> dict[str, Entry[Verifier]]:
        return self.kinds["verifiers"]

    @property
    def engines(self) -> dict[str, Entry[Engine]]:
        return self.kinds["engines"]

    def engine_names(self) -> list[str]:
        """The installed engines, the preferred first: highest ``priority``, then by name."""
        return sorted(self.engines, key=lambda name: (-self.engines[name].spec.priority, name))

    def engine(self, name: str | None = None) -> Engine:
        """The engine called ``name``; None: the preferred one installed. Raises EngineError
        naming the installed engines when there is no such engine, or none at all."""
        installed = self.engine_names()
        if name is None:
            if not installed:
                raise EngineError("no engine is installed to run exported models "
                                  "(an engine comes with a plugin: ml5 plugins lists what each provides)")
            name = installed[0]
        if name not in self.engines:
            raise EngineError(f"unknown engine {name!r}; installed: {', '.join(installed) or 'none'}")
        return self.engines[name].spec

    def default_dataset(self, spec: ModelSpec) -> str:
        """The data set ``spec`` trains on when the config names none: the first of its
        ``preferred_datasets`` that is installed and feeds it, else its ``default_dataset``."""
        feeding = [name for name, entry in self.datasets.items() if spec.name in entry.spec.feeds]
        return spec.default_dataset_among(feeding)

    def provided_by(self, plugin: str) -> dict[str, list[str]]:
        """kind -> names that ``plugin`` registered (only kinds it provides)."""
        out: dict[str, list[str]] = {}
        for kind, entries in self.kinds.items():
            names = [name for name, entry in entries.items() if entry.plugin == plugin]
            if names:
                out[kind] = names
        return out

    def select(self, plugin_names: list[str] | None) -> dict[str, dict[str, Entry[Any]]]:
        """The entries a run uses. For each kind, if any named plugin provides that kind only
        the named plugins' entries are used; otherwise all of that kind are."""
        if plugin_names is None:
            return self.kinds
        known = set(self.plugins.infos)
        unknown = [name for name in plugin_names if name not in known]
        if unknown:
            raise UnknownPluginError(
                f"unknown plugin {', '.join(map(repr, unknown))}; available: {', '.join(sorted(known)) or 'none'}"
            )
        chosen: dict[str, dict[str, Entry[Any]]] = {}
        for kind, entries in self.kinds.items():
            named = {k: e for k, e in entries.items() if e.plugin in plugin_names}
            chosen[kind] = named or entries
        return chosen
