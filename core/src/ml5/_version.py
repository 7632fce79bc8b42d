"""The installed version of ml5, in a module that imports nothing of ml5: the package re-exports
it as ``ml5.__version__``, and the modules the package imports read it from here."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ml5")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"
