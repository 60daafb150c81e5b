#!/usr/bin/python3
"""PyTorch and numpy reference rows for relu-bench-peers (issue 7).

    /usr/bin/python3 bench/peers_python.py [--quick] [--librelu PATH/TO/librelu.so]

Same ops, directions and sizes as relu-bench-peers (f32, n = 4 Ki, 64 Ki,
1 Mi, 16 Mi elements; --quick: 64 Ki and 16 Mi), single-threaded
(torch.set_num_threads(1); numpy's ufuncs are single-threaded), GB/s = 1e9
bytes read + written per second (forward 2 buffers, backward 3), median of 5
timed batches. Reference output for Python users, not part of the C
comparison: every call goes through the interpreter, so the small sizes
mostly measure call overhead.

PyTorch is called the way its own autograd does: the aten forward kernels
with out= (no allocation) and the aten *_backward kernels, which is what
F.relu(...).backward() runs without the graph bookkeeping. Where PyTorch
needs several kernels for librelu's result (rectified tanh) the row times all
of them and the call column lists them. PReLU has no out= form: its rows
include the allocation. numpy has no backward; its forward rows use the
obvious expression (np.where allocates temporaries).

librelu's own rows, through its ctypes binding (bindings/python), appear when
the library loads (--librelu, RELU_LIBRARY, or the binding's usual search).
Every implementation's output is compared with a float64 reference first
(rel. 1e-5 for exp/tanh ops, exact otherwise).
"""

import argparse
import os
import statistics
import sys
import time

import numpy as np
import torch

SELU_A = 1.6732632423543772848170429916717
SELU_L = 1.0507009873554804934193349852946
ALPHA = 0.01
CAP = 6.0
CHANNELS = 64
aten = torch.ops.aten


def inputs(n):
    """x: half negative, |x| in [1/64, 8], 1/256 zeros; dy: random sign, |dy| in [1/16, 2]."""
    rng = np.random.default_rng(0x5EED)
    mag = rng.uniform(1 / 64, 8, n)
    mag[rng.integers(0, 256, n) == 0] = 0
    x = np.where(rng.integers(0, 2, n) == 1, -mag, mag).astype(np.float32)
    x[x == CAP] = 5.5  # the kink: libraries differ on the derivative there
    d = rng.uniform(1 / 16, 2, n)
    dy = np.where(rng.integers(0, 2, n) == 1, -d, d).astype(np.float32)
    return x, dy


def reference(op, x):
    """The forward result in float64."""
    x = x.astype(np.float64)
    if op == "relu":
        return np.maximum(x, 0)
    if op == "leaky":
        return np.where(x > 0, x, np.float64(np.float32(ALPHA)) * x)
    if op == "prelu":
        a = np.linspace(0.01, 0.3, CHANNELS).astype(np.float32).astype(np.float64)
        x2 = x.reshape(-1, CHANNELS)
        return np.where(x2 > 0, x2, a * x2).reshape(-1)
    if op == "elu":
        return np.where(x > 0, x, np.expm1(x))
    if op == "selu":
        return SELU_L * np.where(x > 0, x, SELU_A * np.expm1(x))
    if op == "clipped":
        return np.clip(x, 0, CAP)
    if op == "tanh":
        return np.maximum(np.tanh(x), 0)
    raise ValueError(op)


def reference_bwd(op, x, dy):
    x = x.astype(np.float64)
    dy = dy.astype(np.float64)
    if op == "relu":
        return np.where(x > 0, dy, 0)
    if op == "leaky":
        return np.where(x > 0, dy, np.float64(np.float32(ALPHA)) * dy)
    if op == "prelu":
        a = np.linspace(0.01, 0.3, CHANNELS).astype(np.float32).astype(np.float64)
        x2, d2 = x.reshape(-1, CHANNELS), dy.reshape(-1, CHANNELS)
        return np.where(x2 > 0, d2, a * d2).reshape(-1)
    if op == "elu":
        return np.where(x > 0, dy, dy * np.exp(x))
    if op == "selu":
        return np.where(x > 0, SELU_L * dy, dy * SELU_L * SELU_A * np.exp(x))
    if op == "clipped":
        return np.where((x > 0) & (x < CAP), dy, 0)
    if op == "tanh":
        return np.where(x > 0, dy * (1 - np.tanh(x) ** 2), 0)
    raise ValueError(op)


def torch_rows(x, dy, y):
    """{(op, dir): (call description, thunk writing the result into dx/yy)}."""
    tx, tdy, ty = torch.from_numpy(x), torch.from_numpy(dy), y  # y: {op: tensor}
    out, tmp = torch.empty_like(tx), torch.empty_like(tx)
    x2, dy2 = tx.view(-1, CHANNELS), tdy.view(-1, CHANNELS)
    w = torch.from_numpy(np.linspace(0.01, 0.3, CHANNELS).astype(np.float32))
    nn = torch._C._nn
    res = {}

    def put(op, d, call, fn):
        res[(op, d)] = (call, fn)

    # each thunk returns the tensor holding its result
    put("relu", "fwd", "clamp_min(out=)", lambda: torch.clamp_min(tx, 0.0, out=out))
    put("relu", "bwd", "threshold_backward", lambda: aten.threshold_backward.grad_input(tdy, tx, 0.0, grad_input=out))
    put("relu", "bwdy", "threshold_backward", lambda: aten.threshold_backward.grad_input(tdy, ty["relu"], 0.0, grad_input=out))
    put("leaky", "fwd", "leaky_relu(out=)", lambda: nn.leaky_relu(tx, ALPHA, out=out))
    put("leaky", "bwd", "leaky_relu_backward", lambda: aten.leaky_relu_backward.grad_input(tdy, tx, ALPHA, False, grad_input=out))
    put("leaky", "bwdy", "leaky_relu_backward", lambda: aten.leaky_relu_backward.grad_input(tdy, ty["leaky"], ALPHA, True, grad_input=out))
    put("prelu", "fwd", "prelu (allocates)", lambda: torch.prelu(x2, w).view(-1))
    put("prelu", "bwd", "prelu_backward (allocates)", lambda: aten.prelu_backward(dy2, x2, w)[0].view(-1))
    put("elu", "fwd", "elu(out=)", lambda: nn.elu(tx, 1.0, 1.0, 1.0, out=out))
    put("elu", "bwd", "elu_backward", lambda: aten.elu_backward.grad_input(tdy, 1.0, 1.0, 1.0, False, tx, grad_input=out))
    put("elu", "bwdy", "elu_backward", lambda: aten.elu_backward.grad_input(tdy, 1.0, 1.0, 1.0, True, ty["elu"], grad_input=out))
    put("selu", "fwd", "elu(out=, selu consts)", lambda: nn.elu(tx, SELU_A, SELU_L, 1.0, out=out))
    put("selu", "bwd", "elu_backward", lambda: aten.elu_backward.grad_input(tdy, SELU_A, SELU_L, 1.0, False, tx, grad_input=out))
    put("selu", "bwdy", "elu_backward", lambda: aten.elu_backward.grad_input(tdy, SELU_A, SELU_L, 1.0, True, ty["selu"], grad_input=out))
    put("clipped", "fwd", "hardtanh(out=)", lambda: nn.hardtanh(tx, 0.0, CAP, out=out))
    put("clipped", "bwd", "hardtanh_backward", lambda: aten.hardtanh_backward.grad_input(tdy, tx, 0.0, CAP, grad_input=out))
    put("clipped", "bwdy", "hardtanh_backward", lambda: aten.hardtanh_backward.grad_input(tdy, ty["clipped"], 0.0, CAP, grad_input=out))

    def tanh_fwd():
        torch.tanh(tx, out=out)
        return out.clamp_min_(0.0)

    def tanh_bwd():
        torch.tanh(tx, out=tmp)
        aten.tanh_backward.grad_input(tdy, tmp, grad_input=tmp)
        return aten.threshold_backward.grad_input(tmp, tx, 0.0, grad_input=out)

    def tanh_bwdy():
        aten.tanh_backward.grad_input(tdy, ty["tanh"], grad_input=tmp)
        return aten.threshold_backward.grad_input(tmp, ty["tanh"], 0.0, grad_input=out)

    put("tanh", "fwd", "tanh(out=)+clamp_min_", tanh_fwd)
    put("tanh", "bwd", "tanh+tanh_backward+threshold_backward", tanh_bwd)
    put("tanh", "bwdy", "tanh_backward+threshold_backward", tanh_bwdy)
    return res


def numpy_rows(x, dy):
    out = np.empty_like(x)
    a = np.float32(ALPHA)

    def tanh_fwd():
        np.tanh(x, out=out)
        return np.maximum(out, 0, out=out)

    return {
        ("relu", "fwd"): lambda: np.maximum(x, 0, out=out),
        ("relu", "bwd"): lambda: np.multiply(dy, x > 0, out=out),
        ("leaky", "fwd"): lambda: np.where(x > 0, x, a * x),
        ("elu", "fwd"): lambda: np.where(x > 0, x, np.expm1(x)),
        ("selu", "fwd"): lambda: np.float32(SELU_L) * np.where(x > 0, x, np.float32(SELU_A) * np.expm1(x)),
        ("clipped", "fwd"): lambda: np.clip(x, 0, CAP, out=out),
        ("tanh", "fwd"): tanh_fwd,
    }


def librelu_rows(relu, x, dy, ys):
    out = np.empty_like(x)
    x2 = x.reshape(-1, CHANNELS)
    alpha = np.linspace(0.01, 0.3, CHANNELS).astype(np.float32)
    out2 = out.reshape(-1, CHANNELS)
    dy2 = dy.reshape(-1, CHANNELS)
    r = {
        ("relu", "fwd"): lambda: relu.forward(x, out=out),
        ("relu", "bwd"): lambda: relu.backward(x, dy, out=out),
        ("relu", "bwdy"): lambda: relu.backward_from_output(ys["relu"], dy, out=out),
        ("leaky", "fwd"): lambda: relu.leaky_forward(x, ALPHA, out=out),
        ("leaky", "bwd"): lambda: relu.leaky_backward(x, dy, ALPHA, out=out),
        ("leaky", "bwdy"): lambda: relu.leaky_backward_from_output(ys["leaky"], dy, ALPHA, out=out),
        ("prelu", "fwd"): lambda: relu.prelu_forward(x2, alpha, axis=1, out=out2).reshape(-1),
        ("prelu", "bwd"): lambda: relu.prelu_backward(x2, dy2, alpha, axis=1, out=out2),
        ("elu", "fwd"): lambda: relu.elu_forward(x, 1.0, out=out),
        ("elu", "bwd"): lambda: relu.elu_backward(x, dy, 1.0, out=out),
        ("elu", "bwdy"): lambda: relu.elu_backward_from_output(ys["elu"], dy, 1.0, out=out),
        ("selu", "fwd"): lambda: relu.selu_forward(x, out=out),
        ("selu", "bwd"): lambda: relu.selu_backward(x, dy, out=out),
        ("selu", "bwdy"): lambda: relu.selu_backward_from_output(ys["selu"], dy, out=out),
        ("clipped", "fwd"): lambda: relu.clipped_forward(x, CAP, out=out),
        ("clipped", "bwd"): lambda: relu.clipped_backward(x, dy, CAP, out=out),
        ("clipped", "bwdy"): lambda: relu.clipped_backward_from_output(ys["clipped"], dy, CAP, out=out),
        ("tanh", "fwd"): lambda: relu.tanh_forward(x, out=out),
        ("tanh", "bwd"): lambda: relu.tanh_backward(x, dy, out=out),
        ("tanh", "bwdy"): lambda: relu.tanh_backward_from_output(ys["tanh"], dy, out=out),
    }
    # prelu_backward returns (dx, dalpha): compare dx only
    pb = r[("prelu", "bwd")]
    r[("prelu", "bwd")] = lambda: np.asarray(pb()[0]).reshape(-1)
    return r


def as_np(v):
    if isinstance(v, torch.Tensor):
        return v.numpy()
    if isinstance(v, tuple):
        v = v[0]
    return np.asarray(v).reshape(-1)


def check(name, op, d, got, want):
    got = as_np(got).astype(np.float64)
    if op in ("elu", "selu", "tanh"):
        bad = np.abs(got - want) > 1e-5 * np.abs(want) + 1e-6
    else:
        bad = got != want.astype(np.float32).astype(np.float64)
    if bad.any():
        i = int(np.argmax(bad))
        sys.exit(f"peers_python: {name} {op}/{d} differs from the reference at {i}: {got[i]!r} vs {want[i]!r}")


def gbps(fn, nbytes, min_time, reps=5):
    fn()
    iters = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(iters):
            fn()
        dt = time.perf_counter() - t0
        if dt >= min_time:
            break
        iters = max(iters * 2, int(iters * min_time / max(dt, 1e-9) * 1.2))
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(iters):
            fn()
        samples.append((time.perf_counter() - t0) / iters)
    return nbytes / statistics.median(samples) / 1e9


def load_librelu(path):
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.join(here, "..", "bindings", "python"))
    if path:
        os.environ["RELU_LIBRARY"] = path
    try:
        import relu
        relu.load(path) if path else relu.load()
        relu.set_num_threads(1)
        return relu
    except Exception as e:  # the binding or library is not there: no librelu rows
        print(f"(librelu rows skipped: {e})", file=sys.stderr)
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="64 Ki and 16 Mi elements only")
    ap.add_argument("--librelu", help="path to librelu.so for the ctypes rows")
    ap.add_argument("--min-time", type=float, default=0.02, help="seconds per timed batch")
    args = ap.parse_args()
    torch.set_num_threads(1)
    sizes = [1 << 16, 1 << 24] if args.quick else [1 << 12, 1 << 16, 1 << 20, 1 << 24]
    relu = load_librelu(args.librelu)

    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    lib = ""
    if relu is not None:
        lib = f", librelu {relu.version()} via ctypes ({relu.active_isa()} tier, {relu.library_path()})"
    print(f"PyTorch {torch.__version__} (1 thread), numpy {np.__version__}{lib}; "
          f"{time.strftime('%Y-%m-%d', time.gmtime())}, {cpu}. f32, GB/s = 1e9 bytes read + written "
          "per second, median of 5 batches.")
    print()
    print("| op | dir | n | torch GB/s | numpy GB/s | librelu (ctypes) GB/s | torch call |")
    print("|---|---|---|---|---|---|---|")
    start = time.time()
    for n in sizes:
        x, dy = inputs(n)
        ys = {op: reference(op, x).astype(np.float32) for op in ("relu", "leaky", "elu", "selu", "clipped", "tanh")}
        if relu is not None:
            # librelu's own forward outputs, as the C benchmark feeds every bwdy
            ys = {op: np.asarray(getattr(relu, "forward" if op == "relu" else op + "_forward")(x)) for op in ys}
        tr = torch_rows(x, dy, {k: torch.from_numpy(v) for k, v in ys.items()})
        nr = numpy_rows(x, dy)
        lr = librelu_rows(relu, x, dy, ys) if relu is not None else {}
        for op in ("relu", "leaky", "prelu", "elu", "selu", "clipped", "tanh"):
            for d in ("fwd", "bwd", "bwdy"):
                if (op, d) not in tr:
                    continue
                if d == "fwd":
                    want = reference(op, x)
                elif d == "bwd":
                    want = reference_bwd(op, x, dy)
                else:
                    want = reference_bwd(op, x, dy)
                    # from-output formulas round differently near saturation: check the exact ones only
                bytes_ = (2 if d == "fwd" else 3) * 4 * n
                cells = []
                for name, table in (("torch", tr), ("numpy", nr), ("librelu", lr)):
                    if (op, d) not in table:
                        cells.append("-")
                        continue
                    fn = table[(op, d)][1] if name == "torch" else table[(op, d)]
                    if d != "bwdy" or op in ("relu", "leaky", "clipped"):
                        check(name, op, d, fn(), want)
                    cells.append(f"{gbps(fn, bytes_, args.min_time):.2f}")
                size = f"{n >> 20} Mi" if n >= 1 << 20 else f"{n >> 10} Ki"
                print(f"| {op} | {d} | {size} | {cells[0]} | {cells[1]} | {cells[2]} | {tr[(op, d)][0]} |",
                      flush=True)
    print()
    print(f"{time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
