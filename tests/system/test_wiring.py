"""The composition root: a component whose package does not import is left out and reported
(the others are still built), and what needs it is left out too."""

from __future__ import annotations

import sys

from neurosys.run.components import SoupComponent
from neurosys.run.wiring import build_components


def test_a_component_that_does_not_import_is_left_out(monkeypatch, make_config, workspace,
                                                      store, tmp_path):
    # None in sys.modules: importing the package raises ImportError, as a missing web3 would
    monkeypatch.setitem(sys.modules, "neurosys.ledger", None)
    monkeypatch.setitem(sys.modules, "neurosys.llm", None)
    cfg = make_config(tag="wiring", **{"network.enabled": False, "llm.enabled": False})
    built = build_components(cfg, workspace, store, tmp_path)
    try:
        assert isinstance(built.soup_driver, SoupComponent)
        assert built.ledger is None and built.economy is None and built.agents is None
        assert built.missing["ledger"].startswith("neurosys.ledger is not available yet (")
        assert built.missing["llm"].startswith("neurosys.llm is not available yet (")
        assert "agents" in built.missing  # they import the LLM package themselves
    finally:
        assert built.close() == []
