"""Fit the rational tanh of native/src/kernels.cpp and check it in float32.

    python native/tools/fit_tanh.py [--clamp 9.2] [--p 6] [--q 4]

tanh x ≈ x·P(x²)/Q(x²) on [0, clamp], Q(0) = 1, fitted to minimise the largest relative error
(differential correction: a linear programme per step, scipy's HiGHS). Prints the coefficients as
C++ and the float32 error of the fitted formula evaluated as the kernel does (Horner, clamp, a
final cap at ±1) over a dense sweep. A development tool: needs numpy and scipy, not shipped.
"""

from __future__ import annotations

import argparse

import numpy as np
from scipy.optimize import linprog


def fit(clamp: float, n_p: int, n_q: int) -> tuple[np.ndarray, np.ndarray, float]:
    x = np.unique(np.concatenate([np.geomspace(1e-3, 1.0, 400), np.linspace(0.0, clamp, 6000)[1:]]))
    # in s = (x/clamp)² the columns stay well scaled; g·P(s) ≈ Q(s) is the relative error form
    s = (x / clamp) ** 2
    g = x / np.tanh(x)
    p_cols = g[:, None] * np.stack([s**k for k in range(n_p)], 1)
    q_cols = np.stack([s**k for k in range(n_q)], 1)

    def error(c: np.ndarray) -> float:
        return float(np.abs((p_cols @ c[:n_p]) / (q_cols @ c[n_p:]) - 1.0).max())

    start, *_ = np.linalg.lstsq(np.hstack([p_cols, -q_cols[:, 1:]]), np.ones_like(x), rcond=None)
    c = np.concatenate([start[:n_p], [1.0], start[n_p:]])
    for _ in range(100):
        eps, q_now = error(c), (q_cols @ c[n_p:])[:, None]
        # minimise d subject to |g·P − Q| − eps·Q <= d·Q_now, Q >= 1e-3, Q(0) = 1
        zeros = np.zeros((len(x), 1))
        a_ub = np.vstack([
            np.hstack([p_cols, -q_cols * (1 + eps), -q_now]),
            np.hstack([-p_cols, q_cols * (1 - eps), -q_now]),
            np.hstack([np.zeros_like(p_cols), -q_cols, zeros]),
        ])
        b_ub = np.concatenate([np.zeros(2 * len(x)), -1e-3 * np.ones(len(x))])
        a_eq = np.zeros((1, n_p + n_q + 1))
        a_eq[0, n_p] = 1.0
        objective = np.zeros(n_p + n_q + 1)
        objective[-1] = 1.0
        step = linprog(objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=[1.0],
                       bounds=[(-1e4, 1e4)] * (n_p + n_q) + [(-1.0, 1.0)], method="highs")
        if step.status != 0 or step.x[-1] >= 0 or error(step.x[:-1]) >= eps:
            break
        c = step.x[:-1]
    p = c[:n_p] / clamp ** (2 * np.arange(n_p))
    q = c[n_p:] / clamp ** (2 * np.arange(n_q))
    return p, q, error(c)


def float32_error(p: np.ndarray, q: np.ndarray, clamp: float) -> tuple[float, float]:
    f = np.float32
    x = np.concatenate([np.linspace(0, clamp + 1, 4_000_001, dtype=f), f(10) ** np.linspace(-30, 0, 100_000).astype(f)])
    v = np.minimum(x, f(clamp))
    t = v * v
    num = np.full_like(t, f(p[-1]))
    for k in range(len(p) - 2, -1, -1):
        num = num * t + f(p[k])
    den = np.full_like(t, f(q[-1]))
    for k in range(len(q) - 2, -1, -1):
        den = den * t + f(q[k])
    got = np.minimum(v * num / den, f(1)).astype(np.float64)
    want = np.tanh(x.astype(np.float64))
    err = np.abs(got - want)
    return float(err.max()), float((err[x > 0] / want[x > 0]).max())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clamp", type=float, default=9.2)
    parser.add_argument("--p", type=int, default=6, help="coefficients of P")
    parser.add_argument("--q", type=int, default=4, help="coefficients of Q")
    args = parser.parse_args()
    p, q, rel = fit(args.clamp, args.p, args.q)
    abs32, rel32 = float32_error(p, q, args.clamp)
    print(f"// largest relative error {rel:.2g} (float64); in float32 {abs32:.2g} absolute, {rel32:.2g} relative")
    print("constexpr float kTanhP[] = {" + ", ".join(f"{v:.9e}f" for v in p) + "};")
    print("constexpr float kTanhQ[] = {" + ", ".join(f"{v:.9e}f" for v in q) + "};")


if __name__ == "__main__":
    main()
