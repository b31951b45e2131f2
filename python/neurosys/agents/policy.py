"""The seed's torch policy (state -> 128 -> 128 -> actions, softmax), trained online: policy
gradient from the reward that followed an action, and imitation of the LLM's decisions weighted
by the reward that followed them. Runs on CUDA when present."""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

__all__ = ["PolicyNet", "Policy", "default_device"]


def default_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


class PolicyNet(nn.Module):
    def __init__(self, state_size: int, n_actions: int = 3, hidden: int = 128) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(state_size, hidden), nn.ReLU(),
                                 nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, n_actions))

    def forward(self, state: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.net(state), dim=-1)


class Policy:
    """A ``PolicyNet`` with its Adam optimizer (lr 1e-3) and a running reward baseline."""

    def __init__(self, state_size: int, n_actions: int = 3, *, lr: float = 1e-3,
                 device: str | torch.device | None = None, seed: int | None = None) -> None:
        if int(state_size) < 1 or int(n_actions) < 2:
            raise ValueError(f"state_size must be >= 1 and n_actions >= 2, got "
                             f"{state_size!r}, {n_actions!r}")
        if not lr > 0:
            raise ValueError(f"lr must be > 0, got {lr!r}")
        self.device = torch.device(device) if device is not None else default_device()
        self.generator = torch.Generator(device="cpu")
        if seed is not None:
            self.generator.manual_seed(int(seed))
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(int(seed))
                self.net = PolicyNet(int(state_size), int(n_actions)).to(self.device)
        else:
            self.net = PolicyNet(int(state_size), int(n_actions)).to(self.device)
        self.state_size, self.n_actions, self.lr = int(state_size), int(n_actions), float(lr)
        try:  # the fused kernel is the quickest for one tiny step per tick
            self.optimizer = torch.optim.Adam(self.net.parameters(), lr=self.lr, fused=True)
        except (RuntimeError, ValueError):
            self.optimizer = torch.optim.Adam(self.net.parameters(), lr=self.lr)
        self.baseline = 0.0

    def _tensor(self, state: np.ndarray) -> torch.Tensor:
        x = np.asarray(state, dtype=np.float32).reshape(-1)
        if x.size != self.state_size:
            raise ValueError(f"state must have {self.state_size} values, got {x.size}")
        return torch.from_numpy(np.nan_to_num(x)).to(self.device)

    @torch.no_grad()
    def probs(self, state: np.ndarray) -> np.ndarray:
        return self.net(self._tensor(state)).cpu().numpy().astype(np.float64)

    def act(self, state: np.ndarray, greedy: bool = False) -> tuple[int, np.ndarray]:
        """Sample an action (or the most likely one); returns it with the probabilities."""
        p = self.probs(state)
        if greedy:
            return int(p.argmax()), p
        action = int(torch.multinomial(torch.from_numpy(p), 1, generator=self.generator))
        return action, p

    @staticmethod
    def uncertainty(p: np.ndarray) -> float:
        """Normalized entropy of the action distribution, 0 (sure) .. 1 (uniform)."""
        p = np.clip(np.asarray(p, dtype=np.float64), 1e-12, 1.0)
        return float(-(p * np.log(p)).sum() / math.log(len(p)))

    def _step(self, loss: torch.Tensor) -> float:
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return float(loss.detach())

    def learn(self, state: np.ndarray, action: int, reward: float) -> float:
        """REINFORCE with a running baseline: raise the log-probability of ``action`` in
        proportion to how much better than usual ``reward`` was."""
        advantage = float(reward) - self.baseline
        self.baseline += 0.05 * (float(reward) - self.baseline)
        logp = torch.log(self.net(self._tensor(state))[int(action)] + 1e-8)
        return self._step(-advantage * logp)

    def imitate(self, states: np.ndarray, actions: np.ndarray | list[int],
                weights: np.ndarray | list[float] | float = 1.0) -> float:
        """Weighted cross-entropy toward ``actions`` (the LLM's decisions, or a prior)."""
        x = torch.from_numpy(np.nan_to_num(np.asarray(states, dtype=np.float32))
                             .reshape(-1, self.state_size)).to(self.device)
        a = torch.as_tensor(np.asarray(actions, dtype=np.int64).reshape(-1), device=self.device)
        w = torch.as_tensor(np.broadcast_to(np.asarray(weights, dtype=np.float32), a.shape).copy(),
                            device=self.device)
        if float(w.sum()) <= 0:
            return 0.0
        logp = torch.log(self.net(x).gather(1, a[:, None]).squeeze(1) + 1e-8)
        return self._step(-(w * logp).sum() / w.sum())

    def clone(self, sigma: float = 0.02, seed: int | None = None) -> Policy:
        """A copy whose weights carry Gaussian noise of std ``sigma`` (a mutated offspring)."""
        if not sigma >= 0:
            raise ValueError(f"sigma must be >= 0, got {sigma!r}")
        child = Policy(self.state_size, self.n_actions, lr=self.lr, device=self.device, seed=seed)
        child.net.load_state_dict(self.net.state_dict())
        gen = torch.Generator(device="cpu")
        gen.manual_seed(int(seed) if seed is not None else int(torch.randint(0, 2**31, (1,))))
        with torch.no_grad():
            for param in child.net.parameters():
                noise = torch.randn(param.shape, generator=gen) * float(sigma)
                param.add_(noise.to(param.device))
        child.baseline = self.baseline
        return child
