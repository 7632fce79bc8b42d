"""Finding and loading plugins: entry-point group ``ml5``, one entry point at a time.

A plugin whose import (or hook validation) fails is skipped with a one-line warning and listed
as broken; ``ML5_STRICT_PLUGINS=1`` makes that fatal. ``ML5_PLUGINS=a,b`` loads only the named
plugins (empty: none), the way scripts pin what they run with.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from importlib import metadata
from typing import Any

import attrs
import pluggy

from ml5 import hookspecs

ENTRY_POINT_GROUP = "ml5"


class PluginError(Exception):
    """A plugin could not be loaded (strict mode) or registered something wrong."""


class UnknownPluginError(PluginError):
    """A plugin name (``--plugins``, ``--disable``, ``ML5_PLUGINS``) matches no installed plugin."""


@attrs.frozen
class PluginInfo:
    name: str
    distribution: str
    version: str
    hooks: tuple[str, ...] = ()
    error: str | None = None  # set when the plugin is broken
    loaded: bool = True

    @property
    def broken(self) -> bool:
        return self.error is not None


def _strict() -> bool:
    return os.environ.get("ML5_STRICT_PLUGINS", "").strip() not in ("", "0", "false", "no")


def env_selection() -> list[str] | None:
    """Names in ``ML5_PLUGINS``; None when unset (load everything)."""
    raw = os.environ.get("ML5_PLUGINS")
    if raw is None:
        return None
    return [name.strip() for name in raw.split(",") if name.strip()]


def _entry_points() -> list[metadata.EntryPoint]:
    return sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)


class Plugins:
    """The pluggy manager plus what we learned while loading: who is broken, who is off."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager("ml5")
        self.pm.add_hookspecs(hookspecs)
        self.infos: dict[str, PluginInfo] = {}

    @property
    def hook(self) -> Any:
        return self.pm.hook

    def load_entry_points(self, only: Iterable[str] | None = None, disabled: Iterable[str] = ()) -> None:
        only = None if only is None else set(only)
        disabled = set(disabled)
        available = {ep.name for ep in _entry_points()}
        unknown = sorted(((only or set()) | disabled) - available)
        if unknown:
            raise UnknownPluginError(
                f"unknown plugin {', '.join(map(repr, unknown))}; available: {', '.join(sorted(available)) or 'none'}"
            )
        for ep in _entry_points():
            dist = ep.dist.name if ep.dist else "?"
            version = ep.dist.version if ep.dist else "?"
            if (only is not None and ep.name not in only) or ep.name in disabled:
                self.infos[ep.name] = PluginInfo(ep.name, dist, version, loaded=False)
                continue
            try:
                self.register(ep.load(), ep.name)
            except Exception as exc:  # a broken plugin must not take the host down
                error = f"{type(exc).__name__}: {exc}".strip().splitlines()[0]
                if _strict():
                    raise PluginError(f"plugin {ep.name!r} ({dist} {version}) failed to load: {error}") from exc
                print(f"ml5: warning: plugin {ep.name!r} ({dist} {version}) skipped: {error}", file=sys.stderr)
                self.infos[ep.name] = PluginInfo(ep.name, dist, version, error=error)
                continue
            self.infos[ep.name] = PluginInfo(ep.name, dist, version, hooks=self.hooks_of(ep.name))

    def register(self, plugin: object, name: str) -> None:
        """Register one plugin object and validate its hooks (misspelled hooks are errors)."""
        self.pm.register(plugin, name=name)
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError:
            self.pm.unregister(name=name)
            raise
        if name not in self.infos:
            self.infos[name] = PluginInfo(name, "(registered)", "", hooks=self.hooks_of(name))

    def unregister(self, name: str) -> None:
        self.pm.unregister(name=name)
        self.infos.pop(name, None)

    def hooks_of(self, name: str) -> tuple[str, ...]:
        plugin = self.pm.get_plugin(name)
        callers = self.pm.get_hookcallers(plugin) or []
        return tuple(sorted(caller.name for caller in callers))

    def implementations(self, hook_name: str) -> list[tuple[str, Any]]:
        """(plugin name, function) for every plugin implementing ``hook_name``, in load order."""
        caller = getattr(self.pm.hook, hook_name)
        return [(impl.plugin_name, impl.function) for impl in reversed(caller.get_hookimpls())]


def load(only: Iterable[str] | None = None, disabled: Iterable[str] = ()) -> Plugins:
    """Load installed plugins; ``only`` defaults to ``ML5_PLUGINS`` (None = all)."""
    plugins = Plugins()
    plugins.load_entry_points(env_selection() if only is None else only, disabled)
    return plugins
