"""The seed's torch policy: shape, online learning from reward, imitation, mutated clones."""

import numpy as np
import pytest
import torch

from neurosys.agents import STATE_SIZE, Policy, PolicyNet


def test_network_shape_is_the_seeds():
    net = PolicyNet(STATE_SIZE)
    linears = [m for m in net.net if isinstance(m, torch.nn.Linear)]
    assert [(l.in_features, l.out_features) for l in linears] == [(STATE_SIZE, 128), (128, 128), (128, 3)]
    p = Policy(STATE_SIZE, seed=1)
    probs = p.probs(np.ones(STATE_SIZE))
    assert probs.shape == (3,) and probs.sum() == pytest.approx(1.0) and (probs > 0).all()
    assert isinstance(p.optimizer, torch.optim.Adam) and p.lr == 1e-3
    assert p.device.type == ("cuda" if torch.cuda.is_available() else "cpu")


def test_reward_raises_the_probability_of_the_rewarded_action():
    p = Policy(STATE_SIZE, seed=2)
    state = np.linspace(-1, 1, STATE_SIZE)
    before = p.probs(state)[2]
    for _ in range(60):
        action, _ = p.act(state)
        p.learn(state, action, 1.0 if action == 2 else -1.0)
    assert p.probs(state)[2] > max(before, 0.6)


def test_imitation_learns_a_rule_and_zero_weight_teaches_nothing():
    rng = np.random.default_rng(0)
    p = Policy(STATE_SIZE, seed=3)
    states = rng.normal(size=(256, STATE_SIZE)).astype(np.float32)
    actions = (states[:, 0] > 0).astype(int) * 2  # 0 or 2 by the sign of the first feature
    frozen = {k: v.clone() for k, v in p.net.state_dict().items()}
    assert p.imitate(states, actions, 0.0) == 0.0
    assert all(torch.equal(frozen[k], v) for k, v in p.net.state_dict().items())
    for _ in range(150):
        p.imitate(states, actions)
    predicted = np.array([p.act(s, greedy=True)[0] for s in states])
    assert (predicted == actions).mean() > 0.9


def test_clone_is_a_mutated_copy():
    p = Policy(STATE_SIZE, seed=4)
    child = p.clone(sigma=0.02, seed=5)
    a = torch.cat([t.flatten() for t in p.net.parameters()])
    b = torch.cat([t.flatten() for t in child.net.parameters()])
    diff = (a - b).detach()
    assert 0.01 < float(diff.std()) < 0.03
    assert torch.equal(torch.cat([t.flatten() for t in p.clone(0.0).net.parameters()]), a)


def test_bad_arguments():
    with pytest.raises(ValueError, match="state_size"):
        Policy(0)
    with pytest.raises(ValueError, match="lr"):
        Policy(STATE_SIZE, lr=0)
    with pytest.raises(ValueError, match="state must have"):
        Policy(STATE_SIZE).probs(np.zeros(3))
    with pytest.raises(ValueError, match="sigma"):
        Policy(STATE_SIZE).clone(-1)
    assert Policy.uncertainty(np.full(3, 1 / 3)) == pytest.approx(1.0)
    assert Policy.uncertainty(np.array([1.0, 0, 0])) < 1e-6
