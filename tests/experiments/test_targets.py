"""The moving target of the closed-loop bench."""

import numpy as np

from neurosys.experiments.targets import SINE_START, STEPS, moving_target, settled_mask


def test_the_target_moves_between_5_and_20_hz_over_more_than_200_s():
    t = np.arange(0, 225, 0.1)
    target = moving_target(t)
    assert target.min() >= 5 - 1e-9 and target.max() <= 20 + 1e-9
    assert target[t < STEPS[1][0]].tolist() == [STEPS[0][1]] * int(np.sum(t < STEPS[1][0]))
    assert len(np.unique(np.round(target[t >= SINE_START], 3))) > 100  # the sine


def test_settling_windows_follow_each_step():
    t = np.array([0.5, 6.0, 25.5, 31.0, 126.0, 200.0])
    assert settled_mask(t, 5.0).tolist() == [False, True, False, True, False, True]
