"""float32 / float64: every function against PyTorch (and, for the
transcendental ops, against long-double numpy references for the contract's
2-ULP bound), on every ISA tier this CPU and build can run."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import relu
from helpers import (FLOATS, L, LA, L_LD, A_LD, fma_neg_sq_plus_one, grads, samples)

torch.set_num_threads(1)
LD = np.longdouble


def ordered(a):
    """Float bits mapped to integers ordered like the values (+0 == -0)."""
    a = np.asarray(a)
    if a.dtype == np.float32:
        i = a.view(np.int32).astype(np.int64)
        return np.where(i < 0, -(i & 0x7FFFFFFF), i)
    i = a.view(np.int64)
    return np.where(i < 0, -(i & 0x7FFFFFFFFFFFFFFF), i)


def ulp_distance(got, want):
    return np.abs(ordered(got) - ordered(want))


def check_close(got, ref, nulp, abs_extra=0.0, what=""):
    """got within nulp ULP of ref rounded to got's dtype, or within nulp ULP
    plus abs_extra in absolute terms; NaN positions equal."""
    dtype = got.dtype
    ref = np.asarray(ref)
    rnan = np.isnan(ref)
    assert np.array_equal(np.isnan(got), rnan), what + ": NaN positions differ"
    with np.errstate(over="ignore", invalid="ignore"):
        cr = ref.astype(dtype)
        dist = ulp_distance(np.where(rnan, 0, got).astype(dtype), np.where(rnan, 0, cr).astype(dtype))
        err = np.abs(got.astype(LD) - ref.astype(LD))
        tol = nulp * np.spacing(np.abs(cr)).astype(LD) + np.asarray(abs_extra, dtype=LD)
    ok = rnan | (dist <= nulp) | (np.isfinite(got) & np.isfinite(ref) & (err <= tol))
    if not ok.all():
        i = np.flatnonzero(~ok)[:4]
        raise AssertionError(
            "%s: %d of %d elements beyond %s ULP; e.g. got %r want %r (%s ULP)"
            % (what, (~ok).sum(), ok.size, nulp, got[i].tolist(),
               ref[i].astype(np.float64).tolist(), dist[i].tolist()))


def t(a):
    return torch.from_numpy(np.ascontiguousarray(a))


def as_param(dtype, v):
    """A parameter as the C function sees it (float for f32, double for f64)."""
    return float(dtype(v))


# --------------------------------------------------------------- the ops
# op -> (relu forward, torch forward, long-double reference forward or None if exact)

def torch_forward(op, x, p):
    if op == "relu":
        return F.relu(x)
    if op == "leaky":
        return F.leaky_relu(x, p)
    if op == "elu":
        return F.elu(x, p)
    if op == "selu":
        return F.selu(x)
    if op == "clipped":
        return F.hardtanh(x, 0.0, p)
    if op == "tanh":
        return torch.clamp(torch.tanh(x), min=0)
    raise ValueError(op)


def lib_forward(op, x, p, **kw):
    if op == "relu":
        return relu.forward(x, **kw)
    if op == "leaky":
        return relu.leaky_forward(x, p, **kw)
    if op == "elu":
        return relu.elu_forward(x, p, **kw)
    if op == "selu":
        return relu.selu_forward(x, **kw)
    if op == "clipped":
        return relu.clipped_forward(x, p, **kw)
    if op == "tanh":
        return relu.tanh_forward(x, **kw)
    raise ValueError(op)


def lib_backward(op, x, dy, p, **kw):
    if op == "relu":
        return relu.backward(x, dy, **kw)
    if op == "leaky":
        return relu.leaky_backward(x, dy, p, **kw)
    if op == "elu":
        return relu.elu_backward(x, dy, p, **kw)
    if op == "selu":
        return relu.selu_backward(x, dy, **kw)
    if op == "clipped":
        return relu.clipped_backward(x, dy, p, **kw)
    if op == "tanh":
        return relu.tanh_backward(x, dy, **kw)
    raise ValueError(op)


def lib_from_output(op, y, dy, p, **kw):
    if op == "relu":
        return relu.backward_from_output(y, dy, **kw)
    if op == "leaky":
        return relu.leaky_backward_from_output(y, dy, p, **kw)
    if op == "elu":
        return relu.elu_backward_from_output(y, dy, p, **kw)
    if op == "selu":
        return relu.selu_backward_from_output(y, dy, **kw)
    if op == "clipped":
        return relu.clipped_backward_from_output(y, dy, p, **kw)
    if op == "tanh":
        return relu.tanh_backward_from_output(y, dy, **kw)
    raise ValueError(op)


def ld_forward(op, x, p):
    x = x.astype(LD)
    with np.errstate(over="ignore", invalid="ignore"):
        if op == "elu":
            return np.where(x > 0, x, LD(p) * np.expm1(x))
        if op == "selu":
            return L_LD * np.where(x > 0, x, A_LD * np.expm1(x))
        if op == "tanh":
            return np.maximum(np.tanh(x), LD(0))
    raise ValueError(op)


def ld_backward(op, x, dy, p):
    x, dy = x.astype(LD), dy.astype(LD)
    with np.errstate(over="ignore", invalid="ignore"):
        if op == "elu":
            return np.where(x > 0, dy, dy * LD(p) * np.exp(x))
        if op == "selu":
            return np.where(x > 0, L_LD * dy, dy * L_LD * A_LD * np.exp(x))
        if op == "tanh":  # 1 - tanh^2 = 1/cosh^2, without the cancellation
            return np.where(x > 0, dy / np.cosh(x) ** 2, LD(0))
    raise ValueError(op)


EXACT = [("relu", None), ("leaky", 0.01), ("leaky", 0.2), ("leaky", -1.5), ("leaky", 0.0),
         ("clipped", 6.0), ("clipped", 0.75), ("clipped", 1e30)]
TRANSCENDENTAL = [("elu", 1.0), ("elu", 0.3), ("elu", 2.5), ("elu", 0.0), ("selu", None),
                  ("tanh", None)]
OPS = EXACT + TRANSCENDENTAL


def ids(case):
    op, p = case
    return op if p is None else "%s-%g" % (op, p)


# ------------------------------------------------------------------ forward


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("case", EXACT, ids=ids)
def test_forward_exact_vs_torch(isa, case, dtype):
    op, p = case
    x = samples(dtype)
    pp = None if p is None else as_param(dtype, p)
    y = lib_forward(op, x, pp)
    want = torch_forward(op, t(x), pp).numpy()
    assert y.dtype == dtype and y.shape == x.shape
    np.testing.assert_array_equal(y, want)


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("case", TRANSCENDENTAL, ids=ids)
def test_forward_transcendental_vs_torch(isa, case, dtype):
    op, p = case
    x = samples(dtype)
    pp = None if p is None else as_param(dtype, p)
    y = lib_forward(op, x, pp)
    assert y.dtype == dtype
    # PyTorch in float64 on the same inputs is a reference accurate to ~1e-16
    # relative, except that torch 1.13 computes ELU/SELU as exp(x) - 1: allow
    # that subtraction's absolute error (a few eps64 times the coefficient).
    want64 = torch_forward(op, t(x.astype(np.float64)), pp).numpy()
    coeff = {"elu": pp, "selu": 1.76, "tanh": 0.0}[op]
    torch_err = 4 * coeff * 2.0 ** -52
    if dtype == np.float32:
        check_close(y, want64, 2, torch_err, what="%s f32 vs torch f64" % op)
    else:  # torch's own f64 error (<= ~2 ULP) adds to ours (<= 2 ULP)
        check_close(y, want64, 4, torch_err, what="%s f64 vs torch f64" % op)
    # The contract, exactly: within 2 ULP of the correctly rounded value.
    check_close(y, ld_forward(op, x, pp), 2, what="%s vs long double" % op)


# ----------------------------------------------------------------- backward


def torch_grad(op, x, dy, p):
    xt = t(x).clone().requires_grad_(True)
    torch_forward(op, xt, p).backward(t(dy))
    return xt.grad.numpy()


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("case", EXACT, ids=ids)
def test_backward_exact_vs_autograd(isa, case, dtype):
    op, p = case
    x = samples(dtype, seed=3)
    x = x[np.isfinite(x)]
    dy = grads(dtype, x.size)
    pp = None if p is None else as_param(dtype, p)
    dx = lib_backward(op, x, dy, pp)
    np.testing.assert_array_equal(dx, torch_grad(op, x, dy, pp))


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("case", TRANSCENDENTAL, ids=ids)
def test_backward_transcendental_vs_autograd(isa, case, dtype):
    op, p = case
    x = samples(dtype, seed=4)
    x = x[np.isfinite(x)]
    if op == "tanh":  # torch's clamp passes the gradient at tanh(x) == 0; the API says 0
        x = x[x != 0]
    dy = grads(dtype, x.size)
    pp = None if p is None else as_param(dtype, p)
    dx = lib_backward(op, x, dy, pp)
    m = np.finfo(dtype).smallest_subnormal
    sub = 2 * np.abs(dy.astype(LD)) * LD(m)  # the API's subnormal allowance
    # torch's f64 1 - tanh(x)^2 cancels: allow its absolute error too.
    torch_err = 4 * np.abs(dy.astype(LD)) * LD(2.0 ** -52) if op == "tanh" else 0
    want64 = torch_grad(op, x.astype(np.float64), dy.astype(np.float64), pp)
    check_close(dx, want64, 2 if dtype == np.float32 else 4, sub + torch_err,
                what="%s backward vs autograd f64" % op)
    check_close(dx, ld_backward(op, x, dy, pp), 2, sub, what="%s backward vs long double" % op)


# ------------------------------------------------------ backward from output


def from_output_reference(op, y, dy, p):
    """The API's from-output formulas, one rounding per operation in y's dtype."""
    dt = y.dtype.type
    zero = dt(0)
    with np.errstate(over="ignore", invalid="ignore"):
        if op == "relu":
            return np.where(y > 0, dy, zero)
        if op == "leaky":
            return np.where(y > 0, dy, dt(p) * dy)
        if op == "elu":
            return np.where(y > 0, dy, dy * (y + dt(p)))
        if op == "selu":
            return np.where(y > 0, L[dt] * dy, dy * (y + LA[dt]))
        if op == "clipped":
            return np.where((y > 0) & (y < dt(p)), dy, zero)
        if op == "tanh":
            return np.where(y > 0, dy * fma_neg_sq_plus_one(np.where(y > 0, y, zero)), zero)
    raise ValueError(op)


FROM_OUTPUT = [("relu", None), ("leaky", 0.01), ("leaky", 3.0), ("elu", 1.0), ("elu", 0.3),
               ("selu", None), ("clipped", 6.0), ("clipped", 0.75), ("tanh", None)]


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("case", FROM_OUTPUT, ids=ids)
def test_backward_from_output_exact(isa, case, dtype):
    op, p = case
    x = samples(dtype, n=1500, seed=5)
    pp = None if p is None else as_param(dtype, p)
    # Real forward outputs, plus arbitrary values: the formula holds for any y.
    y = np.concatenate([lib_forward(op, x, pp), samples(dtype, n=500, seed=6)])
    dy = grads(dtype, y.size)
    dx = lib_from_output(op, y, dy, pp)
    want = from_output_reference(op, y, dy, pp)
    finite = np.isfinite(y)
    np.testing.assert_array_equal(dx[finite], want[finite])
    assert np.isnan(lib_from_output(op, np.array([np.nan], dtype), np.ones(1, dtype), pp)).all()


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("case", [("elu", 1.0), ("selu", None), ("tanh", None)], ids=ids)
def test_backward_from_output_agrees_with_autograd(case, dtype):
    op, p = case
    x = np.linspace(-3, 3, 601).astype(dtype)
    x = x[x != 0]
    dy = grads(dtype, x.size)
    y = lib_forward(op, x, p)
    dx = lib_from_output(op, y, dy, p)
    want = torch_grad(op, x.astype(np.float64), dy.astype(np.float64), p)
    np.testing.assert_allclose(dx, want, rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-6)


# -------------------------------------------------------------------- PReLU

PRELU_CASES = [
    ("nchw", (4, 6, 5, 7), 1),
    ("nc", (33, 8), 1),
    ("channels_last", (3, 5, 7, 6), -1),
    ("axis0", (9, 4, 5), 0),
    ("single_alpha", (4, 6, 11), 1),
]


def prelu_data(dtype, shape, axis, single):
    rng = np.random.default_rng(7)
    x = (rng.standard_normal(shape) * 2).astype(dtype)
    x.flat[::13] = 0
    dy = rng.standard_normal(shape).astype(dtype)
    c = 1 if single else shape[axis]
    alpha = np.linspace(-0.5, 1.5, c).astype(dtype)
    alpha[c // 2] = 0.25
    return x, dy, alpha


def torch_prelu(x, alpha, axis, dy=None):
    """torch.nn.functional.prelu puts channels on dim 1: move ``axis`` there."""
    xt = t(x).clone().requires_grad_(dy is not None)
    w = t(alpha).clone().requires_grad_(dy is not None)
    y = F.prelu(torch.movedim(xt, axis, 1) if x.ndim > 1 else xt, w)
    y = torch.movedim(y, 1, axis) if x.ndim > 1 else y
    if dy is None:
        return y.detach().numpy()
    y.backward(t(dy))
    return xt.grad.numpy(), w.grad.numpy()


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name,shape,axis", PRELU_CASES, ids=[c[0] for c in PRELU_CASES])
def test_prelu_vs_torch(isa, name, shape, axis, dtype):
    x, dy, alpha = prelu_data(dtype, shape, axis, name == "single_alpha")
    y = relu.prelu_forward(x, alpha, axis=axis)
    np.testing.assert_array_equal(y, torch_prelu(x, alpha, axis))

    dx, dalpha = relu.prelu_backward(x, dy, alpha, axis=axis)
    want_dx, _ = torch_prelu(x, alpha, axis, dy)
    np.testing.assert_array_equal(dx, want_dx)
    assert dalpha.dtype == dtype and dalpha.shape == alpha.shape

    # Weight gradient: torch in float64 is the reference; the API's bound is
    # 1e-5*S (f32) / 1e-13*S (f64) plus half an ULP of the smallest normal,
    # S = sum |x*dy| over the channel's x <= 0.
    _, want_da = torch_prelu(x.astype(np.float64), alpha.astype(np.float64), axis,
                             dy.astype(np.float64))
    moved = np.moveaxis(x.astype(np.float64) * dy.astype(np.float64) * (x <= 0), axis, 0)
    s = np.abs(moved).reshape(moved.shape[0], -1).sum(axis=1)
    if alpha.size == 1:
        s = s.sum(keepdims=True)
    rel = 1e-5 if dtype == np.float32 else 1e-13
    bound = rel * s + np.finfo(dtype).smallest_normal / 2
    assert (np.abs(dalpha.astype(np.float64) - want_da) <= bound).all(), (dalpha, want_da)


# --------------------------------------------------------- NaN, ISA identity


FORWARD_ALL = [("relu", None), ("leaky", 0.1), ("elu", 1.0), ("selu", None),
               ("clipped", 6.0), ("tanh", None)]


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("case", FORWARD_ALL, ids=ids)
def test_nan_propagates_with_payload(isa, case, dtype):
    op, p = case
    if dtype == np.float32:
        nan = np.array([0x7FC01234, 0xFFC00055], np.uint32).view(np.float32)
    else:
        nan = np.array([0x7FF8000000001234, 0xFFF8000000000055], np.uint64).view(np.float64)
    x = np.concatenate([np.ones(5, dtype), nan, -np.ones(9, dtype)])
    y = lib_forward(op, x, p)
    assert np.isnan(y[5:7]).all()
    bits = np.uint32 if dtype == np.float32 else np.uint64
    assert (y[5:7].view(bits) == nan.view(bits)).all(), "NaN payload lost"
    dx = lib_backward(op, x, np.ones_like(x), p)
    assert np.isnan(dx[5:7]).all()


def all_results(dtype):
    x = samples(dtype, n=1000, seed=11)
    x[::101] = np.nan
    dy = grads(dtype, x.size)
    alpha = np.linspace(-1, 1, 7).astype(dtype)
    xp = np.resize(x, (3, 7, 50))
    dyp = np.resize(dy, (3, 7, 50))
    res = []
    for op, p in FORWARD_ALL:
        res.append(lib_forward(op, x, p))
        res.append(lib_backward(op, x, dy, p))
        res.append(lib_from_output(op, res[-2], dy, p))
    res.append(relu.prelu_forward(xp, alpha))
    res.extend(relu.prelu_backward(xp, dyp, alpha))
    return res


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
def test_bit_identical_across_isas(dtype):
    bits = np.uint32 if dtype == np.float32 else np.uint64
    previous = relu.active_isa()
    try:
        relu.use_isa("scalar")
        ref = all_results(dtype)
        for isa in relu.available_isas():
            relu.use_isa(isa)
            for i, (a, b) in enumerate(zip(all_results(dtype), ref)):
                assert np.array_equal(a.view(bits), b.view(bits)), (isa, i)
    finally:
        relu.use_isa(previous)


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
def test_threads_bit_identical(threads, dtype):
    x = samples(dtype, n=600000, seed=12)
    x = x[: x.size // 4 * 4]
    dy = grads(dtype, x.size)
    relu.set_num_threads(1)
    one = [relu.elu_forward(x), relu.tanh_backward(x, dy),
           relu.prelu_backward(x.reshape(-1, 4), dy.reshape(-1, 4), np.ones(4, dtype) / 3)[1]]
    relu.set_num_threads(4)
    assert relu.get_num_threads() == 4
    many = [relu.elu_forward(x), relu.tanh_backward(x, dy),
            relu.prelu_backward(x.reshape(-1, 4), dy.reshape(-1, 4), np.ones(4, dtype) / 3)[1]]
    for a, b in zip(one, many):
        np.testing.assert_array_equal(a, b)
