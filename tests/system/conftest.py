"""A small but complete configuration, so system tests run in seconds on 2 cores."""

from __future__ import annotations

import os

import pytest

from neurosys.config import SystemConfig

SMALL = {
    "system.progress_interval": 0.5,
    "system.persist_interval": 1.0,
    "system.log_level": "INFO",
    "network.n_neurons": 200,
    "network.chunk": 0.02,
    "soup.size": 256,
    "soup.epochs_per_step": 2,
    "soup.metrics_every": 4,
    "llm.interval": 0.5,
    "agents.tick_interval": 0.1,
}


def small_config(**overrides) -> SystemConfig:
    name = f"neurosys-test-{os.getpid()}-{overrides.pop('tag', 'sys')}"
    return SystemConfig().override({**SMALL, "system.workspace_name": name, **overrides})


@pytest.fixture(scope="session")
def make_config():
    """``make_config(tag=..., **{"section.key": value})`` -> a small SystemConfig."""
    return small_config
