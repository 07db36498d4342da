"""Each transform against the decks' update rule, written out in float64."""

import numpy as np
import pytest

from chainrule import optim

N, STEPS = 50, 40


def grads(seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=N) * rng.uniform(0.1, 3) for _ in range(STEPS)]


def run(tx, gs, x0=None, lr_each=None):
    """Apply ``tx`` to the gradient sequence in float32; return the parameter trajectory."""
    x = np.zeros(N, np.float32) if x0 is None else x0.astype(np.float32)
    state = tx.init(x)
    out = []
    for g in gs:
        u, state = tx.update(g.astype(np.float32), state, x)
        assert u.shape == x.shape and u.dtype == np.float32 and np.isfinite(u).all()
        optim.apply_updates(x, u)
        out.append(x.copy())
    return np.array(out), state


def close(ours, reference, rtol=2e-5):
    scale = np.abs(reference).max()
    assert scale > 0
    assert np.abs(ours - reference).max() <= rtol * scale + 1e-7


def test_scale_and_learning_rate():
    gs = grads()
    ours, _ = run(optim.scale_by_learning_rate(0.1), gs)
    close(ours, -0.1 * np.cumsum(gs, axis=0))
    seen = []
    schedule = optim.scale_by_learning_rate(lambda t: seen.append(t) or 1.0 / (t + 1))
    ours, state = run(schedule, gs)
    assert seen == list(range(STEPS)) and state.count == STEPS
    close(ours, -np.cumsum([g / (t + 1) for t, g in enumerate(gs)], axis=0))
    ours, _ = run(optim.chain(optim.scale(3.0), optim.scale_by_schedule(lambda t: -0.5)), gs)
    close(ours, -1.5 * np.cumsum(gs, axis=0))


def deck_momentum(gs, lr, mu, nesterov=False):
    """Deck 003: v = mu v - lr dx; x += v  (Nesterov: x += -mu v_prev + (1 + mu) v)."""
    x, v, out = np.zeros(N), np.zeros(N), []
    for g in gs:
        v_prev = v
        v = mu * v - lr * g
        x = x + (-mu * v_prev + (1 + mu) * v if nesterov else v)
        out.append(x)
    return np.array(out)


@pytest.mark.parametrize("nesterov", [False, True])
def test_both_velocity_forms_follow_the_decks(nesterov):
    gs = grads()
    reference = deck_momentum(gs, 0.05, 0.9, nesterov)
    torch_form, _ = run(optim.chain(optim.trace(0.9, nesterov=nesterov),
                                    optim.scale_by_learning_rate(0.05)), gs)
    deck_form, _ = run(optim.trace(0.9, nesterov=nesterov, learning_rate=0.05), gs)
    close(torch_form, reference)
    close(deck_form, reference)


def test_velocity_forms_differ_when_the_rate_changes():
    gs = grads()
    rate = lambda t: 0.1 if t < 20 else 0.01  # noqa: E731
    torch_form, _ = run(optim.chain(optim.trace(0.9), optim.scale_by_learning_rate(rate)), gs)
    deck_form, _ = run(optim.trace(0.9, learning_rate=rate), gs)
    np.testing.assert_allclose(torch_form[:20], deck_form[:20], rtol=1e-5, atol=1e-6)
    assert np.abs(torch_form[-1] - deck_form[-1]).max() > 1e-2


def test_dampening_and_first_step_as_torch():
    gs = grads()
    ours, _ = run(optim.chain(optim.trace(0.5, dampening=0.3), optim.scale(-1.0)), gs)
    b, x, ref = gs[0].copy(), np.zeros(N), []
    for t, g in enumerate(gs):
        b = g.copy() if t == 0 else 0.5 * b + 0.7 * g  # the first buffer is g, undamped
        x = x - b
        ref.append(x)
    close(ours, np.array(ref))


def test_adagrad_follows_the_deck():
    gs = grads()
    ours, _ = run(optim.chain(optim.scale_by_adagrad(eps=1e-7), optim.scale(-0.1)), gs)
    x, grad_squared, ref = np.zeros(N), np.zeros(N), []
    for dx in gs:
        grad_squared += dx * dx
        x = x - 0.1 * dx / (np.sqrt(grad_squared) + 1e-7)
        ref.append(x)
    close(ours, np.array(ref))


@pytest.mark.parametrize("centered, momentum", [(False, 0.0), (True, 0.0), (True, 0.8),
                                                (False, 0.8)])
def test_rmsprop_follows_the_deck(centered, momentum):
    gs = grads()
    ours, _ = run(optim.chain(optim.scale_by_rms(0.9, 1e-7, centered, momentum),
                              optim.scale(-0.01)), gs)
    x, grad_squared, grad_mean, buf, ref = np.zeros(N), np.zeros(N), np.zeros(N), np.zeros(N), []
    for dx in gs:
        grad_squared = 0.9 * grad_squared + 0.1 * dx * dx
        grad_mean = 0.9 * grad_mean + 0.1 * dx
        var = grad_squared - grad_mean ** 2 if centered else grad_squared
        step = dx / (np.sqrt(var) + 1e-7)
        buf = momentum * buf + step
        x = x - 0.01 * (buf if momentum else step)
        ref.append(x)
    close(ours, np.array(ref))


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_follows_the_deck(amsgrad):
    gs = grads()
    ours, state = run(optim.chain(optim.scale_by_adam(0.9, 0.999, 1e-7, amsgrad),
                                  optim.scale(-1e-2)), gs)
    x, first, second, second_max, ref = np.zeros(N), np.zeros(N), np.zeros(N), np.zeros(N), []
    for t, dx in enumerate(gs, start=1):
        first = 0.9 * first + 0.1 * dx
        second = 0.999 * second + 0.001 * dx * dx
        second_max = np.maximum(second_max, second)
        first_unbias = first / (1 - 0.9 ** t)
        second_unbias = (second_max if amsgrad else second) / (1 - 0.999 ** t)
        x = x - 1e-2 * first_unbias / (np.sqrt(second_unbias) + 1e-7)
        ref.append(x)
    close(ours, np.array(ref))
    assert state[0].count == STEPS and (state[0].nu_max.size == N) == amsgrad


def test_coupled_and_decoupled_weight_decay():
    gs, x0 = grads(), np.linspace(-1, 1, N)
    coupled, _ = run(optim.chain(optim.add_decayed_weights(0.1), optim.scale_by_adam(),
                                 optim.scale(-0.01)), gs, x0)
    decoupled, _ = run(optim.chain(optim.scale_by_adam(), optim.add_decayed_weights(0.1),
                                   optim.scale(-0.01)), gs, x0)
    x, m, v, ref = x0.copy(), np.zeros(N), np.zeros(N), []
    for t, g in enumerate(gs, start=1):  # AdamW: the decay skips the adaptive scaling
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        adam = m / (1 - 0.9 ** t) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
        x = x - 0.01 * (adam + 0.1 * x)
        ref.append(x)
    close(decoupled, np.array(ref))
    assert np.abs(coupled[-1] - decoupled[-1]).max() > 1e-3
    with pytest.raises(ValueError, match="needs params"):
        tx = optim.add_decayed_weights(0.1)
        tx.update(np.ones(3, np.float32), tx.init(np.ones(3, np.float32)), None)


def test_chain_reports_misuse():
    with pytest.raises(TypeError, match="argument 1 is a float"):
        optim.chain(optim.scale(1.0), 0.5)
    tx = optim.chain(optim.scale(1.0), optim.scale(2.0))
    with pytest.raises(ValueError, match="called init first"):
        tx.update(np.ones(3, np.float32), (), None)
    with pytest.raises(ValueError, match="Invalid learning rate: -0.1"):
        optim.scale_by_learning_rate(-0.1)
    with pytest.raises(TypeError, match="callable of the step"):
        optim.scale_by_schedule(0.1)
