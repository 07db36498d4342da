"""A healthy setup and the deliberately broken ones every check is tested against.

Data: 600 standardised digits (64 features, 10 classes). The healthy model is
a 64-32-10 ReLU MLP with kaiming init trained by Adam(lr=2e-3). The broken
ones each change one thing: the loss sign, the learning rate (1e3), the init
(all zeros; N(0, 1) weights that saturate a tanh net), or the graph (a layer's
output is detached, so the layers before it get no gradient).
"""

from __future__ import annotations

import numpy as np

import chainrule as cr
from chainrule import functional as F
from chainrule import nn, optim
from chainrule.data import load_digits
from chainrule.diagnose import Subject

_DATA: dict[str, np.ndarray] = {}


def digits() -> tuple[np.ndarray, np.ndarray]:
    if not _DATA:
        ds = load_digits(flatten=True)
        x = ds.x[:600]
        std = x.std(axis=0)
        _DATA["x"] = ((x - x.mean(axis=0)) / np.where(std > 0, std, 1)).astype(np.float32)
        _DATA["y"] = ds.y[:600]
    return _DATA["x"], _DATA["y"]


def mlp(activation: type[nn.Module] = nn.ReLU, width: int = 32, seed: int = 0) -> nn.Sequential:
    cr.manual_seed(seed)
    model = nn.Sequential(nn.Linear(64, width), activation(), nn.Linear(width, 10))
    for m in model:
        if isinstance(m, nn.Linear):
            nn.init.kaiming_normal_(m.weight)
            nn.init.zeros_(m.bias)
    return model


class Detached(nn.Module):
    """A two-layer net whose hidden output is detached: the first layer never learns."""

    def __init__(self, seed: int = 0):
        super().__init__()
        cr.manual_seed(seed)
        self.hidden = nn.Linear(64, 32)
        self.act = nn.ReLU()
        self.out = nn.Linear(32, 10)

    def forward(self, x):
        return self.out(self.act(self.hidden(x)).detach())


def subject(model: nn.Module | None = None, loss="cross_entropy", lr: float = 2e-3,
            opt: type = optim.Adam, regularizers=()) -> Subject:
    x, y = digits()
    model = mlp() if model is None else model
    return Subject(model, loss, x, y, opt(model.parameters(), lr=lr), regularizers)


def good() -> Subject:
    return subject()


def wrong_sign() -> Subject:
    return subject(loss=lambda out, y: -F.cross_entropy(out, y))


def huge_lr() -> Subject:
    return subject(lr=1e3, opt=optim.SGD)


def zero_init() -> Subject:
    model = mlp()
    for p in model.parameters():
        nn.init.zeros_(p)
    return subject(model)


def saturating_init() -> Subject:
    model = mlp(nn.Tanh)
    for m in model:
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0.0, 1.0)
    return subject(model)


def detached() -> Subject:
    return subject(Detached())
