"""Agents: torch policies that act on the system through the workspace, consult the shared
local LLM, and are spawned, cloned and retired by the ``AgentManager`` as the system evolves."""

from neurosys.agents.agent import Agent
from neurosys.agents.config import AgentsConfig
from neurosys.agents.host import AgentHost
from neurosys.agents.manager import ROLES, AgentManager, reward_history
from neurosys.agents.policy import Policy, PolicyNet
from neurosys.agents.roles import ComplexityController, Inventor, Observer, RateController
from neurosys.agents.state import STATE_SIZE
from neurosys.agents.triggers import LineageDetector, RegimeDetector

__all__ = ["Agent", "AgentHost", "AgentManager", "AgentsConfig", "ComplexityController",
           "Inventor", "LineageDetector", "Observer", "Policy", "PolicyNet", "ROLES",
           "RateController", "RegimeDetector", "STATE_SIZE", "reward_history"]
