"""librelu for Python: ReLU-family activations over numpy arrays.

A pure-Python ``ctypes`` binding of the C library librelu (``librelu.so.1``).
The library is found on first use (or by an explicit ``relu.load(path)``):
``$RELU_LIBRARY`` (a file, or a directory holding ``librelu.so.1``) when set,
otherwise the installed ``librelu.so.1`` via the dynamic loader, then
``ctypes.util.find_library('relu')``. Failure is an ``OSError`` listing what
was tried.

Every function takes numpy arrays (or anything ``numpy.asarray`` accepts) and
picks the C function from the dtype: ``float32``, ``float64`` or ``int8``;
any other dtype is a ``TypeError`` (nothing is cast silently). int8 arrays
need quantization parameters, ``relu.Quant(scale, zero_point)`` (real value =
scale * (q - zero_point)): ``xq``/``yq`` for forward, ``xq``/``dyq``/``dxq``
for backward; an omitted ``yq`` defaults to ``xq`` and an omitted ``dxq`` to
``dyq``. Quantization arguments on float arrays are a ``TypeError``.

Arrays and memory:

* Results go to a new array of the input's shape, or to ``out=`` (an ndarray
  of the same dtype and shape; otherwise ``TypeError`` / ``ValueError``).
  ``out=x`` (or ``out=dy`` for a backward) computes in place.
* Inputs that are not C-contiguous or not in native byte order are first
  copied into a contiguous temporary; a non-contiguous ``out`` receives the
  result through a contiguous temporary. Results are the same either way.
* Contiguous buffers that partially overlap an output are rejected by the
  library: ``relu.OverlapError`` (a ``ValueError``).

Errors from the library are ``relu.Error`` subclasses carrying ``.status``
and the library's ``relu_status_string`` text: RELU_ERR_PARAM ->
``ParamError``, RELU_ERR_NULL -> ``NullError``, RELU_ERR_SIZE ->
``SizeError``, RELU_ERR_OVERLAP -> ``OverlapError`` (all ``ValueError``),
RELU_ERR_UNSUPPORTED -> ``UnsupportedError`` (a ``RuntimeError``).

The GIL is released during every library call (ctypes does it); the library
itself is thread-safe.
"""

import collections
import math
import numbers
import operator

import numpy as np

from . import _lib

__all__ = [
    "Quant", "Error", "ParamError", "NullError", "SizeError", "OverlapError",
    "UnsupportedError", "load", "library_path", "version", "status_string",
    "active_isa", "use_isa", "isa_available", "available_isas",
    "set_num_threads", "get_num_threads",
    "forward", "leaky_forward", "prelu_forward", "elu_forward", "selu_forward",
    "clipped_forward", "tanh_forward",
    "backward", "leaky_backward", "prelu_backward", "elu_backward", "selu_backward",
    "clipped_backward", "tanh_backward",
    "backward_from_output", "leaky_backward_from_output", "elu_backward_from_output",
    "selu_backward_from_output", "clipped_backward_from_output",
    "tanh_backward_from_output",
]

# ---------------------------------------------------------------- library


def load(path=None):
    """Load librelu, from ``path`` when given (replacing any library loaded
    before), else by the default search (see the module docstring). Returns
    the path or name that was loaded. Raises ``OSError`` naming every attempt.
    """
    _lib.load(path)
    return _lib.loaded_path()


def library_path():
    """The path or name librelu was loaded from (loading it if needed)."""
    _lib.get()
    return _lib.loaded_path()


def version():
    """The loaded library's version string, e.g. ``"1.0.0"``."""
    return _lib.get().relu_version_string().decode("ascii")


def __getattr__(name):  # PEP 562: relu.__version__ is the loaded library's version
    if name == "__version__":
        return version()
    raise AttributeError("module 'relu' has no attribute %r" % name)


# ----------------------------------------------------------------- errors

_STATUS_NAMES = {
    0: "RELU_OK", 1: "RELU_ERR_NULL", 2: "RELU_ERR_PARAM", 3: "RELU_ERR_OVERLAP",
    4: "RELU_ERR_SIZE", 5: "RELU_ERR_UNSUPPORTED",
}


def status_string(status):
    """The library's description of a ``relu_status`` value."""
    return _lib.get().relu_status_string(int(status)).decode("ascii", "replace")


class Error(Exception):
    """A librelu status other than RELU_OK. ``status`` is the C value,
    ``status_name`` its enumerator name, ``function`` the C function."""

    def __init__(self, status, function):
        self.status = int(status)
        self.status_name = _STATUS_NAMES.get(self.status, "relu_status %d" % self.status)
        self.function = function
        super().__init__("%s: %s (%s)" % (function, status_string(status), self.status_name))


class NullError(Error, ValueError):
    """RELU_ERR_NULL."""


class ParamError(Error, ValueError):
    """RELU_ERR_PARAM: a scalar parameter or a Quant is out of its domain."""


class OverlapError(Error, ValueError):
    """RELU_ERR_OVERLAP: an output partially overlaps another buffer."""


class SizeError(Error, ValueError):
    """RELU_ERR_SIZE: an element count overflows size_t."""


class UnsupportedError(Error, RuntimeError):
    """RELU_ERR_UNSUPPORTED: the ISA cannot run on this CPU / build."""


_ERRORS = {1: NullError, 2: ParamError, 3: OverlapError, 4: SizeError, 5: UnsupportedError}


def _check(status, function):
    if status != 0:
        raise _ERRORS.get(status, Error)(status, function)


# ------------------------------------------------------------ parameters


class Quant(collections.namedtuple("Quant", "scale zero_point")):
    """int8 quantization: real value = scale * (q - zero_point).

    ``scale`` finite and > 0 (passed to C as a float), ``zero_point`` an
    integer in [-128, 127]; out-of-domain values raise ``ParamError``.
    """

    __slots__ = ()


_KINDS = {np.dtype(np.float32): "f32", np.dtype(np.float64): "f64", np.dtype(np.int8): "s8"}
_INT32_MAX = 2 ** 31 - 1


def _real(v, name):
    if isinstance(v, np.ndarray) and v.ndim == 0:
        v = v[()]
    if isinstance(v, numbers.Real):
        return float(v)
    raise TypeError("%s must be a real number, not %s" % (name, type(v).__name__))


def _quant(q, name, function):
    if q is None:
        raise TypeError("int8 arrays need %s=relu.Quant(scale, zero_point)" % name)
    try:
        scale, zp = q
    except (TypeError, ValueError):
        raise TypeError("%s must be a relu.Quant(scale, zero_point), not %r" % (name, q)) from None
    scale = _real(scale, name + ".scale")
    try:
        zp = operator.index(zp)
    except TypeError:
        raise TypeError("%s.zero_point must be an integer, not %s"
                        % (name, type(zp).__name__)) from None
    if not -_INT32_MAX - 1 <= zp <= _INT32_MAX:  # would wrap in the C int32_t
        raise ParamError(2, function)
    return _lib.Quant_t(scale, zp)


def _no_quant(**quants):
    for name, q in quants.items():
        if q is not None:
            raise TypeError("%s only applies to int8 arrays" % name)


# ----------------------------------------------------------------- arrays


def _input(a, name):
    """(array, kind) with kind in f32/f64/s8; TypeError for other dtypes."""
    arr = a if isinstance(a, np.ndarray) else np.asarray(a)
    kind = _KINDS.get(arr.dtype.newbyteorder("="))
    if kind is None:
        raise TypeError("%s: librelu takes float32, float64 or int8 arrays, not %s"
                        % (name, arr.dtype))
    return arr, kind


def _contig(arr):
    """C-contiguous, native byte order; no copy when it already is."""
    if arr.flags.c_contiguous and arr.dtype.isnative:
        return arr
    return np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("="))


def _output(out, shape, dtype, name="out"):
    """(buffer to write, array to copy it into afterwards or None)."""
    if out is None:
        return np.empty(shape, dtype), None
    if not isinstance(out, np.ndarray):
        raise TypeError("%s must be a numpy.ndarray, not %s" % (name, type(out).__name__))
    if out.dtype.newbyteorder("=") != dtype:
        raise TypeError("%s has dtype %s, expected %s" % (name, out.dtype, dtype))
    if out.shape != shape:
        raise ValueError("%s has shape %s, expected %s" % (name, out.shape, shape))
    if not out.flags.writeable:
        raise ValueError("%s is read-only" % name)
    if out.flags.c_contiguous and out.dtype.isnative:
        return out, None
    return np.empty(shape, dtype), out


def _ptr(arr):
    return arr.ctypes.data


def _finish(dst, writeback):
    if writeback is None:
        return dst
    writeback[...] = dst
    return writeback


def _pair(x, dy, xname, dyname):
    x, kind = _input(x, xname)
    dy, kind2 = _input(dy, dyname)
    if x.dtype.newbyteorder("=") != dy.dtype.newbyteorder("="):
        raise TypeError("%s (%s) and %s (%s) must have the same dtype"
                        % (xname, x.dtype, dyname, dy.dtype))
    if x.shape != dy.shape:
        raise ValueError("%s %s and %s %s must have the same shape"
                         % (xname, x.shape, dyname, dy.shape))
    return x, dy, kind


# ------------------------------------------------------------ generic ops


def _forward(op, x, params, out, xq, yq):
    lib = _lib.get()
    x, kind = _input(x, "x")
    xc = _contig(x)
    dst, wb = _output(out, x.shape, xc.dtype)
    fname = _lib.c_name(op, "forward", kind)
    if kind == "s8":
        quants = (_quant(xq, "xq", fname), _quant(xq if yq is None else yq, "yq", fname))
    else:
        _no_quant(xq=xq, yq=yq)
        quants = ()
    args = [_real(p, n) for n, p in params]
    _check(getattr(lib, fname)(_ptr(xc), _ptr(dst), xc.size, *args, *quants), fname)
    return _finish(dst, wb)


def _backward(op, direction, x, dy, params, out, xq, dyq, dxq):
    lib = _lib.get()
    xname = "y" if direction == "backward_from_output" else "x"
    x, dy, kind = _pair(x, dy, xname, "dy")
    xc, dyc = _contig(x), _contig(dy)
    dst, wb = _output(out, x.shape, xc.dtype)
    fname = _lib.c_name(op, direction, kind)
    if kind == "s8":
        if direction != "backward":
            raise TypeError("%s has no int8 version" % direction)
        quants = (_quant(xq, "xq", fname), _quant(dyq, "dyq", fname),
                  _quant(dyq if dxq is None else dxq, "dxq", fname))
    else:
        _no_quant(xq=xq, dyq=dyq, dxq=dxq)
        quants = ()
    args = [_real(p, n) for n, p in params]
    _check(getattr(lib, fname)(_ptr(xc), _ptr(dyc), _ptr(dst), xc.size, *args, *quants), fname)
    return _finish(dst, wb)


def _prelu_alpha(alpha, kind, x_dtype):
    want = np.dtype(np.float32) if kind == "s8" else x_dtype
    if isinstance(alpha, (np.ndarray, np.generic)):
        a = np.asarray(alpha)
        if a.dtype.newbyteorder("=") != want:
            raise TypeError("alpha has dtype %s, expected %s (for %s input)"
                            % (a.dtype, want, x_dtype))
    else:
        try:
            a = np.asarray(alpha, dtype=want)
        except (TypeError, ValueError):
            raise TypeError("alpha must be a sequence of real numbers") from None
    return a


def _prelu_layout(shape, alpha, axis):
    """(outer, channels, inner) of [outer][channels][inner]."""
    size = math.prod(shape)
    if alpha.size == 1:  # one slope for every element, as torch's num_parameters=1
        return 1, 1, size
    try:
        axis = operator.index(axis)
    except TypeError:
        raise TypeError("axis must be an integer") from None
    ndim = len(shape)
    if not -ndim <= axis < ndim:
        raise ValueError("axis %d is out of range for an array of %d dimension(s)" % (axis, ndim))
    axis %= ndim
    channels = shape[axis]
    if alpha.ndim != 1 or alpha.size != channels:
        raise ValueError("alpha must be one value per channel: shape (%d,) or (1,), not %s"
                         % (channels, alpha.shape))
    return math.prod(shape[:axis]), channels, math.prod(shape[axis + 1:])


# ------------------------------------------------------------------ forward


def forward(x, out=None, *, xq=None, yq=None):
    """ReLU: ``max(0, x)``."""
    return _forward("relu", x, (), out, xq, yq)


def leaky_forward(x, alpha=0.01, out=None, *, xq=None, yq=None):
    """Leaky ReLU: ``x > 0 ? x : alpha*x`` (``alpha`` finite)."""
    return _forward("leaky", x, (("alpha", alpha),), out, xq, yq)


def prelu_forward(x, alpha, axis=1, out=None, *, xq=None, yq=None):
    """PReLU: ``x > 0 ? x : alpha[c]*x`` where ``c`` is the index along ``axis``.

    ``alpha`` has one slope per channel (``x.shape[axis]`` values; the x dtype,
    float32 for int8 x) or a single slope for every element. ``axis=1`` is
    NCHW (torch's layout); ``axis=-1`` is channels-last.
    """
    lib = _lib.get()
    x, kind = _input(x, "x")
    xc = _contig(x)
    a = _contig(_prelu_alpha(alpha, kind, xc.dtype))
    outer, channels, inner = _prelu_layout(x.shape, a, axis)
    dst, wb = _output(out, x.shape, xc.dtype)
    fname = _lib.c_name("prelu", "forward", kind)
    if kind == "s8":
        quants = (_quant(xq, "xq", fname), _quant(xq if yq is None else yq, "yq", fname))
    else:
        _no_quant(xq=xq, yq=yq)
        quants = ()
    _check(getattr(lib, fname)(_ptr(xc), _ptr(dst), _ptr(a), outer, channels, inner, *quants),
           fname)
    return _finish(dst, wb)


def elu_forward(x, alpha=1.0, out=None, *, xq=None, yq=None):
    """ELU: ``x > 0 ? x : alpha*expm1(x)`` (``alpha`` finite, >= 0)."""
    return _forward("elu", x, (("alpha", alpha),), out, xq, yq)


def selu_forward(x, out=None, *, xq=None, yq=None):
    """SELU: ``L*(x > 0 ? x : A*expm1(x))``."""
    return _forward("selu", x, (), out, xq, yq)


def clipped_forward(x, cap=6.0, out=None, *, xq=None, yq=None):
    """Clipped ReLU: ``min(max(x, 0), cap)`` (``cap`` finite, > 0; 6 is ReLU6)."""
    return _forward("clipped", x, (("cap", cap),), out, xq, yq)


def tanh_forward(x, out=None, *, xq=None, yq=None):
    """Rectified tanh: ``max(0, tanh(x))``."""
    return _forward("tanh", x, (), out, xq, yq)


# ----------------------------------------------------------------- backward


def backward(x, dy, out=None, *, xq=None, dyq=None, dxq=None):
    """ReLU gradient: ``x > 0 ? dy : 0``."""
    return _backward("relu", "backward", x, dy, (), out, xq, dyq, dxq)


def leaky_backward(x, dy, alpha=0.01, out=None, *, xq=None, dyq=None, dxq=None):
    """Leaky ReLU gradient: ``x > 0 ? dy : alpha*dy``."""
    return _backward("leaky", "backward", x, dy, (("alpha", alpha),), out, xq, dyq, dxq)


def prelu_backward(x, dy, alpha, axis=1, out=None, *, xq=None, dyq=None, dxq=None):
    """PReLU gradients. Returns ``(dx, dalpha)``: ``dx = x > 0 ? dy : alpha[c]*dy``
    and ``dalpha[c]`` = sum over channel ``c``'s elements with ``x <= 0`` of
    ``x*dy`` (shape and dtype of ``alpha``; float32 for int8 x).
    """
    lib = _lib.get()
    x, dy, kind = _pair(x, dy, "x", "dy")
    xc, dyc = _contig(x), _contig(dy)
    a = _contig(_prelu_alpha(alpha, kind, xc.dtype))
    outer, channels, inner = _prelu_layout(x.shape, a, axis)
    dst, wb = _output(out, x.shape, xc.dtype)
    dalpha = np.empty(a.shape, a.dtype)
    fname = _lib.c_name("prelu", "backward", kind)
    if kind == "s8":
        quants = (_quant(xq, "xq", fname), _quant(dyq, "dyq", fname),
                  _quant(dyq if dxq is None else dxq, "dxq", fname))
    else:
        _no_quant(xq=xq, dyq=dyq, dxq=dxq)
        quants = ()
    _check(getattr(lib, fname)(_ptr(xc), _ptr(dyc), _ptr(a), _ptr(dst), _ptr(dalpha),
                               outer, channels, inner, *quants), fname)
    return _finish(dst, wb), dalpha


def elu_backward(x, dy, alpha=1.0, out=None, *, xq=None, dyq=None, dxq=None):
    """ELU gradient: ``x > 0 ? dy : dy*alpha*exp(x)``."""
    return _backward("elu", "backward", x, dy, (("alpha", alpha),), out, xq, dyq, dxq)


def selu_backward(x, dy, out=None, *, xq=None, dyq=None, dxq=None):
    """SELU gradient: ``x > 0 ? L*dy : dy*L*A*exp(x)``."""
    return _backward("selu", "backward", x, dy, (), out, xq, dyq, dxq)


def clipped_backward(x, dy, cap=6.0, out=None, *, xq=None, dyq=None, dxq=None):
    """Clipped ReLU gradient: ``0 < x < cap ? dy : 0``."""
    return _backward("clipped", "backward", x, dy, (("cap", cap),), out, xq, dyq, dxq)


def tanh_backward(x, dy, out=None, *, xq=None, dyq=None, dxq=None):
    """Rectified tanh gradient: ``x > 0 ? dy*(1 - tanh(x)^2) : 0``."""
    return _backward("tanh", "backward", x, dy, (), out, xq, dyq, dxq)


# ------------------------------------------------ backward from the output
# float32 / float64 only; no PReLU (use prelu_backward).


def backward_from_output(y, dy, out=None):
    """ReLU gradient from the forward output: ``y > 0 ? dy : 0``."""
    return _backward("relu", "backward_from_output", y, dy, (), out, None, None, None)


def leaky_backward_from_output(y, dy, alpha=0.01, out=None):
    """``y > 0 ? dy : alpha*dy``; needs ``alpha > 0``."""
    return _backward("leaky", "backward_from_output", y, dy, (("alpha", alpha),), out,
                     None, None, None)


def elu_backward_from_output(y, dy, alpha=1.0, out=None):
    """``y > 0 ? dy : dy*(y + alpha)``."""
    return _backward("elu", "backward_from_output", y, dy, (("alpha", alpha),), out,
                     None, None, None)


def selu_backward_from_output(y, dy, out=None):
    """``y > 0 ? L*dy : dy*(y + L*A)``."""
    return _backward("selu", "backward_from_output", y, dy, (), out, None, None, None)


def clipped_backward_from_output(y, dy, cap=6.0, out=None):
    """``0 < y < cap ? dy : 0``."""
    return _backward("clipped", "backward_from_output", y, dy, (("cap", cap),), out,
                     None, None, None)


def tanh_backward_from_output(y, dy, out=None):
    """``y > 0 ? dy*fma(-y, y, 1) : 0``."""
    return _backward("tanh", "backward_from_output", y, dy, (), out, None, None, None)


# --------------------------------------------------------- ISA and threads


def _isa_table():
    lib = _lib.get()
    table = {}
    for value in range(16):
        name = lib.relu_isa_name(value).decode("ascii")
        if name != "unknown":
            table[name] = value
    return table


def _isa_value(isa):
    if isinstance(isa, str):
        table = _isa_table()
        try:
            return table[isa.lower()]
        except KeyError:
            raise ValueError("unknown ISA %r; librelu knows %s"
                             % (isa, ", ".join(sorted(table, key=table.get)))) from None
    try:
        return operator.index(isa)
    except TypeError:
        raise TypeError("an ISA is a name such as 'avx2', not %s" % type(isa).__name__) from None


def active_isa():
    """The name of the kernel tier in use: "scalar", "avx2", "avx512" or "neon"."""
    lib = _lib.get()
    return lib.relu_isa_name(lib.relu_active_isa()).decode("ascii")


def isa_available(isa):
    """Whether this CPU and build can run ``isa`` (a name, any case).
    An unknown name is a ``ValueError``."""
    value = _isa_value(isa)
    if not -_INT32_MAX - 1 <= value <= _INT32_MAX:
        return False
    return bool(_lib.get().relu_isa_available(value))


def available_isas():
    """Names of every tier this CPU and build can run, scalar first."""
    table = _isa_table()
    lib = _lib.get()
    return [n for n, v in sorted(table.items(), key=lambda kv: kv[1])
            if lib.relu_isa_available(v)]


def use_isa(isa):
    """Switch every kernel to ``isa``. ``UnsupportedError`` (a RuntimeError)
    if this CPU or build cannot run it; ``ValueError`` for an unknown one."""
    value = _isa_value(isa)
    if not -_INT32_MAX - 1 <= value <= _INT32_MAX:
        raise ParamError(2, "relu_use_isa")
    _check(_lib.get().relu_use_isa(value), "relu_use_isa")


def set_num_threads(n):
    """Threads used for large calls: 1..1024 (``ParamError`` otherwise)."""
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError("the thread count must be an integer, not %s" % type(n).__name__) from None
    if not -_INT32_MAX - 1 <= n <= _INT32_MAX:
        raise ParamError(2, "relu_set_num_threads")
    _check(_lib.get().relu_set_num_threads(n), "relu_set_num_threads")


def get_num_threads():
    """The thread count set by ``set_num_threads`` (or $RELU_NUM_THREADS)."""
    return _lib.get().relu_get_num_threads()
