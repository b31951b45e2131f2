"""SystemConfig: defaults, TOML round trip, unknown keys and bad values named."""

from __future__ import annotations

import subprocess
import sys
import re
import tomllib

import pytest

from neurosys.config import SystemConfig, load_config


def test_defaults_are_valid_and_documented():
    cfg = SystemConfig()
    text = cfg.to_toml(comments=True)
    assert SystemConfig.from_dict(tomllib.loads(text)) == cfg
    for section, values in cfg.to_dict().items():
        assert f"[{section}]" in text
        for key in values:
            line = next(i for i, ln in enumerate(text.splitlines()) if ln.startswith(f"{key} = "))
            assert text.splitlines()[line - 1].startswith("# ")


def test_toml_file_overrides_defaults(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[system]\nduration = 3\n[network]\nn_neurons = 200\ndevice = "cpu"\n')
    cfg = load_config(path)
    assert cfg.system.duration == 3.0 and isinstance(cfg.system.duration, float)
    assert cfg.network.n_neurons == 200 and cfg.network.device == "cpu"
    assert cfg.soup == SystemConfig().soup


@pytest.mark.parametrize("data, named", [
    ({"netwrk": {}}, "netwrk"),
    ({"network": {"n_neuron": 3}}, "network.n_neuron"),
    ({"network": {"n_neurons": 0}}, "network.n_neurons"),
    ({"network": {"n_neurons": 2.5}}, "network.n_neurons"),
    ({"network": {"dt": -1e-4}}, "network.dt"),
    ({"network": {"dt": float("nan")}}, "network.dt"),
    ({"network": {"connection_prob": 1.5}}, "network.connection_prob"),
    ({"soup": {"language": "python"}}, "soup.language"),
    ({"soup": {"enabled": "yes"}}, "soup.enabled"),
    ({"system": {"duration": True}}, "system.duration"),
    ({"system": {"log_level": "loud"}}, "system.log_level"),
    ({"llm": 3}, "[llm]"),
])
def test_bad_input_names_the_key(data, named):
    with pytest.raises(ValueError, match=named.replace("[", r"\[").replace("]", r"\]")):
        SystemConfig.from_dict(data)


def test_invalid_toml_and_missing_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[system\nduration = 1\n")
    with pytest.raises(ValueError, match="not valid TOML"):
        load_config(bad)
    with pytest.raises(FileNotFoundError):
        load_config(tmp_path / "missing.toml")


def test_override_validates():
    cfg = SystemConfig().override({"system.duration": 5, "soup.size": 64})
    assert cfg.system.duration == 5.0 and cfg.soup.size == 64
    with pytest.raises(ValueError, match="system.duration"):
        SystemConfig().override({"system.duration": -1})
    with pytest.raises(ValueError, match="section.key"):
        SystemConfig().override({"duration": 1})


def test_cli_config_show_and_check(tmp_path):
    out = subprocess.run([sys.executable, "-m", "neurosys", "config", "--show"],
                         capture_output=True, text=True, check=True).stdout
    assert SystemConfig.from_dict(tomllib.loads(out)) == SystemConfig()
    bad = tmp_path / "bad.toml"
    bad.write_text("[soup]\nsize = -4\n")
    proc = subprocess.run([sys.executable, "-m", "neurosys", "config", "--check", str(bad)],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "soup.size" in proc.stderr
    good = tmp_path / "good.toml"
    good.write_text("[soup]\nsize = 128\n")
    proc = subprocess.run([sys.executable, "-m", "neurosys", "config", "--check", str(good)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_docs_list_every_default():
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "configuration.md").read_text()
    assert SystemConfig().to_toml(comments=True) in doc, \
        "docs/configuration.md is stale: paste the output of `neurosys config --show`"



@pytest.mark.parametrize("key, engine, parameter", [
    ("network.dt", "snn", "dt"), ("network.connection_prob", "snn", "p"),
    ("soup.size", "soup", "size"), ("soup.program_length", "soup", "program_length"),
    ("soup.mutation_rate", "soup", "mutation_rate"),
])
def test_keys_that_feed_an_engine_take_its_rule(key, engine, parameter):
    from neurosys.errors import ParameterError
    from neurosys.limits import engine_limit, range_text

    limit = engine_limit(engine, parameter)
    section, name = key.split(".")
    kind = type(getattr(getattr(SystemConfig(), section), name))
    bad = kind(limit.hi) * 2 + 2
    with pytest.raises(ParameterError, match=re.escape(f"{key} must be {range_text(limit, kind is int)}, got")):
        SystemConfig.from_dict({section: {name: bad}})


@pytest.mark.parametrize("key, engine, parameter", [
    ("network.dt", "snn", "dt"), ("network.n_neurons", "snn", "n_neurons"),
    ("soup.program_length", "soup", "program_length"), ("soup.mutation_rate", "soup", "mutation_rate"),
])
def test_keys_that_feed_an_engine_take_its_default(key, engine, parameter):
    from neurosys.limits import engine_limit

    section, name = key.split(".")
    assert getattr(getattr(SystemConfig(), section), name) == engine_limit(engine, parameter).default


def test_each_value_is_checked_once(monkeypatch):
    """--set network.dt travels as a checked value: one check when the override is applied,
    none when the configuration is copied or handed on (#23)."""
    import neurosys.config as config

    base = SystemConfig()
    calls = []
    real_check = config.check_range
    monkeypatch.setattr(config, "check_range", lambda name, *a: (calls.append(name), real_check(name, *a)))
    cfg = base.override({"network.dt": 5e-5, "soup.mutation_rate": 0.001})
    assert sorted(calls) == ["network.dt", "soup.mutation_rate"]
    calls.clear()
    cfg.override({"system.seed": 3})
    assert calls == ["system.seed"]


@pytest.mark.parametrize("section, old, new", [
    ("soup", "n_programs", "soup.size"), ("soup", "program_size", "soup.program_length"),
    ("system", "target_rate_hz", "system.rate_hz"), ("system", "target_complexity", "system.complexity"),
])
def test_a_renamed_key_names_its_new_name(section, old, new):
    with pytest.raises(ValueError, match=re.escape(f"{section}.{old} (renamed to {new})")):
        SystemConfig.from_dict({section: {old: 1}})
