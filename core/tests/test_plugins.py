"""Plugin discovery, broken plugins, strict mode, selection — with real installed distributions."""

from __future__ import annotations

import json

import ml5
import pytest
from ml5.plugins import PluginError, Plugins
from ml5.testing import registered
from ml5.testing import run_cli as run_ml5

BROKEN = """
raise RuntimeError("this plugin is broken on purpose")
"""

THIRD_PARTY_MODEL = """
import ml5

@ml5.hookimpl
def ml5_register_models(register):
    register(ml5.ModelSpec(name="tiny", title="Tiny", stem="tiny", input_size=3, output_size=2,
             layers=[ml5.Dense(3, 2, "tanh")], head="tanh", loss="mse",
             input_meaning="three numbers", output_meaning="two numbers"))
"""


def test_plugins_json_lists_installed_plugin_with_version_and_hooks(install_plugin):
    env = install_plugin("ml5-thirdparty", THIRD_PARTY_MODEL)
    result = run_ml5("plugins", "--json", env=env)
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    row = rows["ml5_thirdparty"]
    assert row["distribution"] == "ml5-thirdparty" and row["version"] == "9.8.7"
    assert row["hooks"] == ["ml5_register_models"] and row["provides"] == {"models": ["tiny"]}
    models = run_ml5("models", "--json", env=env)
    assert "tiny" in [m["name"] for m in json.loads(models.stdout)]


def test_broken_plugin_is_listed_and_everything_else_works(install_plugin):
    env = install_plugin("ml5-broken", BROKEN)
    result = run_ml5("plugins", "--json", env=env)
    assert result.returncode == 0
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["ml5_broken"]["error"] == "RuntimeError: this plugin is broken on purpose"
    warnings = [line for line in result.stderr.splitlines() if "ml5_broken" in line]
    assert len(warnings) == 1 and "skipped" in warnings[0]
    for args in (["models"], ["datasets"], ["config", "show"], ["--version"]):
        assert run_ml5(*args, env=env).returncode == 0, args
    table = run_ml5("plugins", env=env)
    assert "BROKEN" in table.stdout and "broken on purpose" in table.stdout


def test_strict_mode_fails_naming_the_plugin(install_plugin):
    env = install_plugin("ml5-broken", BROKEN)
    result = run_ml5("plugins", env={**env, "ML5_STRICT_PLUGINS": "1"})
    assert result.returncode == 1
    assert "ml5_broken" in result.stderr and "broken on purpose" in result.stderr


def test_misspelled_hook_makes_plugin_broken(install_plugin):
    env = install_plugin("ml5-typo", "import ml5\n@ml5.hookimpl\ndef ml5_register_model(register):\n    pass\n")
    rows = {r["name"]: r for r in json.loads(run_ml5("plugins", "--json", env=env).stdout)}
    assert "ml5_register_model" in rows["ml5_typo"]["error"]


def test_ml5_plugins_env_selects_and_empty_means_none(install_plugin):
    env = install_plugin("ml5-thirdparty", THIRD_PARTY_MODEL)
    only = json.loads(run_ml5("plugins", "--json", env={**env, "ML5_PLUGINS": "ml5_thirdparty"}).stdout)
    assert [r["name"] for r in only] == ["ml5_thirdparty"]
    assert json.loads(run_ml5("plugins", "--json", env={**env, "ML5_PLUGINS": ""}).stdout) == []
    everything = json.loads(run_ml5("plugins", "--json", "--all", env={**env, "ML5_PLUGINS": ""}).stdout)
    assert {"name": "ml5_thirdparty", "loaded": False}.items() <= {**everything[[r["name"] for r in everything].index("ml5_thirdparty")]}.items()


def test_unknown_plugin_name_is_a_usage_error_listing_names(install_plugin):
    env = install_plugin("ml5-thirdparty", THIRD_PARTY_MODEL)
    result = run_ml5("--disable", "nosuch", "plugins", env=env)
    assert result.returncode == 2
    assert "nosuch" in result.stderr and "ml5_thirdparty" in result.stderr
    result = run_ml5("plugins", "--json", env={**env, "ML5_PLUGINS": "nosuch"})
    assert result.returncode == 2 and "available" in result.stderr


def test_disable_leaves_plugin_out(install_plugin):
    env = install_plugin("ml5-thirdparty", THIRD_PARTY_MODEL)
    rows = json.loads(run_ml5("--disable", "ml5_thirdparty", "plugins", "--json", env=env).stdout)
    assert "ml5_thirdparty" not in [r["name"] for r in rows]


class _Twice:
    @ml5.hookimpl
    def ml5_register_models(self, register):
        spec = ml5.ModelSpec(name="twice", title="T", stem="t", input_size=1, output_size=1,
                             layers=[ml5.Dense(1, 1, "tanh")], head="tanh", loss="mse")
        register(spec)
        register(spec)


def test_duplicate_registration_names_the_plugin():
    with pytest.raises(PluginError, match="'twice' is registered by both"):
        with registered(_Twice(), "twice-plugin", installed=False) as registry:
            assert registry.models  # not reached: building the registry raises


def test_registered_helper_adds_and_removes():
    class Adds:
        @ml5.hookimpl
        def ml5_register_models(self, register):
            register(ml5.ModelSpec(name="temp", title="T", stem="temp", input_size=2, output_size=1,
                                   layers=[ml5.Dense(2, 1, "sigmoid")], head="sigmoid", loss="bce"))

    plugins = Plugins()
    plugins.register(Adds(), "adds")
    assert plugins.infos["adds"].hooks == ("ml5_register_models",)
    plugins.unregister("adds")
    assert "adds" not in plugins.infos
    with registered(Adds(), "adds", installed=False) as registry:
        assert registry.models["temp"].plugin == "adds"
