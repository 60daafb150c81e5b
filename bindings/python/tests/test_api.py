"""The Python API itself: loading, version, header agreement, arrays (in
place, non-contiguous, byte order, empty), errors, ISA and thread controls."""

import ctypes
import ctypes.util
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import relu
from relu import _lib
from helpers import FLOATS, header_path

Q = relu.Quant
DT = pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)

# name -> call(x, dy, out) for every float function, with non-default parameters.
FUNCS = {
    "forward": lambda x, dy, **k: relu.forward(x, **k),
    "leaky_forward": lambda x, dy, **k: relu.leaky_forward(x, 0.2, **k),
    "prelu_forward": lambda x, dy, **k: relu.prelu_forward(
        x, np.linspace(-1, 1, x.shape[1]).astype(x.dtype), 1, **k),
    "elu_forward": lambda x, dy, **k: relu.elu_forward(x, 0.7, **k),
    "selu_forward": lambda x, dy, **k: relu.selu_forward(x, **k),
    "clipped_forward": lambda x, dy, **k: relu.clipped_forward(x, 1.5, **k),
    "tanh_forward": lambda x, dy, **k: relu.tanh_forward(x, **k),
    "backward": lambda x, dy, **k: relu.backward(x, dy, **k),
    "leaky_backward": lambda x, dy, **k: relu.leaky_backward(x, dy, 0.2, **k),
    "prelu_backward": lambda x, dy, **k: relu.prelu_backward(
        x, dy, np.linspace(-1, 1, x.shape[1]).astype(x.dtype), 1, **k)[0],
    "elu_backward": lambda x, dy, **k: relu.elu_backward(x, dy, 0.7, **k),
    "selu_backward": lambda x, dy, **k: relu.selu_backward(x, dy, **k),
    "clipped_backward": lambda x, dy, **k: relu.clipped_backward(x, dy, 1.5, **k),
    "tanh_backward": lambda x, dy, **k: relu.tanh_backward(x, dy, **k),
    "backward_from_output": lambda y, dy, **k: relu.backward_from_output(y, dy, **k),
    "leaky_backward_from_output": lambda y, dy, **k: relu.leaky_backward_from_output(
        y, dy, 0.2, **k),
    "elu_backward_from_output": lambda y, dy, **k: relu.elu_backward_from_output(
        y, dy, 0.7, **k),
    "selu_backward_from_output": lambda y, dy, **k: relu.selu_backward_from_output(y, dy, **k),
    "clipped_backward_from_output": lambda y, dy, **k: relu.clipped_backward_from_output(
        y, dy, 1.5, **k),
    "tanh_backward_from_output": lambda y, dy, **k: relu.tanh_backward_from_output(y, dy, **k),
}
FORWARDS = [n for n in FUNCS if n.endswith("forward")]


def data(dtype, shape=(6, 5, 7), seed=0):
    rng = np.random.default_rng(seed)
    return ((rng.standard_normal(shape) * 2).astype(dtype),
            rng.standard_normal(shape).astype(dtype))


# ------------------------------------------------------------ library, version


def test_version():
    assert relu.__version__ == relu.version()
    assert re.fullmatch(r"1\.\d+\.\d+", relu.__version__)
    with pytest.raises(AttributeError):
        relu.no_such_attribute


def test_every_public_name_exists():
    for name in relu.__all__:
        assert hasattr(relu, name), name
    for name in FUNCS:
        assert name in relu.__all__


def _header_prototypes():
    path = header_path()
    if not os.path.exists(path):
        pytest.skip("relu.h not found at %s (set RELU_HEADER)" % path)
    text = open(path).read()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    protos = {}
    for m in re.finditer(r"RELU_API\s+([^;()]*?)\b(relu_\w+)\s*\(([^)]*)\)\s*;", text):
        ret, name, params = m.group(1), m.group(2), m.group(3)
        params = [] if params.strip() in ("", "void") else [p.strip() for p in params.split(",")]
        protos[name] = (ret.strip(), params)
    assert len(protos) > 50
    return protos


def _c_to_ctypes(decl):
    """A C parameter or return type (name included or not) -> the ctypes type."""
    d = " ".join(decl.replace("*", " * ").split())
    if "relu_quant *" in d:
        return _lib.Quant_t
    if d.startswith("const char *"):
        return ctypes.c_char_p
    if "*" in d:
        return ctypes.c_void_p
    base = d.split()[0]
    return {"size_t": ctypes.c_size_t, "float": ctypes.c_float, "double": ctypes.c_double,
            "int": ctypes.c_int, "relu_status": ctypes.c_int, "relu_isa": ctypes.c_int}[base]


def test_bindings_match_header():
    protos = _header_prototypes()
    assert set(protos) == set(_lib.SIGNATURES), (
        "only in relu.h: %s; only in the bindings: %s"
        % (sorted(set(protos) - set(_lib.SIGNATURES)), sorted(set(_lib.SIGNATURES) - set(protos))))
    for name, (ret, params) in protos.items():
        restype, argtypes = _lib.SIGNATURES[name]
        assert _c_to_ctypes(ret) is restype, name
        assert len(params) == len(argtypes), name
        for p, a in zip(params, argtypes):
            want = _c_to_ctypes(p)
            if want is _lib.Quant_t:
                assert a is ctypes.POINTER(_lib.Quant_t), (name, p)
            else:
                assert a is want, (name, p, a)


def test_header_enums_match():
    text = open(header_path()).read() if os.path.exists(header_path()) else pytest.skip()
    for name, value in re.findall(r"\b(RELU_(?:OK|ERR_\w+))\s*=\s*(\d+)", text):
        assert relu._STATUS_NAMES[int(value)] == name
        if value != "0":
            assert relu._ERRORS[int(value)].__name__  # every status has an exception
    isas = dict((n.lower(), int(v)) for n, v in re.findall(r"RELU_ISA_(\w+)\s*=\s*(\d+)", text))
    assert relu._isa_table() == isas
    assert ctypes.sizeof(_lib.Quant_t) == 8


def run_python(code, **env):
    e = dict(os.environ)
    e.pop("RELU_LIBRARY", None)
    e.update(env)
    return subprocess.run([sys.executable, "-c", code], env=e, capture_output=True, text=True)


def loaded_file():
    """The file the dynamic loader mapped for librelu in this process."""
    relu.version()
    with open("/proc/self/maps") as f:
        for line in f:
            if "librelu.so" in line:
                return line.split()[-1]
    pytest.skip("cannot see the loaded librelu in /proc/self/maps")


def test_load_explicit_path_and_directory():
    real = loaded_file()
    code = "import relu; print(relu.load(%r)); print(relu.forward([-1.0, 2.0]).tolist())"
    for target in (real, os.path.dirname(real)):
        r = run_python(code % target, LD_LIBRARY_PATH="")
        assert r.returncode == 0, r.stderr
        assert "[0.0, 2.0]" in r.stdout
    r = run_python("import relu; print(relu.library_path())", RELU_LIBRARY=os.path.dirname(real),
                   LD_LIBRARY_PATH="")
    assert r.returncode == 0 and os.path.dirname(real) in r.stdout, r.stderr


def test_load_failure_names_what_was_tried():
    r = run_python("import relu; relu.forward([1.0])", RELU_LIBRARY="/nonexistent/librelu.so.1")
    assert r.returncode != 0
    assert "OSError" in r.stderr and "/nonexistent/librelu.so.1" in r.stderr
    r = run_python("import relu\ntry:\n relu.load('/nonexistent/x.so')\nexcept OSError as e:\n"
                   " print('OK', e)")
    assert r.stdout.startswith("OK") and "/nonexistent/x.so" in r.stdout
    # Not librelu at all: a clear OSError, not an AttributeError.
    r = run_python("import relu\ntry:\n relu.load(%r)\nexcept OSError as e:\n print('OK', e)"
                   % ctypes.util.find_library("m"))
    assert r.stdout.startswith("OK") and "relu_" in r.stdout, r.stderr


def test_import_does_not_need_the_library():
    r = run_python("import relu; print('imported')", RELU_LIBRARY="/nonexistent")
    assert r.returncode == 0 and "imported" in r.stdout


# ------------------------------------------------------------------ arrays


@DT
@pytest.mark.parametrize("name", FUNCS)
def test_in_place(name, dtype):
    x, dy = data(dtype)
    want = FUNCS[name](x, dy)
    a = x.copy()
    assert FUNCS[name](a, dy, out=a) is a
    np.testing.assert_array_equal(a, want)
    if name not in FORWARDS:  # dx == dy
        g = dy.copy()
        assert FUNCS[name](x, g, out=g) is g
        np.testing.assert_array_equal(g, want)


@DT
@pytest.mark.parametrize("name", FUNCS)
def test_non_contiguous_and_byte_order(name, dtype):
    x, dy = data(dtype, shape=(12, 5, 14))
    xs, dys = x[::2, :, 1::2], dy[1::2, :, ::2]  # strided views
    want = FUNCS[name](np.ascontiguousarray(xs), np.ascontiguousarray(dys))
    np.testing.assert_array_equal(FUNCS[name](xs, dys), want)
    # Fortran order and negative strides
    xf, dyf = np.asfortranarray(xs), np.asfortranarray(dys)
    np.testing.assert_array_equal(FUNCS[name](xf, dyf), want)
    np.testing.assert_array_equal(FUNCS[name](xs[::-1], dys[::-1]),
                                  FUNCS[name](np.ascontiguousarray(xs[::-1]),
                                              np.ascontiguousarray(dys[::-1])))
    # Non-native byte order
    np.testing.assert_array_equal(FUNCS[name](xs.astype(xs.dtype.newbyteorder()),
                                              dys.astype(dys.dtype.newbyteorder())), want)
    # Non-contiguous out, and in place on a strided view
    big = np.full((12, 5, 14), 7, dtype)
    out = big[::2, :, ::2]
    assert FUNCS[name](xs, dys, out=out) is out
    np.testing.assert_array_equal(out, want)
    assert (big[1::2] == 7).all() and (big[:, :, 1::2] == 7).all()
    xv = x.copy()
    view = xv[::2, :, 1::2]
    FUNCS[name](view, dys, out=view)
    np.testing.assert_array_equal(view, want)


@DT
def test_shapes_and_lists(dtype):
    assert relu.forward(np.array(-2.0, dtype)).shape == ()
    assert relu.forward(np.array(-2.0, dtype)) == 0
    assert relu.forward(np.zeros((0, 3), dtype)).shape == (0, 3)
    assert relu.prelu_forward(np.zeros((0, 3), dtype), np.ones(3, dtype)).shape == (0, 3)
    dx, da = relu.prelu_backward(np.zeros((0, 3), dtype), np.zeros((0, 3), dtype),
                                 np.ones(3, dtype))
    np.testing.assert_array_equal(da, np.zeros(3))  # dalpha written with zeros
    np.testing.assert_array_equal(relu.forward([-1.0, 0.5]), [0.0, 0.5])
    np.testing.assert_array_equal(relu.prelu_forward([[-1.0, -2.0]], [0.5, 0.25]),
                                  [[-0.5, -0.5]])
    x = np.arange(-4, 5, dtype=dtype)
    np.testing.assert_array_equal(relu.clipped_forward(x), np.clip(x, 0, 6))
    np.testing.assert_array_equal(relu.clipped_forward(x, cap=2), np.clip(x, 0, 2))
    n = 100003  # odd, not a multiple of any vector width
    big = np.linspace(-5, 5, n).astype(dtype)
    np.testing.assert_array_equal(relu.forward(big), np.maximum(big, 0))


@DT
def test_prelu_layouts(dtype):
    x, dy = data(dtype, shape=(2, 3, 4, 5))
    alpha = np.array([0.1, 0.2, 0.3], dtype)
    want = np.where(x > 0, x, alpha[None, :, None, None] * x)
    np.testing.assert_array_equal(relu.prelu_forward(x, alpha), want)
    np.testing.assert_array_equal(relu.prelu_forward(x, alpha, axis=-3), want)
    xl = np.moveaxis(x, 1, -1).copy()  # channels last
    np.testing.assert_array_equal(relu.prelu_forward(xl, alpha, axis=-1), np.moveaxis(want, 1, -1))
    np.testing.assert_array_equal(relu.prelu_forward(x, np.array([0.2], dtype)),
                                  np.where(x > 0, x, dtype(0.2) * x))
    np.testing.assert_array_equal(relu.prelu_forward(x, dtype(0.2)),
                                  np.where(x > 0, x, dtype(0.2) * x))
    dx, da = relu.prelu_backward(x, dy, np.array([0.2], dtype))
    assert da.shape == (1,)
    np.testing.assert_allclose(da, [(x * dy)[x <= 0].astype(np.float64).sum()], rtol=1e-5)
    dx, da = relu.prelu_backward(x, dy, alpha)
    a = relu.prelu_forward(x, alpha, out=x)  # in place
    assert a is x


# ------------------------------------------------------------------ errors


@DT
def test_dtype_and_shape_errors(dtype):
    x, dy = data(dtype)
    for bad in (x.astype(np.float16), x.astype(np.int32), x.astype(np.complex64),
                np.array(["a"]), [1, 2, 3]):
        with pytest.raises(TypeError):
            relu.forward(bad)
    with pytest.raises(TypeError):
        relu.backward(x, dy.astype(np.float64 if dtype == np.float32 else np.float32))
    with pytest.raises(ValueError):
        relu.backward(x, dy[:1])
    with pytest.raises(ValueError):
        relu.backward(x, dy.reshape(-1))  # same size, different shape
    with pytest.raises(TypeError):
        relu.forward(x, out=np.empty(x.shape, np.int8))
    with pytest.raises(ValueError):
        relu.forward(x, out=np.empty(x.size, dtype))
    with pytest.raises(TypeError):
        relu.forward(x, out=[0.0] * x.size)
    ro = np.empty_like(x)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        relu.forward(x, out=ro)
    with pytest.raises(TypeError):
        relu.forward(x, xq=Q(1.0, 0))  # quantization on float arrays
    with pytest.raises(TypeError):
        relu.leaky_forward(x, alpha="0.1")
    with pytest.raises(TypeError):
        relu.leaky_forward(x, alpha=1j)


@DT
def test_parameter_errors(dtype):
    x, dy = data(dtype)
    empty = x[:0]
    nan, inf = float("nan"), float("inf")
    cases = [
        (relu.leaky_forward, (nan,)), (relu.leaky_forward, (inf,)), (relu.leaky_forward, (-inf,)),
        (relu.elu_forward, (-0.5,)), (relu.elu_forward, (nan,)), (relu.elu_forward, (inf,)),
        (relu.clipped_forward, (0.0,)), (relu.clipped_forward, (-1.0,)),
        (relu.clipped_forward, (inf,)), (relu.clipped_forward, (nan,)),
    ]
    if dtype == np.float32:
        cases.append((relu.leaky_forward, (1e39,)))  # overflows float: inf
    for fn, args in cases:
        for arr in (x, empty):  # scalar parameters are checked even with no work
            with pytest.raises(relu.ParamError) as info:
                fn(arr, *args)
            assert isinstance(info.value, ValueError)
            assert info.value.status == 2 and info.value.status_name == "RELU_ERR_PARAM"
            assert relu.status_string(2) in str(info.value)
    for fn, args in [(relu.leaky_backward_from_output, (0.0,)),
                     (relu.leaky_backward_from_output, (-0.1,)),
                     (relu.elu_backward, (-1.0,)), (relu.clipped_backward, (0.0,)),
                     (relu.elu_backward_from_output, (nan,)),
                     (relu.clipped_backward_from_output, (inf,))]:
        with pytest.raises(ValueError):
            fn(x, dy, *args)
        with pytest.raises(ValueError):
            fn(empty, dy[:0], *args)
    relu.leaky_backward(x, dy, -0.1)  # fine from x
    out = np.full_like(x, 42)
    with pytest.raises(ValueError):
        relu.elu_forward(x, -1.0, out=out)
    assert (out == 42).all()  # errors write nothing


@DT
def test_prelu_errors(dtype):
    x, dy = data(dtype)
    with pytest.raises(ValueError):
        relu.prelu_forward(x, np.ones(4, dtype))  # x.shape[1] == 5
    with pytest.raises(ValueError):
        relu.prelu_forward(x, np.ones((5, 1), dtype))
    with pytest.raises(ValueError):
        relu.prelu_forward(x, np.ones(5, dtype), axis=3)
    with pytest.raises(TypeError):
        relu.prelu_forward(x, np.ones(5, dtype), axis=1.0)
    with pytest.raises(TypeError):
        relu.prelu_forward(x, np.ones(5, np.float16))
    with pytest.raises(TypeError):
        relu.prelu_forward(x, np.ones(5, np.float64 if dtype == np.float32 else np.float32))
    with pytest.raises(ValueError):
        relu.prelu_backward(x, dy[:2], np.ones(5, dtype))


@DT
def test_overlap_is_reported(dtype):
    buf = np.arange(-50, 50).astype(dtype)
    with pytest.raises(relu.OverlapError) as info:
        relu.forward(buf[1:], out=buf[:-1])
    assert isinstance(info.value, ValueError)
    assert relu.status_string(3) in str(info.value) and "RELU_ERR_OVERLAP" in str(info.value)
    with pytest.raises(relu.OverlapError):
        relu.backward(buf[:50], buf[50:], out=buf[25:75])
    x = buf[:60].reshape(6, 10).copy()
    alpha = np.ones(10, dtype)
    with pytest.raises(relu.OverlapError):  # alpha inside the output
        relu.prelu_forward(x, x[0], out=x)
    # Exactly the same buffer is in place, not an overlap.
    relu.forward(buf, out=buf.view())
    relu.prelu_forward(x, alpha, out=x)


# ------------------------------------------------------------- ISA, threads


def test_isa_controls():
    names = relu.available_isas()
    assert names[0] == "scalar"
    assert relu.active_isa() in names
    assert relu.isa_available("scalar") and relu.isa_available("SCALAR")
    previous = relu.active_isa()
    try:
        for name in ["scalar", "avx2", "avx512", "neon"]:
            if relu.isa_available(name):
                relu.use_isa(name)
                assert relu.active_isa() == name
            else:
                before = relu.active_isa()
                with pytest.raises(relu.UnsupportedError) as info:
                    relu.use_isa(name)
                assert isinstance(info.value, RuntimeError) and info.value.status == 5
                assert relu.active_isa() == before
    finally:
        relu.use_isa(previous)
    with pytest.raises(ValueError, match="unknown ISA"):
        relu.use_isa("sse9")
    with pytest.raises(ValueError):
        relu.isa_available("avx-512")
    with pytest.raises(relu.ParamError):
        relu.use_isa(99)
    assert relu.isa_available(99) is False
    with pytest.raises(TypeError):
        relu.use_isa(2.0)


def test_thread_controls(threads):
    relu.set_num_threads(3)
    assert relu.get_num_threads() == 3
    relu.set_num_threads(1024)
    assert relu.get_num_threads() == 1024
    for bad in (0, -1, 1025, 2 ** 40):
        with pytest.raises(relu.ParamError):
            relu.set_num_threads(bad)
    assert relu.get_num_threads() == 1024
    with pytest.raises(TypeError):
        relu.set_num_threads(2.5)
    relu.set_num_threads(np.int64(2))
    assert relu.get_num_threads() == 2


def test_environment_controls():
    r = run_python("import relu; print(relu.active_isa(), relu.get_num_threads())",
                   RELU_ISA="SCALAR", RELU_NUM_THREADS="3")
    assert r.stdout.split() == ["scalar", "3"], r.stderr


def test_concurrent_calls_release_the_gil():
    import threading
    x = np.linspace(-3, 3, 200000)
    want = relu.elu_forward(x)
    errors = []

    def work():
        try:
            for _ in range(20):
                np.testing.assert_array_equal(relu.elu_forward(x), want)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    ts = [threading.Thread(target=work) for _ in range(4)]
    for t_ in ts:
        t_.start()
    for t_ in ts:
        t_.join()
    assert not errors
