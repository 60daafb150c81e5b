"""Locating librelu and declaring its C API for ctypes.

Nothing here is public; ``relu.load`` and ``relu.library_path`` re-export
what users need.
"""

import ctypes
import ctypes.util
import os
import sys
import threading

__all__ = ["Quant_t", "SIGNATURES", "load", "get", "loaded_path"]

_P = ctypes.c_void_p
_N = ctypes.c_size_t
_F32 = ctypes.c_float
_F64 = ctypes.c_double
_STATUS = ctypes.c_int  # relu_status: a C enum, passed and returned as int
_ISA = ctypes.c_int     # relu_isa


class Quant_t(ctypes.Structure):
    """The C ``relu_quant`` struct."""

    _fields_ = [("scale", ctypes.c_float), ("zero_point", ctypes.c_int32)]


_Q = ctypes.POINTER(Quant_t)

# op name -> names of its scalar parameters (None for PReLU's alpha array).
OPS = {
    "relu": (),
    "leaky": ("alpha",),
    "prelu": None,
    "elu": ("alpha",),
    "selu": (),
    "clipped": ("cap",),
    "tanh": (),
}


def c_name(op, direction, suffix):
    """C function name, e.g. ("leaky", "forward", "f32") -> relu_leaky_forward_f32."""
    stem = "relu_" if op == "relu" else "relu_%s_" % op
    return "%s%s_%s" % (stem, direction, suffix)


def _signatures():
    """{c function name: (restype, [argtypes])} for the whole public API."""
    sig = {
        "relu_status_string": (ctypes.c_char_p, [_STATUS]),
        "relu_version_string": (ctypes.c_char_p, []),
        "relu_active_isa": (_ISA, []),
        "relu_isa_available": (ctypes.c_int, [_ISA]),
        "relu_use_isa": (_STATUS, [_ISA]),
        "relu_isa_name": (ctypes.c_char_p, [_ISA]),
        "relu_set_num_threads": (_STATUS, [ctypes.c_int]),
        "relu_get_num_threads": (ctypes.c_int, []),
    }
    for op, params in OPS.items():
        for suffix, real in (("f32", _F32), ("f64", _F64)):
            if params is None:  # prelu
                sig[c_name(op, "forward", suffix)] = (_STATUS, [_P, _P, _P, _N, _N, _N])
                sig[c_name(op, "backward", suffix)] = (_STATUS, [_P, _P, _P, _P, _P, _N, _N, _N])
                continue
            scal = [real] * len(params)
            sig[c_name(op, "forward", suffix)] = (_STATUS, [_P, _P, _N] + scal)
            sig[c_name(op, "backward", suffix)] = (_STATUS, [_P, _P, _P, _N] + scal)
            sig[c_name(op, "backward_from_output", suffix)] = (_STATUS, [_P, _P, _P, _N] + scal)
        if params is None:
            sig[c_name(op, "forward", "s8")] = (_STATUS, [_P, _P, _P, _N, _N, _N, _Q, _Q])
            sig[c_name(op, "backward", "s8")] = (
                _STATUS, [_P, _P, _P, _P, _P, _N, _N, _N, _Q, _Q, _Q])
        else:
            scal = [_F32] * len(params)  # int8 ops take their parameters as float
            sig[c_name(op, "forward", "s8")] = (_STATUS, [_P, _P, _N] + scal + [_Q, _Q])
            sig[c_name(op, "backward", "s8")] = (_STATUS, [_P, _P, _P, _N] + scal + [_Q, _Q, _Q])
    return sig


SIGNATURES = _signatures()

_lock = threading.Lock()
_lib = None
_path = None


def _expand(path):
    """A directory stands for the library inside it."""
    if os.path.isdir(path):
        for n in _NAMES + ["librelu.so"]:
            if os.path.exists(os.path.join(path, n)):
                return os.path.join(path, n)
        return os.path.join(path, _NAMES[0])
    return path


if sys.platform == "darwin":
    _NAMES = ["librelu.1.dylib"]
elif sys.platform.startswith("win") or sys.platform == "cygwin":
    _NAMES = ["relu.dll", "librelu.dll"]
else:
    _NAMES = ["librelu.so.1"]


def _candidates():
    """(description, argument for ctypes.CDLL) in the order they are tried.

    $RELU_LIBRARY, when set, is the only candidate: a wrong value is an error,
    not a silent fall-back to some other librelu.
    """
    env = os.environ.get("RELU_LIBRARY")
    if env:
        return [("$RELU_LIBRARY=%s" % env, _expand(env))]
    out = [(n, n) for n in _NAMES]
    found = ctypes.util.find_library("relu")
    if found is None:
        out.append(("ctypes.util.find_library('relu')", None))
    elif found not in _NAMES:
        out.append(("ctypes.util.find_library('relu') = %s" % found, found))
    return out


def _open(target):
    lib = ctypes.CDLL(target)
    for name, (res, args) in SIGNATURES.items():
        try:
            fn = getattr(lib, name)
        except AttributeError:
            raise OSError("%s is not librelu 1.x: it has no symbol %s" % (target, name))
        fn.restype = res
        fn.argtypes = args
    version = lib.relu_version_string().decode("ascii", "replace")
    if not version.startswith("1."):
        raise OSError("%s is librelu %s; these bindings need 1.x" % (target, version))
    return lib


def load(path=None):
    """Load librelu and return the ctypes handle.

    With ``path`` (a file name or path), load exactly that library, replacing
    any library loaded before; a directory stands for the librelu.so.1 in it.
    Without it, return the library already loaded, or search: ``$RELU_LIBRARY``
    (when set, the only candidate), else the installed ``librelu.so.1`` (the
    dynamic loader's search: LD_LIBRARY_PATH, rpath, ld.so.cache), then
    ``ctypes.util.find_library('relu')``. Raises ``OSError`` listing every
    attempt when nothing loads, or when the library is not librelu 1.x.
    """
    global _lib, _path
    with _lock:
        if path is not None:
            path = os.fspath(path)
            try:
                lib = _open(_expand(path))
            except OSError as e:
                raise OSError("cannot load librelu from %r: %s" % (path, e)) from None
            _lib, _path = lib, _expand(path)
            return lib
        if _lib is not None:
            return _lib
        tried = []
        for desc, target in _candidates():
            if target is None:
                tried.append("  %s: found nothing" % desc)
                continue
            try:
                lib = _open(target)
            except OSError as e:
                tried.append("  %s: %s" % (desc, e))
                continue
            _lib, _path = lib, target
            return lib
        raise OSError(
            "librelu not found. Tried, in order:\n%s\n"
            "Install librelu (cmake --install), set RELU_LIBRARY to the path of "
            "librelu.so.1, add its directory to LD_LIBRARY_PATH, or call "
            "relu.load('/path/to/librelu.so.1')." % ("\n".join(tried) or "  (nothing)"))


def get():
    lib = _lib
    return lib if lib is not None else load()


def loaded_path():
    return _path
