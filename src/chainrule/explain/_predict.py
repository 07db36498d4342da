"""The one predict path (contract item 2), until ``chainrule.train.predict`` lands on main.

Same signatures as the contract: raw outputs, and class probabilities (softmax; a single
logit gives two columns ``[1 - p, p]``). Everything in explain and sklearn calls these two.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def predict(model: Any, data: Any, *, preprocess: Any = None, batch_size: int = 256
            ) -> np.ndarray:
    """Raw outputs of ``model`` on ``data`` (an array), in eval mode, batched, no graph."""
    from chainrule.train import Trainer

    x = np.asarray(data, dtype=np.float32)
    if preprocess is not None:
        x = preprocess.transform(x)
    return Trainer(model, None, "mse").predict(x, batch_size=batch_size)


def predict_proba(model: Any, data: Any, *, preprocess: Any = None, batch_size: int = 256
                  ) -> np.ndarray:
    """Class probabilities: softmax over the outputs, or ``[1 - p, p]`` for one logit."""
    out = predict(model, data, preprocess=preprocess, batch_size=batch_size)
    out = out.reshape(len(out), -1).astype(np.float64)
    if out.shape[1] == 1:
        p = 1.0 / (1.0 + np.exp(-out[:, 0]))
        return np.stack([1.0 - p, p], axis=1)
    out -= out.max(axis=1, keepdims=True)
    np.exp(out, out=out)
    return out / out.sum(axis=1, keepdims=True)
