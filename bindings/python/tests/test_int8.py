"""int8: every op against a numpy implementation of the API's definition
(f in double precision, round half to even = np.rint), all 256 inputs."""

import numpy as np
import pytest

import relu
from helpers import f64_derivative, f64_forward, quantize, real

Q = relu.Quant
QUANTS = [
    (Q(0.05, 3), Q(0.05, 3)),
    (Q(0.1, -20), Q(0.02, 5)),
    (Q(1.0, 0), Q(0.5, -128)),
    (Q(0.003, 127), Q(0.01, 0)),
    (Q(0.25, -128), Q(0.0625, 127)),
]
OPS = [("relu", None), ("leaky", 0.1), ("leaky", -0.75), ("elu", 1.0), ("elu", 0.5),
       ("selu", None), ("clipped", 6.0), ("clipped", 0.5), ("tanh", None)]
ALL = np.arange(-128, 128, dtype=np.int8)


def ids(case):
    op, p = case
    return op if p is None else "%s-%g" % (op, p)


def p32(p):
    """The op parameter as the C function receives it (a float)."""
    return None if p is None else float(np.float32(p))


def lib_forward(op, x, p, **kw):
    fn = {"relu": relu.forward, "leaky": relu.leaky_forward, "elu": relu.elu_forward,
          "selu": relu.selu_forward, "clipped": relu.clipped_forward,
          "tanh": relu.tanh_forward}[op]
    return fn(x, **kw) if p is None else fn(x, p, **kw)


def lib_backward(op, x, dy, p, **kw):
    fn = {"relu": relu.backward, "leaky": relu.leaky_backward, "elu": relu.elu_backward,
          "selu": relu.selu_backward, "clipped": relu.clipped_backward,
          "tanh": relu.tanh_backward}[op]
    return fn(x, dy, **kw) if p is None else fn(x, dy, p, **kw)


@pytest.mark.parametrize("qi", range(len(QUANTS)))
@pytest.mark.parametrize("case", OPS, ids=ids)
def test_forward_all_inputs(isa, case, qi):
    op, p = case
    xq, yq = QUANTS[qi]
    y = lib_forward(op, ALL, p, xq=xq, yq=yq)
    assert y.dtype == np.int8 and y.shape == ALL.shape
    exact, alt = quantize(f64_forward(op, real(ALL, xq), p32(p)), yq, tie_tolerance=1e-12)
    got = y.astype(np.int64)
    bad = (got != exact) & (got != alt)
    assert not bad.any(), "x=%s got %s want %s" % (ALL[bad][:5], got[bad][:5], exact[bad][:5])


@pytest.mark.parametrize("qi", range(len(QUANTS)))
@pytest.mark.parametrize("case", OPS, ids=ids)
def test_backward_within_one_lsb(isa, case, qi):
    op, p = case
    xq, dxq = QUANTS[qi]
    dyq = Q(0.03, -7)
    rng = np.random.default_rng(qi)
    x = np.concatenate([ALL, ALL])
    dy = np.concatenate([rng.permutation(ALL), ALL])
    dx = lib_backward(op, x, dy, p, xq=xq, dyq=dyq, dxq=dxq)
    assert dx.dtype == np.int8
    v = real(dy, dyq) * f64_derivative(op, real(x, xq), p32(p))
    exact, _ = quantize(v, dxq)
    err = np.abs(dx.astype(np.int64) - exact)
    assert err.max() <= 1, (x[err > 1][:5], dy[err > 1][:5], dx[err > 1][:5], exact[err > 1][:5])


def test_readme_example():
    x = np.array([-100, -3, 0, 3, 50, 127], dtype=np.int8)
    y = relu.forward(x, xq=relu.Quant(0.05, 3), yq=relu.Quant(0.05, 3))
    np.testing.assert_array_equal(y, [3, 3, 3, 3, 50, 127])
    # yq defaults to xq, dxq to dyq
    np.testing.assert_array_equal(relu.forward(x, xq=relu.Quant(0.05, 3)), y)
    a = relu.backward(x, x, xq=Q(0.05, 3), dyq=Q(0.1, 0))
    np.testing.assert_array_equal(a, relu.backward(x, x, xq=Q(0.05, 3), dyq=Q(0.1, 0),
                                                   dxq=Q(0.1, 0)))


@pytest.mark.parametrize("axis,shape", [(1, (2, 4, 32)), (-1, (16, 4, 4)), (0, (4, 64))])
def test_prelu_forward_backward(isa, axis, shape):
    xq, yq, dyq = Q(0.04, -5), Q(0.03, 10), Q(0.02, 1)
    rng = np.random.default_rng(3)
    x = rng.permutation(ALL).reshape(shape)
    dy = rng.permutation(ALL).reshape(shape)
    alpha = np.array([0.25, -0.5, 1.5, 0.0], np.float32)
    c = np.indices(shape)[axis]  # channel index of every element
    a = alpha[c].astype(np.float64)

    y = relu.prelu_forward(x, alpha, axis=axis, xq=xq, yq=yq)
    exact, alt = quantize(f64_forward("prelu", real(x, xq), a), yq, tie_tolerance=1e-12)
    got = y.astype(np.int64)
    assert ((got == exact) | (got == alt)).all()

    dx, dalpha = relu.prelu_backward(x, dy, alpha, axis=axis, xq=xq, dyq=dyq, dxq=yq)
    exact, _ = quantize(real(dy, dyq) * f64_derivative("prelu", real(x, xq), a), yq)
    assert np.abs(dx.astype(np.int64) - exact).max() <= 1
    assert dalpha.dtype == np.float32 and dalpha.shape == (4,)
    xr, dyr = real(x, xq), real(dy, dyq)
    for ch in range(4):
        sel = (c == ch) & (xr <= 0)
        want = (xr[sel] * dyr[sel]).sum()
        s = np.abs(xr[sel] * dyr[sel]).sum()
        assert abs(float(dalpha[ch]) - want) <= 1e-5 * s + np.finfo(np.float32).smallest_normal / 2


def test_in_place_int8(isa):
    xq = Q(0.1, 2)
    x = ALL.copy()
    want = relu.elu_forward(x, 0.7, xq=xq, yq=Q(0.05, -1))
    got = relu.elu_forward(x, 0.7, out=x, xq=xq, yq=Q(0.05, -1))
    assert got is x
    np.testing.assert_array_equal(x, want)
    x = ALL.copy()
    dy = ALL[::-1].copy()
    want = relu.tanh_backward(x, dy, xq=xq, dyq=Q(0.02, 0))
    relu.tanh_backward(x, dy, out=dy, xq=xq, dyq=Q(0.02, 0))
    np.testing.assert_array_equal(dy, want)


def test_int8_errors():
    x = ALL.copy()
    with pytest.raises(TypeError, match="xq"):
        relu.forward(x)
    with pytest.raises(TypeError, match="dyq"):
        relu.backward(x, x, xq=Q(0.1, 0))
    with pytest.raises(TypeError):
        relu.forward(x, xq=(0.1,))
    with pytest.raises(TypeError):
        relu.forward(x, xq=Q(0.1, 0.5))  # zero_point must be an integer
    for bad in (Q(0.0, 0), Q(-1.0, 0), Q(float("nan"), 0), Q(float("inf"), 0), Q(1.0, 128),
                Q(1.0, -129), Q(1.0, 2 ** 40)):
        with pytest.raises(relu.ParamError):
            relu.forward(x, xq=bad, yq=Q(1.0, 0))
        with pytest.raises(ValueError):  # checked even with nothing to do
            relu.forward(x[:0], xq=Q(1.0, 0), yq=bad)
    with pytest.raises(relu.ParamError):
        relu.clipped_forward(x, cap=0.0, xq=Q(1.0, 0))
    with pytest.raises(relu.ParamError):
        relu.elu_forward(x, alpha=-1.0, xq=Q(1.0, 0))
    with pytest.raises(TypeError, match="int8"):
        relu.backward_from_output(x, x)
    with pytest.raises(TypeError):
        relu.prelu_forward(x.reshape(2, 128), np.ones(128, np.float64), xq=Q(1.0, 0))
    # A tuple works as well as a Quant.
    np.testing.assert_array_equal(relu.forward(x, xq=(0.05, 3)),
                                  relu.forward(x, xq=Q(0.05, 3)))
