"""A PyTorch-style training script run unchanged by both libraries (only the imports differ).

Same weights and data in, then 50 steps of model, loss, optimizer and LR
scheduler with torch's habits (dim=, view, permute, cat, clamp, max(dim=),
torch's scheduler classes): the losses and the final weights must agree.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch")

STEPS = 50


def _libraries() -> tuple[SimpleNamespace, SimpleNamespace]:
    from chainrule import functional, nn, optim
    from chainrule.optim import lr_scheduler

    ours = SimpleNamespace(lib=cr, nn=nn, F=functional, optim=optim, sched=lr_scheduler,
                           tensor=lambda a: cr.tensor(a), labels=lambda a: cr.tensor(a))
    theirs = SimpleNamespace(lib=torch, nn=torch.nn, F=torch.nn.functional, optim=torch.optim,
                             sched=torch.optim.lr_scheduler,
                             tensor=lambda a: torch.tensor(a, dtype=torch.float32),
                             labels=lambda a: torch.tensor(a, dtype=torch.int64))
    return ours, theirs


def _model(t: SimpleNamespace):
    return t.nn.Sequential(t.nn.Linear(12, 16), t.nn.BatchNorm1d(16), t.nn.ReLU(),
                           t.nn.Linear(16, 16), t.nn.Tanh(), t.nn.Linear(16, 4))


def _script(t: SimpleNamespace, model, x: np.ndarray, y: np.ndarray) -> list[float]:
    """The PyTorch-style loop: written once, run by both libraries."""
    loss_fn = t.nn.CrossEntropyLoss(t.tensor([1.0, 2.0, 0.5, 1.0]), label_smoothing=0.05)
    opt = t.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-3)
    sched = t.sched.OneCycleLR(opt, max_lr=0.1, total_steps=STEPS)
    losses = []
    for step in range(STEPS):
        rows = slice((step % 4) * 16, (step % 4) * 16 + 16)
        xb = t.tensor(x[rows]).view(16, 3, 4).permute(0, 2, 1).reshape(16, -1)
        yb = t.labels(y[rows])
        opt.zero_grad()
        logits = model(xb)
        extra = t.lib.cat([logits, logits.clamp(-1.0, 1.0)], dim=1).pow(2).mean(dim=1)
        best = logits.max(dim=1).values
        loss = loss_fn(logits, yb) + 0.01 * extra.mean() + 0.01 * t.F.softmax(logits, dim=-1) \
            .sum(dim=0).std(correction=1) - 0.001 * best.sum()
        loss.backward()
        opt.step()
        sched.step()
        losses.append(loss.item())
    return losses


def test_a_pytorch_script_trains_the_same_in_both_libraries():
    ours, theirs = _libraries()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 12)).astype(np.float32)
    y = rng.integers(0, 4, 64)
    cr.manual_seed(0)
    our_model, their_model = _model(ours), _model(theirs)
    their_model.load_state_dict({k: torch.from_numpy(v.copy())
                                 for k, v in our_model.state_dict().items()})
    our_losses = _script(ours, our_model, x, y)
    their_losses = _script(theirs, their_model, x, y)
    np.testing.assert_allclose(our_losses, their_losses, rtol=2e-4, atol=1e-5)
    assert our_losses[-1] < our_losses[0]
    theirs_state = their_model.state_dict()
    for name, value in our_model.state_dict().items():
        np.testing.assert_allclose(value, theirs_state[name].numpy(), rtol=1e-3, atol=1e-4,
                                   err_msg=name)
