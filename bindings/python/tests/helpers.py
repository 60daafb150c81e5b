"""Shared test data and comparison helpers (no librelu calls here)."""

import os
from fractions import Fraction

import numpy as np

FLOATS = [np.float32, np.float64]
# Full-precision SELU constants (API.md), as long doubles for references.
L_LD = np.longdouble("1.0507009873554804934193349852946")
A_LD = np.longdouble("1.6732632423543772848170429916717")
# Rounded as the kernels use them.
L = {np.float32: np.float32(float.fromhex("0x1.0cfabep+0")),
     np.float64: np.float64(float.fromhex("0x1.0cfabd6a91132p+0"))}
LA = {np.float32: np.float32(float.fromhex("0x1.c212ccp+0")),
      np.float64: np.float64(float.fromhex("0x1.c212cc640f031p+0"))}
# Double-precision constants for the int8 definition (f evaluated in double).
L64 = float.fromhex("0x1.0cfabd6a91132p+0")
A64 = float.fromhex("0x1.ac5afad782cf1p+0")


def header_path():
    """include/relu.h of the source tree the tests live in ($RELU_HEADER wins)."""
    env = os.environ.get("RELU_HEADER")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "..", "..", "include", "relu.h"))


def samples(dtype, n=3001, seed=0, scale=3.0):
    """Random normals plus the awkward values: zeros, subnormals, huge, inf."""
    rng = np.random.default_rng(seed)
    fi = np.finfo(dtype)
    tiny_sub = fi.smallest_subnormal
    special = [0.0, -0.0, tiny_sub, -tiny_sub, 7 * tiny_sub, -7 * tiny_sub,
               fi.smallest_normal, -fi.smallest_normal, 1e-30, -1e-30, 1e-7, -1e-7,
               0.5, -0.5, 1.0, -1.0, 6.0, -6.0, 20.0, -20.0, 100.0, -100.0, -700.0,
               -1e4, 1e4, 1e30, -1e30, float(fi.max), -float(fi.max), np.inf, -np.inf]
    special = np.array(special, dtype=np.float64).astype(dtype)
    body = (rng.standard_normal(n) * scale).astype(dtype)
    wide = (rng.standard_normal(n // 4) * 30).astype(dtype)
    out = np.concatenate([special, body, wide])
    rng.shuffle(out)
    return out


def grads(dtype, n, seed=1):
    rng = np.random.default_rng(seed)
    g = rng.standard_normal(n).astype(dtype)
    g[::17] = 0.0
    g[5::97] = 1e-3
    return g


def assert_ulp(got, ref, dtype, nulp, abs_extra=None, what=""):
    """|got - ref| <= nulp * ulp(ref rounded to dtype) (+ abs_extra), with
    NaN / inf positions equal; ref may be float64 or long double."""
    got = np.asarray(got)
    ref = np.asarray(ref)
    assert got.dtype == dtype
    rnan = np.isnan(ref)
    assert np.array_equal(np.isnan(got), rnan), what + ": NaN positions differ"
    rounded = ref.astype(dtype)
    same = (got == rounded) | rnan
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(got.astype(np.longdouble) - ref.astype(np.longdouble))
        tol = nulp * np.spacing(np.abs(rounded)).astype(np.longdouble)
        if abs_extra is not None:
            tol = tol + np.asarray(abs_extra).astype(np.longdouble)
        ok = same | (np.isfinite(ref) & np.isfinite(got) & (err <= tol))
    if not ok.all():
        i = np.flatnonzero(~ok)[:5]
        raise AssertionError("%s: %d of %d beyond %s ULP, e.g. index %s got %r ref %r"
                             % (what, (~ok).sum(), ok.size, nulp, i.tolist(),
                                got[i].tolist(), ref[i].astype(np.float64).tolist()))


def round_f32(fr):
    """Fraction -> float32, correctly rounded (ties to even)."""
    try:
        c = np.float32(float(fr))
    except OverflowError:
        c = np.float32(np.inf if fr > 0 else -np.inf)
    if not np.isfinite(c):  # overflow (the f64 value already rounds past FLT_MAX)
        return c
    best = None
    for cand in (np.nextafter(c, np.float32(-np.inf)), c, np.nextafter(c, np.float32(np.inf))):
        if not np.isfinite(cand):
            continue
        d = abs(Fraction(float(cand)) - fr)
        key = (d, int(np.array(cand).view(np.uint32)) & 1)
        if best is None or key < best[0]:
            best = (key, cand)
    return best[1]


def fma_neg_sq_plus_one(y):
    """fma(-y, y, 1) elementwise, exactly rounded in y's dtype."""
    out = np.empty_like(y)
    for i, v in enumerate(y):
        if not np.isfinite(v):
            out[i] = np.float64(-v * v + 1).astype(y.dtype)
            continue
        fr = 1 - Fraction(float(v)) ** 2
        if y.dtype == np.float32:
            out[i] = round_f32(fr)
        else:
            try:
                out[i] = float(fr)
            except OverflowError:
                out[i] = -np.inf
    return out


# ------------------------------------------------------------ int8 definition

def real(q, quant):
    return np.float64(np.float32(quant.scale)) * (q.astype(np.float64) - quant.zero_point)


def f64_forward(op, xr, p):
    with np.errstate(over="ignore", invalid="ignore"):
        if op == "relu":
            return np.maximum(xr, 0.0)
        if op == "leaky":
            return np.where(xr > 0, xr, p * xr)
        if op == "prelu":
            return np.where(xr > 0, xr, p * xr)
        if op == "elu":
            return np.where(xr > 0, xr, p * np.expm1(xr))
        if op == "selu":
            return L64 * np.where(xr > 0, xr, A64 * np.expm1(xr))
        if op == "clipped":
            return np.minimum(np.maximum(xr, 0.0), p)
        if op == "tanh":
            return np.maximum(np.tanh(xr), 0.0)
    raise ValueError(op)


def f64_derivative(op, xr, p):
    with np.errstate(over="ignore", invalid="ignore"):
        if op == "relu":
            return (xr > 0).astype(np.float64)
        if op in ("leaky", "prelu"):
            return np.where(xr > 0, 1.0, p)
        if op == "elu":
            return np.where(xr > 0, 1.0, p * np.exp(xr))
        if op == "selu":
            return np.where(xr > 0, L64, L64 * A64 * np.exp(xr))
        if op == "clipped":
            return ((xr > 0) & (xr < p)).astype(np.float64)
        if op == "tanh":
            return np.where(xr > 0, 1.0 - np.tanh(xr) ** 2, 0.0)
    raise ValueError(op)


def quantize(v, quant, tie_tolerance=None):
    """(exact, alternative): round_half_even(v/scale)+zp clamped; alternative is
    the other neighbour where v/scale is within tie_tolerance of a .5 boundary
    (else equal to exact)."""
    s = np.float64(np.float32(quant.scale))
    with np.errstate(invalid="ignore"):
        t = v / s
    exact = np.clip(np.rint(t) + quant.zero_point, -128, 127)
    alt = exact.copy()
    if tie_tolerance is not None:
        b = np.floor(t) + 0.5
        near = np.abs(t - b) <= tie_tolerance * np.maximum(np.abs(t), np.abs(b))
        other = np.where(np.rint(t) == np.floor(t), np.floor(t) + 1, np.floor(t))
        alt = np.where(near, np.clip(other + quant.zero_point, -128, 127), exact)
    return exact.astype(np.int64), alt.astype(np.int64)
