"""Agent tests: torch on one thread, as the AgentManager runs it."""

import torch

# as the AgentManager does (config torch_threads=1): batch-1 policies on a shared 2-core machine
torch.set_num_threads(1)
