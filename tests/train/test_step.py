"""train_step / total_loss: the one training step, against a hand-written torch step."""

import numpy as np
import pytest

import chainrule as cr
from chainrule import functional as F
from chainrule import nn, optim
from chainrule.nn import regularize as R
from chainrule.train import total_loss, train_step


def _setup(seed=0):
    cr.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))
    rng = np.random.default_rng(seed)
    x = cr.tensor(rng.normal(size=(16, 4)).astype(np.float32))
    y = cr.tensor(rng.integers(0, 3, 16))
    return model, x, y


def test_total_loss_adds_each_penalty_and_logs_it():
    model, x, y = _setup()
    l2, l1 = R.L2(0.1), R.L1(0.01)
    total, logs = total_loss(model, F.cross_entropy, model(x), y, [l2, l1])
    w = [p.data.astype(np.float64) for p in R.decay_groups(model)[0]]
    assert logs["penalty/l2"] == pytest.approx(0.05 * sum((a * a).sum() for a in w), rel=1e-5)
    expected_l1 = 0.01 * sum(np.abs(a).sum() for a in w)
    assert logs["penalty/l1"] == pytest.approx(expected_l1, rel=1e-5)
    assert float(total.data) == pytest.approx(logs["loss"] + logs["penalty/l2"]
                                              + logs["penalty/l1"], rel=1e-6)
    bare, logs = total_loss(model, F.cross_entropy, model(x), y)
    assert set(logs) == {"loss"} and float(bare.data) == logs["loss"]


def test_train_step_matches_torch_with_clipping():
    torch = pytest.importorskip("torch")
    model, x, y = _setup(1)
    tmodel = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))
    with torch.no_grad():
        for (_, p), q in zip(model.named_parameters(), tmodel.parameters(), strict=True):
            q.copy_(torch.from_numpy(p.data.T.copy() if p.ndim == 2 and p.shape != q.shape
                                     else p.data.copy()).reshape(q.shape))
    opt = optim.SGD(model.parameters(), lr=0.5)
    topt = torch.optim.SGD(tmodel.parameters(), lr=0.5)
    seen = []
    logs, out = train_step(model, opt, F.cross_entropy, x, y, clip_grad_norm=0.1,
                           after_backward=lambda logs: seen.append(dict(logs)))
    topt.zero_grad()
    tloss = torch.nn.functional.cross_entropy(tmodel(torch.from_numpy(x.data)),
                                              torch.from_numpy(y.data))
    tloss.backward()
    tnorm = torch.nn.utils.clip_grad_norm_(tmodel.parameters(), 0.1)
    topt.step()
    assert logs["loss"] == pytest.approx(tloss.item(), rel=1e-5)
    assert logs["grad_norm"] == pytest.approx(tnorm.item(), rel=1e-4)
    assert seen == [{"loss": logs["loss"]}]  # called before clipping: no grad_norm yet
    assert out.shape == (16, 3)
    for p, q in zip(model.parameters(), tmodel.parameters(), strict=True):
        np.testing.assert_allclose(p.data, q.detach().numpy().reshape(p.shape), atol=1e-6)


class _Order(R.Regularizer):
    name = "order"

    def __init__(self, calls):
        self.calls = calls

    def on_train_batch_begin(self, model):
        self.calls.append("reg begin")

    def penalty(self, model):
        self.calls.append("penalty")
        return None

    def on_after_backward(self, model):
        self.calls.append("reg after_backward")

    def on_train_batch_end(self, model):
        self.calls.append("reg end")


def test_hooks_run_in_the_documented_order():
    model, x, y = _setup()
    calls = []
    opt = optim.SGD(model.parameters(), lr=0.1)
    step = opt.step
    opt.step = lambda: (calls.append("step"), step())[1]
    logs, _ = train_step(model, opt, F.cross_entropy, x, y,
                         regularizers=[_Order(calls)],
                         after_backward=lambda logs: calls.append("after_backward"))
    assert calls == ["reg begin", "penalty", "reg after_backward", "after_backward", "step",
                     "reg end"]
    assert "penalty/order" not in logs
