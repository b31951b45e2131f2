"""Bad input at the public constructors (#23 point 3), driven by hypothesis: out-of-range,
wrong-type and huge values get a ParameterError or a TypeError that names the argument as the
caller wrote it, never pybind11's signature dump, a crash or a derived value's name."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neurosys.config import SystemConfig, _SECTIONS, _limit
from neurosys.errors import ParameterError
from neurosys.limits import Limit, engine_limit

WRONG_TYPES = st.one_of(st.text(max_size=5), st.none(), st.lists(st.integers(), max_size=2),
                        st.dictionaries(st.text(max_size=2), st.integers(), max_size=1))
HUGE_INTS = st.one_of(st.integers(min_value=2**63), st.integers(max_value=-2**63 - 1))


def bad_ints(limit: Limit) -> st.SearchStrategy[Any]:
    """Integers outside ``limit``, huge ones, and values that are no integer."""
    outside = [HUGE_INTS, WRONG_TYPES, st.booleans(), st.floats(allow_nan=True)]
    if math.isfinite(limit.lo):
        outside.append(st.integers(max_value=math.ceil(limit.lo) - 1))
    if math.isfinite(limit.hi):
        outside.append(st.integers(min_value=math.floor(limit.hi) + 1))
    return st.one_of(outside)


def bad_floats(limit: Limit) -> st.SearchStrategy[Any]:
    """Numbers outside ``limit`` (NaN and the infinities included), and values that are no number."""
    outside = [st.sampled_from([math.nan, math.inf, -math.inf]), WRONG_TYPES]
    if math.isfinite(limit.lo):
        outside.append(st.floats(max_value=limit.lo, exclude_max=not limit.lo_open, allow_nan=False))
    if math.isfinite(limit.hi):
        outside.append(st.floats(min_value=limit.hi, exclude_min=not limit.hi_open, allow_nan=False))
        outside.append(st.integers(min_value=10**30))
    return st.one_of(outside)


def refuses(make: Callable[[Any], Any], name: str, value: Any) -> None:
    with pytest.raises((ParameterError, TypeError)) as info:
        make(value)
    assert name in str(info.value), f"{name}={value!r}: {info.value}"
    assert "incompatible" not in str(info.value), f"pybind11's dump for {name}={value!r}"


def _soup(**kw: Any) -> Any:
    from neurosys.soup import Soup

    return Soup(size=64, **kw)


def _network(**kw: Any) -> Any:
    from neurosys.snn import Network

    return Network(**kw)


def _preset(**kw: Any) -> Any:
    from neurosys.snn import NeuromorphicNetwork

    return NeuromorphicNetwork(n_neurons=kw.pop("n_neurons", 20), log_spikes=False, **kw)


def _coba(**kw: Any) -> Any:
    from neurosys.snn.models import coba

    return coba(**kw)


# (constructor, argument, the engine rule its values follow, int or float)
ENGINE_ARGUMENTS = [
    (_soup, "program_length", ("soup", "program_length"), int),
    (_soup, "mutation_rate", ("soup", "mutation_rate"), float),
    (_soup, "max_steps", ("soup", "max_steps"), int),
    (_soup, "threads", ("soup", "threads"), int),
    (lambda **kw: _soup_sized(**kw), "size", ("soup", "size"), int),
    (_network, "dt", ("snn", "dt"), float),
    (_network, "threads", ("snn", "threads"), int),
    (_preset, "n_neurons", ("snn", "n_neurons"), int),
    (_preset, "dt", ("snn", "dt"), float),
    (_preset, "connection_prob", ("snn", "p"), float),
    (_coba, "n", ("snn", "n_neurons"), int),
]


def _soup_sized(size: Any) -> Any:
    from neurosys.soup import Soup

    return Soup(size=size)


@pytest.mark.parametrize("make, name, rule, kind", ENGINE_ARGUMENTS,
                         ids=[f"{m.__name__}-{n}" for m, n, *_ in ENGINE_ARGUMENTS])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_engine_arguments_name_themselves(make, name, rule, kind, data) -> None:
    limit = engine_limit(*rule)
    value = data.draw(bad_ints(limit) if kind is int else bad_floats(limit))
    if value is None and (make, name) == (_network, "threads"):
        return  # None is Network's "pick the thread count"
    refuses(lambda v: make(**{name: v}), name, value)


@pytest.mark.parametrize("make", [_soup, _network], ids=["Soup", "Network"])
@settings(max_examples=30, deadline=None)
@given(value=st.one_of(st.integers(max_value=-1), st.integers(min_value=2**64), WRONG_TYPES, st.booleans()))
def test_seeds_name_themselves(make, value) -> None:
    refuses(lambda v: make(seed=v), "seed", value)


CONFIG_KEYS = [(s, f) for s, cls in _SECTIONS.items() for f in dataclasses.fields(cls)]


@pytest.mark.parametrize("section, f", CONFIG_KEYS, ids=[f"{s}.{f.name}" for s, f in CONFIG_KEYS])
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_config_keys_name_themselves(section, f, data) -> None:
    kind = type(f.default)
    if kind is int:
        value = data.draw(bad_ints(_limit(f)))
    elif kind is float:
        value = data.draw(bad_floats(_limit(f)))
    elif kind is bool:
        value = data.draw(st.one_of(WRONG_TYPES, st.integers()))
    else:  # a string: wrong types, or a value outside its choices
        choices = f.metadata["choices"]
        value = data.draw(st.one_of(st.none(), st.integers(), st.lists(st.text(), max_size=1)) if choices is None
                          else st.one_of(WRONG_TYPES, st.text().filter(lambda t: t not in choices)))
    refuses(lambda v: SystemConfig.from_dict({section: {f.name: v}}), f"{section}.{f.name}", value)
    refuses(lambda v: SystemConfig().override({f"{section}.{f.name}": v}), f"{section}.{f.name}", value)


def test_a_good_value_passes() -> None:
    """The strategies above draw only bad values; the same constructors take good ones."""
    assert _soup(mutation_rate=0.5).mutation_rate == 0.5
    assert SystemConfig.from_dict({"network": {"dt": 5e-5}}).network.dt == 5e-5


def test_a_file_that_is_not_nir_names_the_graph(tmp_path) -> None:
    pytest.importorskip("nir")
    from neurosys.snn import Network

    path = tmp_path / "net.nir"
    path.write_bytes(b"not an HDF5 file at all")
    with pytest.raises(ParameterError, match="graph: .* is not a NIR file"):
        Network.from_nir(path)
    with pytest.raises(FileNotFoundError, match="graph: no NIR file"):
        Network.from_nir(tmp_path / "missing.nir")
