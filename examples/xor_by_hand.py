"""XOR with the engine by hand: a 2-8-1 tanh network, plain gradient descent, no nn/optim.

XOR is not linearly separable, so the hidden layer is what makes it learnable.
Run: python examples/xor_by_hand.py [--steps 2000] [--lr 0.5] [--seed 0]
"""

from __future__ import annotations

import argparse

import numpy as np

import chainrule as cr
from chainrule import functional as F


def train(steps: int = 2000, lr: float = 0.5, seed: int = 0, report_every: int = 200
          ) -> tuple[list[float], np.ndarray]:
    """Train and return the losses logged every ``report_every`` steps and final probabilities."""
    cr.manual_seed(seed)
    x = cr.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = cr.tensor([[0.0], [1.0], [1.0], [0.0]])
    params = [cr.randn(8, 2, requires_grad=True), cr.zeros(8, requires_grad=True),
              cr.randn(1, 8, requires_grad=True), cr.zeros(1, requires_grad=True)]

    def forward() -> cr.Tensor:
        return F.linear(F.tanh(F.linear(x, params[0], params[1])), params[2], params[3])

    losses = []
    for step in range(steps + 1):
        loss = F.binary_cross_entropy_with_logits(forward(), y)
        for p in params:
            p.grad = None
        loss.backward()
        with cr.no_grad():
            for p in params:
                p.data -= lr * p.grad
        if step % report_every == 0:
            losses.append(loss.item())
            print(f"step {step:5d}  loss {loss.item():.6f}")
    with cr.no_grad():
        probs = F.sigmoid(forward()).data.ravel()
    return losses, probs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    _, probs = train(args.steps, args.lr, args.seed)
    print("predictions:", np.round(probs, 3).tolist(), "targets: [0, 1, 1, 0]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
