"""L-BFGS with torch's closure API and torch's iteration, step for step.

The decks' advice: full batch, deterministic ``f(x)`` (no dropout, no
shuffling), then L-BFGS "will probably work very nicely". The algorithm (two
loop recursion, first step ``min(1, 1/|g|_1) * lr``, optional strong-Wolfe
line search with cubic interpolation) follows ``torch.optim.LBFGS``, itself
after minFunc, so the same closure gives the same trajectory (to rounding).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from chainrule.autograd.flat import FlatBuffer
from chainrule.autograd.function import enable_grad
from chainrule.optim.optimizer import Optimizer, ParamsLike, _check_views, check_number


def _cubic_interpolate(x1: float, f1: float, g1: float, x2: float, f2: float, g2: float,
                       bounds: tuple[float, float] | None = None) -> float:
    """Minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to ``bounds``."""
    lo, hi = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square < 0:
        return (lo + hi) / 2.0
    d2 = math.sqrt(d2_square)
    if x1 <= x2:
        min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(min_pos, lo), hi)


Evaluate = Callable[[np.ndarray, float, np.ndarray], tuple[float, np.ndarray]]


def _strong_wolfe(obj: Evaluate, x: np.ndarray, t: float, d: np.ndarray, f: float,
                  g: np.ndarray, gtd: float, c1: float = 1e-4, c2: float = 0.9,
                  tolerance_change: float = 1e-9, max_ls: int = 25
                  ) -> tuple[float, np.ndarray, float, int]:
    """Line search along ``d`` for a step satisfying the strong Wolfe conditions.

    Returns ``(f_new, g_new, t, evaluations)``. First brackets a step (growing
    it by cubic extrapolation), then zooms into the bracket.
    """
    d_norm = float(np.abs(d).max())
    g = g.copy()
    f_new, g_new = obj(x, t, d)
    evals, gtd_new = 1, float(g_new @ d)
    t_prev, f_prev, g_prev, gtd_prev = 0.0, f, g, gtd
    done, ls_iter = False, 0
    while ls_iter < max_ls:  # bracketing phase
        if f_new > f + c1 * t * gtd or (ls_iter > 1 and f_new >= f_prev):
            bracket, bf, bg, bgtd = [t_prev, t], [f_prev, f_new], [g_prev, g_new.copy()], \
                [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bf, bg, done = [t], [f_new], [g_new], True
            break
        if gtd_new >= 0:
            bracket, bf, bg, bgtd = [t_prev, t], [f_prev, f_new], [g_prev, g_new.copy()], \
                [gtd_prev, gtd_new]
            break
        t_next = _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                                    bounds=(t + 0.01 * (t - t_prev), t * 10))
        t_prev, f_prev, g_prev, gtd_prev, t = t, f_new, g_new.copy(), gtd_new, t_next
        f_new, g_new = obj(x, t, d)
        evals, gtd_new, ls_iter = evals + 1, float(g_new @ d), ls_iter + 1
    if ls_iter == max_ls:
        bracket, bf, bg = [0.0, t], [f, f_new], [g, g_new]
    insuf_progress = False
    low, high = (0, 1) if bf[0] <= bf[-1] else (1, 0)
    while not done and ls_iter < max_ls:  # zoom phase
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(bracket[0], bf[0], bgtd[0], bracket[1], bf[1], bgtd[1])
        # keep away from the bracket's ends, or the search makes no progress
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                t = max(bracket) - eps if abs(t - max(bracket)) < abs(t - min(bracket)) \
                    else min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = obj(x, t, d)
        evals, gtd_new, ls_iter = evals + 1, float(g_new @ d), ls_iter + 1
        if f_new > f + c1 * t * gtd or f_new >= bf[low]:
            bracket[high], bf[high], bg[high], bgtd[high] = t, f_new, g_new.copy(), gtd_new
            low, high = (0, 1) if bf[0] <= bf[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:
                bracket[high], bf[high], bg[high], bgtd[high] = \
                    bracket[low], bf[low], bg[low], bgtd[low]
            bracket[low], bf[low], bg[low], bgtd[low] = t, f_new, g_new.copy(), gtd_new
    return bf[low], bg[low], bracket[low], evals


class LbfgsState(NamedTuple):
    """Counters, the last direction and step, and the curvature pairs (y, s) with 1 / y.s."""

    func_evals: int
    n_iter: int
    d: np.ndarray | None
    t: float | None
    old_dirs: tuple[np.ndarray, ...]
    old_stps: tuple[np.ndarray, ...]
    ro: tuple[float, ...]
    H_diag: float | None
    prev_flat_grad: np.ndarray | None
    prev_loss: float | None


class LBFGS(Optimizer):
    """Limited-memory BFGS (Liu & Nocedal, 1989) for full-batch, deterministic objectives.

    ``step(closure)`` runs up to ``max_iter`` iterations; ``closure`` must zero
    the gradients, compute the loss, call ``backward`` and return the loss.
    One parameter group only. Same options and defaults as torch's.

    Args:
        params: the tensors to optimise (one group).
        lr: step length (scales the first step). Defaults to ``1``.
        max_iter: iterations per ``step``. Defaults to ``20``.
        max_eval: closure evaluations per ``step``. Defaults to ``max_iter * 5 // 4``.
        tolerance_grad: stop when ``max |g| <= tolerance_grad``. Defaults to ``1e-7``.
        tolerance_change: stop when a step or the loss changes less. Defaults to ``1e-9``.
        history_size: curvature pairs kept. Defaults to ``100``.
        line_search_fn: ``None`` (fixed step) or ``"strong_wolfe"``. Defaults to ``None``.
    """

    def __init__(self, params: ParamsLike, lr: float = 1, max_iter: int = 20,
                 max_eval: int | None = None, tolerance_grad: float = 1e-7,
                 tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None):
        if max_eval is None and isinstance(max_iter, int):
            max_eval = max_iter * 5 // 4
        super().__init__(params, {"lr": lr, "max_iter": max_iter, "max_eval": max_eval,
                                  "tolerance_grad": tolerance_grad,
                                  "tolerance_change": tolerance_change,
                                  "history_size": history_size,
                                  "line_search_fn": line_search_fn}, fused=False)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")

    def _validate(self, group: dict[str, Any]) -> None:
        check_number("learning rate", group["lr"])
        for key in ("max_iter", "max_eval", "history_size"):
            value = group[key]
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"Invalid {key}: {value!r} (expected a positive int)")
        check_number("tolerance_grad", group["tolerance_grad"])
        check_number("tolerance_change", group["tolerance_change"])
        if group["line_search_fn"] not in (None, "strong_wolfe"):
            raise ValueError(f"Invalid line_search_fn: {group['line_search_fn']!r} (only None "
                             "and 'strong_wolfe' are supported)")

    def _init_state(self, group: dict[str, Any], flat: FlatBuffer) -> LbfgsState:
        return LbfgsState(0, 0, None, None, (), (), (), None, None, None)

    def _state_from_dict(self, group: dict[str, Any], flat: FlatBuffer, saved: Any,
                         where: str) -> LbfgsState:
        n, dtype = flat.data.size, flat.data.dtype
        if not isinstance(saved, dict) or set(saved) != set(LbfgsState._fields):
            raise ValueError(f"{where}: expected the keys {list(LbfgsState._fields)}")

        def vector(key: str, value: Any) -> np.ndarray | None:
            if value is None and key in ("d", "prev_flat_grad"):
                return None
            if not isinstance(value, np.ndarray) or value.shape != (n,) or value.dtype != dtype:
                raise ValueError(f"{where}[{key!r}]: expected an array of shape ({n},) {dtype}")
            return value.copy()

        def history(key: str) -> tuple[np.ndarray, ...]:
            entries = saved[key]
            keys = {str(i) for i in range(len(entries))} if isinstance(entries, dict) else None
            if keys is None or set(entries) != keys:
                raise ValueError(f"{where}[{key!r}]: expected a dict keyed '0', '1', ...")
            return tuple(vector(key, entries[str(i)]) for i in range(len(entries)))

        dirs, stps = history("old_dirs"), history("old_stps")
        ro = saved["ro"]
        if not isinstance(ro, dict) or len(ro) != len(dirs) or len(stps) != len(dirs):
            raise ValueError(f"{where}: old_dirs, old_stps and ro must have the same length")
        return LbfgsState(int(saved["func_evals"]), int(saved["n_iter"]),
                          vector("d", saved["d"]), saved["t"], dirs, stps,
                          tuple(float(ro[str(i)]) for i in range(len(ro))), saved["H_diag"],
                          vector("prev_flat_grad", saved["prev_flat_grad"]), saved["prev_loss"])

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Run up to ``max_iter`` L-BFGS iterations; returns the closure's first loss."""
        if closure is None:
            raise TypeError("LBFGS.step needs a closure that zeroes the gradients, computes the "
                            "loss, calls backward() and returns the loss")
        group, flat = self.param_groups[0], self._flats[0]
        _check_views(flat)
        self._validate(group)
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tol_grad, tol_change = group["tolerance_grad"], group["tolerance_change"]
        st = self._states[0]

        def evaluate() -> tuple[Any, float, np.ndarray]:
            with enable_grad():
                out = closure()
            return out, float(out), flat.grad.copy()

        def directional(x: np.ndarray, t: float, d: np.ndarray) -> tuple[float, np.ndarray]:
            flat.data += t * d
            _, loss_t, grad_t = evaluate()
            flat.data[...] = x
            return loss_t, grad_t

        orig_loss, loss, flat_grad = evaluate()
        func_evals, n_total, current_evals = st.func_evals + 1, st.n_iter, 1
        d, t, h_diag = st.d, st.t, st.H_diag
        old_dirs, old_stps, ro = list(st.old_dirs), list(st.old_stps), list(st.ro)
        prev_flat_grad, prev_loss = st.prev_flat_grad, st.prev_loss
        if np.abs(flat_grad).max() <= tol_grad:
            self._states[0] = st._replace(func_evals=func_evals)
            return orig_loss
        n_iter = 0
        while n_iter < max_iter:
            n_iter, n_total = n_iter + 1, n_total + 1
            if n_total == 1:
                d, old_dirs, old_stps, ro, h_diag = -flat_grad, [], [], [], 1.0
            else:
                y, s = flat_grad - prev_flat_grad, d * t
                ys = float(y @ s)
                if ys > 1e-10:  # skip the update when curvature is not positive
                    if len(old_dirs) == group["history_size"]:
                        old_dirs.pop(0), old_stps.pop(0), ro.pop(0)
                    old_dirs.append(y), old_stps.append(s), ro.append(1.0 / ys)
                    h_diag = ys / float(y @ y)
                d = self._two_loop(-flat_grad, old_dirs, old_stps, ro, h_diag)
            prev_flat_grad, prev_loss = flat_grad.copy(), loss
            t = min(1.0, 1.0 / float(np.abs(flat_grad).sum())) * lr if n_total == 1 else lr
            gtd = float(flat_grad @ d)
            if gtd > -tol_change:  # not a descent direction
                break
            if group["line_search_fn"] == "strong_wolfe":
                loss, flat_grad, t, ls_evals = _strong_wolfe(
                    directional, flat.data.copy(), t, d, loss, flat_grad, gtd,
                    max_ls=max_eval - current_evals)
                flat.data += t * d
            else:
                flat.data += t * d
                ls_evals = 0
                if n_iter != max_iter:  # the last iteration's loss is left for the next call
                    _, loss, flat_grad = evaluate()
                    ls_evals = 1
            current_evals, func_evals = current_evals + ls_evals, func_evals + ls_evals
            if n_iter == max_iter or current_evals >= max_eval or \
                    np.abs(flat_grad).max() <= tol_grad or \
                    np.abs(d * t).max() <= tol_change or abs(loss - prev_loss) < tol_change:
                break
        self._states[0] = LbfgsState(func_evals, n_total, d, t, tuple(old_dirs), tuple(old_stps),
                                     tuple(ro), h_diag, prev_flat_grad, prev_loss)
        return orig_loss

    @staticmethod
    def _two_loop(q: np.ndarray, old_dirs: list[np.ndarray], old_stps: list[np.ndarray],
                  ro: list[float], h_diag: float) -> np.ndarray:
        """The L-BFGS two-loop recursion: ``H_k q`` from the stored pairs (Nocedal & Wright 7.4)."""
        al = [0.0] * len(old_dirs)
        for i in range(len(old_dirs) - 1, -1, -1):
            al[i] = float(old_stps[i] @ q) * ro[i]
            q -= al[i] * old_dirs[i]
        r = q * h_diag
        for i in range(len(old_dirs)):
            be_i = float(old_dirs[i] @ r) * ro[i]
            r += (al[i] - be_i) * old_stps[i]
        return r
