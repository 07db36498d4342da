"""The ``chainrule`` command line."""

from __future__ import annotations

import argparse
import sys

import numpy as np


def _xor_demo(args: argparse.Namespace) -> int:
    """Train a 2-8-1 tanh MLP on XOR with the engine by hand and print the loss falling."""
    import chainrule as cr
    from chainrule import functional as F

    cr.manual_seed(args.seed)
    x = cr.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = cr.tensor([[0.0], [1.0], [1.0], [0.0]])
    w1 = cr.randn(8, 2, requires_grad=True)
    b1 = cr.zeros(8, requires_grad=True)
    w2 = cr.randn(1, 8, requires_grad=True)
    b2 = cr.zeros(1, requires_grad=True)
    params = [w1, b1, w2, b2]
    for step in range(args.steps + 1):
        hidden = F.tanh(F.linear(x, w1, b1))
        loss = F.binary_cross_entropy_with_logits(F.linear(hidden, w2, b2), y)
        for p in params:
            p.grad = None
        loss.backward()
        with cr.no_grad():
            for p in params:
                p.data -= args.lr * p.grad
        if step % (args.steps // 10) == 0:
            print(f"step {step:5d}  loss {loss.item():.6f}")
    probs = F.sigmoid(F.linear(F.tanh(F.linear(x, w1, b1)), w2, b2)).data.ravel()
    print("XOR predictions:", np.round(probs, 3).tolist(), "targets: [0, 1, 1, 0]")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chainrule", description="Train and inspect neural networks with chainrule.")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="train a small MLP on XOR by hand and show the loss fall")
    demo.add_argument("--steps", type=int, default=2000, help="gradient steps (default 2000)")
    demo.add_argument("--lr", type=float, default=0.5, help="learning rate (default 0.5)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.set_defaults(run=_xor_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    return args.run(args)
