//! The safe API against plain-Rust reference formulas, on every ISA tier this
//! CPU and build can run; in place; errors; int8; ISA and thread controls.
#![allow(clippy::excessive_precision, unknown_lints, clippy::manual_is_multiple_of)]
use std::sync::{Mutex, MutexGuard};

use relu::{s8, Error, Float, Isa, Quant};

// Tests run on parallel threads; ISA / thread-count switches are global.
static GLOBAL: Mutex<()> = Mutex::new(());

fn lock() -> MutexGuard<'static, ()> {
    GLOBAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `f` once per available ISA (holding the global lock), then restores.
fn each_isa(mut f: impl FnMut(Isa)) {
    let _g = lock();
    let before = relu::active_isa();
    for isa in relu::available_isas() {
        relu::use_isa(isa).unwrap();
        f(isa);
    }
    relu::use_isa(before).unwrap();
}

// ------------------------------------------------------------- test floats

const L64: f64 = 1.0507009873554804934193349852946;
const A64: f64 = 1.6732632423543772848170429916717;

trait TF: Float + Default + std::ops::Mul<Output = Self> + std::ops::Add<Output = Self> {
    const NAME: &'static str;
    const TOL_ULP: u64; // transcendental ops vs the f64 std-lib reference
    const MIN_SUB: f64;
    const L: Self;
    const LA: Self;
    const DALPHA_REL: f64;
    fn from_f64(v: f64) -> Self;
    fn to_f64(self) -> f64;
    fn ordered(self) -> i64;
    fn fma(a: Self, b: Self, c: Self) -> Self;
    fn is_nan(self) -> bool {
        self.to_f64().is_nan()
    }
}

impl TF for f32 {
    const NAME: &'static str = "f32";
    const TOL_ULP: u64 = 2;
    const MIN_SUB: f64 = 1.401298464324817e-45;
    const L: f32 = 1.050_701_022_148_132_3; // 0x1.0cfabep+0
    const LA: f32 = 1.758_099_317_550_659; // 0x1.c212ccp+0
    const DALPHA_REL: f64 = 1e-5;
    fn from_f64(v: f64) -> f32 {
        v as f32
    }
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn ordered(self) -> i64 {
        let i = self.to_bits() as i32 as i64;
        if i < 0 { -(i & 0x7fff_ffff) } else { i }
    }
    fn fma(a: f32, b: f32, c: f32) -> f32 {
        a.mul_add(b, c)
    }
}

impl TF for f64 {
    const NAME: &'static str = "f64";
    // The reference is std's expm1/exp/tanh (~1 ULP) times rounded constants.
    const TOL_ULP: u64 = 4;
    const MIN_SUB: f64 = 4.9406564584124654e-324;
    const L: f64 = 1.0507009873554805; // 0x1.0cfabd6a91132p+0
    const LA: f64 = 1.7580993408473768; // 0x1.c212cc640f031p+0
    const DALPHA_REL: f64 = 1e-13;
    fn from_f64(v: f64) -> f64 {
        v
    }
    fn to_f64(self) -> f64 {
        self
    }
    fn ordered(self) -> i64 {
        let i = self.to_bits() as i64;
        if i < 0 { -(i & 0x7fff_ffff_ffff_ffff) } else { i }
    }
    fn fma(a: f64, b: f64, c: f64) -> f64 {
        a.mul_add(b, c)
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Roughly normal (sum of uniforms), scaled.
    fn normal(&mut self, scale: f64) -> f64 {
        let s: f64 = (0..4).map(|_| self.unit()).sum::<f64>() - 2.0;
        s * scale * 1.7
    }
}

fn samples<T: TF>(n: usize, seed: u64) -> Vec<T> {
    let mut v: Vec<T> = [0.0, -0.0, 1e-30, -1e-30, 1e-7, -1e-7, 0.5, -0.5, 1.0, -1.0, 6.0, -6.0,
                         20.0, -20.0, 100.0, -100.0, -700.0, 1e30, -1e30,
                         f64::INFINITY, f64::NEG_INFINITY]
        .iter()
        .map(|&x| T::from_f64(x))
        .collect();
    v.push(T::from_f64(T::MIN_SUB));
    v.push(T::from_f64(-T::MIN_SUB * 5.0));
    let mut r = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    while v.len() < n {
        let s = if v.len() % 5 == 0 { 30.0 } else { 3.0 };
        v.push(T::from_f64(r.normal(s)));
    }
    v
}

fn grads<T: TF>(n: usize, seed: u64) -> Vec<T> {
    let mut r = Rng(seed * 7 + 3);
    (0..n).map(|i| if i % 17 == 0 { T::default() } else { T::from_f64(r.normal(1.0)) }).collect()
}

fn assert_exact<T: TF>(got: &[T], want: &[T], what: &str) {
    assert_eq!(got.len(), want.len());
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let same = (g.is_nan() && w.is_nan()) || g.to_f64() == w.to_f64();
        assert!(same, "{} {}: [{}] got {:?} want {:?}", what, T::NAME, i, g, w);
    }
}

/// |got - want| <= nulp ULP (in ordered-integer distance from want rounded to T),
/// or <= abs_extra[i] in absolute terms.
fn assert_ulp<T: TF>(got: &[T], want: &[f64], nulp: u64, abs_extra: &[f64], what: &str) {
    for i in 0..got.len() {
        let (g, w) = (got[i], want[i]);
        if w.is_nan() {
            assert!(g.is_nan(), "{} {}: [{}] got {:?} want NaN", what, T::NAME, i, g);
            continue;
        }
        let wr = T::from_f64(w);
        let dist = (g.ordered() - wr.ordered()).unsigned_abs();
        let abs_ok = (g.to_f64() - w).abs() <= abs_extra.get(i).copied().unwrap_or(0.0);
        assert!(dist <= nulp || abs_ok, "{} {}: [{}] got {:?} want {:e} ({} ULP)",
                what, T::NAME, i, g, w, dist);
    }
}

// ------------------------------------------------------------- references

#[derive(Clone, Copy, Debug)]
enum Op {
    Relu,
    Leaky(f64),
    Elu(f64),
    Selu,
    Clipped(f64),
    Tanh,
}

const OPS: [Op; 9] = [Op::Relu, Op::Leaky(0.01), Op::Leaky(-1.5), Op::Elu(1.0), Op::Elu(0.3),
                      Op::Selu, Op::Clipped(6.0), Op::Clipped(0.75), Op::Tanh];

impl Op {
    fn exact(self) -> bool {
        matches!(self, Op::Relu | Op::Leaky(_) | Op::Clipped(_))
    }

    fn forward<T: TF>(self, x: &[T], y: &mut [T]) -> relu::Result<()> {
        match self {
            Op::Relu => relu::forward(x, y),
            Op::Leaky(a) => relu::leaky_forward(x, y, T::from_f64(a)),
            Op::Elu(a) => relu::elu_forward(x, y, T::from_f64(a)),
            Op::Selu => relu::selu_forward(x, y),
            Op::Clipped(c) => relu::clipped_forward(x, y, T::from_f64(c)),
            Op::Tanh => relu::tanh_forward(x, y),
        }
    }

    fn forward_in_place<T: TF>(self, x: &mut [T]) -> relu::Result<()> {
        match self {
            Op::Relu => relu::forward_in_place(x),
            Op::Leaky(a) => relu::leaky_forward_in_place(x, T::from_f64(a)),
            Op::Elu(a) => relu::elu_forward_in_place(x, T::from_f64(a)),
            Op::Selu => relu::selu_forward_in_place(x),
            Op::Clipped(c) => relu::clipped_forward_in_place(x, T::from_f64(c)),
            Op::Tanh => relu::tanh_forward_in_place(x),
        }
    }

    fn backward<T: TF>(self, x: &[T], dy: &[T], dx: &mut [T]) -> relu::Result<()> {
        match self {
            Op::Relu => relu::backward(x, dy, dx),
            Op::Leaky(a) => relu::leaky_backward(x, dy, dx, T::from_f64(a)),
            Op::Elu(a) => relu::elu_backward(x, dy, dx, T::from_f64(a)),
            Op::Selu => relu::selu_backward(x, dy, dx),
            Op::Clipped(c) => relu::clipped_backward(x, dy, dx, T::from_f64(c)),
            Op::Tanh => relu::tanh_backward(x, dy, dx),
        }
    }

    fn backward_in_place<T: TF>(self, x: &[T], dy: &mut [T]) -> relu::Result<()> {
        match self {
            Op::Relu => relu::backward_in_place(x, dy),
            Op::Leaky(a) => relu::leaky_backward_in_place(x, dy, T::from_f64(a)),
            Op::Elu(a) => relu::elu_backward_in_place(x, dy, T::from_f64(a)),
            Op::Selu => relu::selu_backward_in_place(x, dy),
            Op::Clipped(c) => relu::clipped_backward_in_place(x, dy, T::from_f64(c)),
            Op::Tanh => relu::tanh_backward_in_place(x, dy),
        }
    }

    fn bwd_from_output<T: TF>(self, y: &[T], dy: &[T], dx: &mut [T]) -> relu::Result<()> {
        match self {
            Op::Relu => relu::backward_from_output(y, dy, dx),
            Op::Leaky(a) => relu::leaky_backward_from_output(y, dy, dx, T::from_f64(a)),
            Op::Elu(a) => relu::elu_backward_from_output(y, dy, dx, T::from_f64(a)),
            Op::Selu => relu::selu_backward_from_output(y, dy, dx),
            Op::Clipped(c) => relu::clipped_backward_from_output(y, dy, dx, T::from_f64(c)),
            Op::Tanh => relu::tanh_backward_from_output(y, dy, dx),
        }
    }

    fn bwd_from_output_in_place<T: TF>(self, y: &[T], dy: &mut [T]) -> relu::Result<()> {
        match self {
            Op::Relu => relu::backward_from_output_in_place(y, dy),
            Op::Leaky(a) => relu::leaky_backward_from_output_in_place(y, dy, T::from_f64(a)),
            Op::Elu(a) => relu::elu_backward_from_output_in_place(y, dy, T::from_f64(a)),
            Op::Selu => relu::selu_backward_from_output_in_place(y, dy),
            Op::Clipped(c) => relu::clipped_backward_from_output_in_place(y, dy, T::from_f64(c)),
            Op::Tanh => relu::tanh_backward_from_output_in_place(y, dy),
        }
    }

    /// The parameter as the C function sees it, widened to f64.
    fn p<T: TF>(self) -> f64 {
        match self {
            Op::Leaky(a) | Op::Elu(a) | Op::Clipped(a) => T::from_f64(a).to_f64(),
            _ => 0.0,
        }
    }

    /// Exact ops: the formula in T's arithmetic (one rounding for alpha*x).
    fn forward_exact<T: TF>(self, x: T) -> T {
        let p = T::from_f64(self.p::<T>());
        let xf = x.to_f64();
        let zero = T::default();
        if xf.is_nan() {
            return x;
        }
        match self {
            Op::Relu => if xf > 0.0 { x } else { zero },
            Op::Leaky(_) => if xf > 0.0 { x } else { p * x },
            Op::Clipped(_) => {
                if xf <= 0.0 { zero } else if xf >= p.to_f64() { p } else { x }
            }
            _ => unreachable!(),
        }
    }

    /// Transcendental ops: in f64 with std's libm.
    fn forward_f64(self, x: f64, p: f64) -> f64 {
        match self {
            Op::Elu(_) => if x > 0.0 { x } else { p * x.exp_m1() },
            Op::Selu => if x > 0.0 { L64 * x } else { L64 * A64 * x.exp_m1() },
            Op::Tanh => if x.is_nan() { x } else { x.tanh().max(0.0) },
            _ => unreachable!(),
        }
    }

    fn backward_exact<T: TF>(self, x: T, dy: T) -> T {
        let p = T::from_f64(self.p::<T>());
        let xf = x.to_f64();
        let zero = T::default();
        match self {
            Op::Relu => if xf > 0.0 { dy } else { zero },
            Op::Leaky(_) => if xf > 0.0 { dy } else { p * dy },
            Op::Clipped(_) => if xf > 0.0 && xf < p.to_f64() { dy } else { zero },
            _ => unreachable!(),
        }
    }

    fn backward_f64(self, x: f64, dy: f64, p: f64) -> f64 {
        match self {
            Op::Elu(_) => if x > 0.0 { dy } else { dy * p * x.exp() },
            Op::Selu => if x > 0.0 { L64 * dy } else { dy * L64 * A64 * x.exp() },
            Op::Tanh => if x > 0.0 { dy / x.cosh().powi(2) } else { 0.0 },
            _ => unreachable!(),
        }
    }

    /// The API's from-output formulas, in T's arithmetic.
    fn bwd_from_output_exact<T: TF>(self, y: T, dy: T) -> T {
        let p = T::from_f64(self.p::<T>());
        let yf = y.to_f64();
        let zero = T::default();
        let pos = yf > 0.0;
        match self {
            Op::Relu => if pos { dy } else { zero },
            Op::Leaky(_) => if pos { dy } else { p * dy },
            Op::Elu(_) => if pos { dy } else { dy * (y + p) },
            Op::Selu => if pos { T::L * dy } else { dy * (y + T::LA) },
            Op::Clipped(_) => if pos && yf < p.to_f64() { dy } else { zero },
            Op::Tanh => {
                if pos { dy * T::fma(T::from_f64(-yf), y, T::from_f64(1.0)) } else { zero }
            }
        }
    }
}

fn check_forward<T: TF>() {
    let x = samples::<T>(2000, 1);
    for op in OPS {
        let mut y = vec![T::default(); x.len()];
        op.forward(&x, &mut y).unwrap();
        if op.exact() {
            let want: Vec<T> = x.iter().map(|&v| op.forward_exact(v)).collect();
            assert_exact(&y, &want, &format!("{:?} forward", op));
        } else {
            let p = op.p::<T>();
            let want: Vec<f64> = x.iter().map(|&v| op.forward_f64(v.to_f64(), p)).collect();
            assert_ulp(&y, &want, T::TOL_ULP, &[], &format!("{:?} forward", op));
        }
    }
}

fn check_backward<T: TF>() {
    let x: Vec<T> = samples::<T>(2000, 2);
    let dy = grads::<T>(x.len(), 2);
    for op in OPS {
        let mut dx = vec![T::default(); x.len()];
        op.backward(&x, &dy, &mut dx).unwrap();
        if op.exact() {
            let want: Vec<T> = x.iter().zip(&dy).map(|(&a, &g)| op.backward_exact(a, g)).collect();
            assert_exact(&dx, &want, &format!("{:?} backward", op));
        } else {
            let p = op.p::<T>();
            let want: Vec<f64> =
                x.iter().zip(&dy).map(|(&a, &g)| op.backward_f64(a.to_f64(), g.to_f64(), p)).collect();
            let extra: Vec<f64> = dy.iter().map(|g| 2.0 * g.to_f64().abs() * T::MIN_SUB).collect();
            assert_ulp(&dx, &want, T::TOL_ULP, &extra, &format!("{:?} backward", op));
        }
    }
}

fn check_from_output<T: TF>() {
    let x = samples::<T>(1500, 3);
    for op in OPS {
        let op = match op {
            Op::Leaky(_) => Op::Leaky(0.2), // from output needs alpha > 0
            o => o,
        };
        let mut y = vec![T::default(); x.len()];
        op.forward(&x, &mut y).unwrap();
        y.extend(samples::<T>(500, 4)); // any y: the formula is what is specified
        let dy = grads::<T>(y.len(), 3);
        let mut dx = vec![T::default(); y.len()];
        op.bwd_from_output(&y, &dy, &mut dx).unwrap();
        for i in 0..y.len() {
            if !y[i].to_f64().is_finite() {
                continue;
            }
            let want = op.bwd_from_output_exact(y[i], dy[i]);
            let ok = (want.is_nan() && dx[i].is_nan()) || want.to_f64() == dx[i].to_f64();
            assert!(ok, "{:?} from output {}: y={:?} dy={:?} got {:?} want {:?}",
                    op, T::NAME, y[i], dy[i], dx[i], want);
        }
    }
}

#[test]
fn forward_matches_reference() {
    each_isa(|_| {
        check_forward::<f32>();
        check_forward::<f64>();
    });
}

#[test]
fn backward_matches_reference() {
    each_isa(|_| {
        check_backward::<f32>();
        check_backward::<f64>();
    });
}

#[test]
fn backward_from_output_matches_formula() {
    each_isa(|_| {
        check_from_output::<f32>();
        check_from_output::<f64>();
    });
}

fn check_prelu<T: TF>() {
    let (outer, channels, inner) = (5, 4, 37);
    let n = outer * channels * inner;
    let x = samples::<T>(n, 5);
    let x: Vec<T> = x.into_iter().map(|v| if v.to_f64().is_finite() { v } else { T::default() }).collect();
    let dy = grads::<T>(n, 5);
    let alpha: Vec<T> = [0.25, -0.5, 0.0, 1.5].iter().map(|&a| T::from_f64(a)).collect();
    let mut y = vec![T::default(); n];
    relu::prelu_forward(&x, &mut y, &alpha, outer, inner).unwrap();
    let mut dx = vec![T::default(); n];
    let mut dalpha = vec![T::default(); channels];
    relu::prelu_backward(&x, &dy, &alpha, &mut dx, &mut dalpha, outer, inner).unwrap();
    let mut sum = vec![0.0f64; channels];
    let mut abs = vec![0.0f64; channels];
    for i in 0..n {
        let c = (i / inner) % channels;
        let (xv, g, a) = (x[i], dy[i], alpha[c]);
        let pos = xv.to_f64() > 0.0;
        assert_exact(&[y[i]], &[if pos { xv } else { a * xv }], "prelu forward");
        assert_exact(&[dx[i]], &[if pos { g } else { a * g }], "prelu backward");
        if !pos {
            sum[c] += xv.to_f64() * g.to_f64();
            abs[c] += (xv.to_f64() * g.to_f64()).abs();
        }
    }
    for c in 0..channels {
        let bound = T::DALPHA_REL * abs[c] + 1.2e-38;
        assert!((dalpha[c].to_f64() - sum[c]).abs() <= bound, "dalpha[{}] {:?} vs {}", c, dalpha[c], sum[c]);
    }
    // In place, both directions.
    let mut xi = x.clone();
    relu::prelu_forward_in_place(&mut xi, &alpha, outer, inner).unwrap();
    assert_exact(&xi, &y, "prelu forward in place");
    let mut g = dy.clone();
    let mut da2 = vec![T::from_f64(9.0); channels];
    relu::prelu_backward_in_place(&x, &mut g, &alpha, &mut da2, outer, inner).unwrap();
    assert_exact(&g, &dx, "prelu backward in place");
    assert_exact(&da2, &dalpha, "prelu dalpha in place");
    // NHWC is outer = N*H*W, inner = 1; an empty batch still zeroes dalpha.
    relu::prelu_forward(&x, &mut y, &alpha, n / channels, 1).unwrap();
    let mut da3 = vec![T::from_f64(9.0); channels];
    relu::prelu_backward(&[], &[], &alpha, &mut [], &mut da3, 0, inner).unwrap();
    assert!(da3.iter().all(|v| v.to_f64() == 0.0));
}

#[test]
fn prelu_matches_reference() {
    each_isa(|_| {
        check_prelu::<f32>();
        check_prelu::<f64>();
    });
}

fn check_in_place<T: TF>() {
    let x = samples::<T>(777, 6);
    let dy = grads::<T>(x.len(), 6);
    for op in OPS {
        let op = match op {
            Op::Leaky(_) => Op::Leaky(0.2),
            o => o,
        };
        let mut want = vec![T::default(); x.len()];
        op.forward(&x, &mut want).unwrap();
        let mut a = x.clone();
        op.forward_in_place(&mut a).unwrap();
        assert_exact(&a, &want, "forward in place");

        op.backward(&x, &dy, &mut want).unwrap();
        let mut g = dy.clone();
        op.backward_in_place(&x, &mut g).unwrap();
        assert_exact(&g, &want, "backward in place");

        op.bwd_from_output(&x, &dy, &mut want).unwrap();
        let mut g = dy.clone();
        op.bwd_from_output_in_place(&x, &mut g).unwrap();
        assert_exact(&g, &want, "from output in place");
    }
}

#[test]
fn in_place_equals_out_of_place() {
    check_in_place::<f32>();
    check_in_place::<f64>();
}

#[test]
fn bit_identical_across_isas_and_threads() {
    fn run() -> Vec<u64> {
        let x = samples::<f64>(300_000, 7);
        let dy = grads::<f64>(x.len(), 7);
        let mut out = Vec::new();
        let mut y = vec![0.0; x.len()];
        for op in OPS {
            op.forward(&x, &mut y).unwrap();
            out.extend(y.iter().map(|v| v.to_bits()));
            op.backward(&x, &dy, &mut y).unwrap();
            out.extend(y.iter().map(|v| v.to_bits()));
        }
        let xf: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        let mut yf = vec![0.0f32; x.len()];
        relu::elu_forward(&xf, &mut yf, 0.5).unwrap();
        out.extend(yf.iter().map(|v| v.to_bits() as u64));
        out
    }
    let _g = lock();
    let before = (relu::active_isa(), relu::num_threads());
    relu::use_isa(Isa::Scalar).unwrap();
    relu::set_num_threads(1).unwrap();
    let reference = run();
    for isa in relu::available_isas() {
        for threads in [1, 3] {
            relu::use_isa(isa).unwrap();
            relu::set_num_threads(threads).unwrap();
            assert!(run() == reference, "{} with {} threads differs from scalar", isa, threads);
        }
    }
    relu::use_isa(before.0).unwrap();
    relu::set_num_threads(before.1).unwrap();
}

// ----------------------------------------------------------------- errors

#[test]
fn length_mismatches_are_errors() {
    let x = [1.0f32, -2.0, 3.0];
    let mut y2 = [0.0f32; 2];
    let e = relu::forward(&x, &mut y2).unwrap_err();
    assert_eq!(e, Error::LengthMismatch { name: "y", expected: 3, actual: 2 });
    assert_eq!(e.status(), None);
    assert!(e.to_string().contains("`y` has 2 elements, expected 3"), "{}", e);
    assert_eq!(y2, [0.0, 0.0]);
    let mut dx = [0.0f32; 3];
    assert!(matches!(relu::backward(&x, &[1.0, 1.0], &mut dx),
                     Err(Error::LengthMismatch { name: "dy", .. })));
    assert!(matches!(relu::elu_backward(&x, &x, &mut y2, 1.0),
                     Err(Error::LengthMismatch { name: "dx", .. })));
    let mut g = [1.0f32; 4];
    assert!(matches!(relu::tanh_backward_in_place(&x, &mut g), Err(Error::LengthMismatch { .. })));
    // PReLU: layout must cover x exactly; dalpha one per channel.
    let mut y = [0.0f32; 3];
    assert!(matches!(relu::prelu_forward(&x, &mut y, &[0.1, 0.2], 1, 1),
                     Err(Error::LengthMismatch { name: "x", expected: 2, actual: 3 })));
    assert_eq!(relu::prelu_forward(&x, &mut y, &[0.1], usize::MAX, 2), Err(Error::Size));
    let mut da = [0.0f32; 2];
    assert!(matches!(relu::prelu_backward(&x, &x, &[0.1], &mut dx, &mut da, 3, 1),
                     Err(Error::LengthMismatch { name: "dalpha", .. })));
    let mut q = [0i8; 2];
    let qq = Quant::new(0.1, 0);
    assert!(matches!(s8::forward(&[1, 2, 3], &mut q, qq, qq), Err(Error::LengthMismatch { .. })));
    assert!(matches!(s8::backward(&[1, 2], &[1, 2, 3], &mut q, qq, qq, qq),
                     Err(Error::LengthMismatch { name: "dy", .. })));
}

#[test]
fn bad_parameters_are_errors() {
    let x = [1.0f64, -2.0, 3.0];
    let mut y = [7.0f64; 3];
    let nan = f64::NAN;
    let inf = f64::INFINITY;
    for r in [
        relu::leaky_forward(&x, &mut y, nan),
        relu::leaky_forward(&x, &mut y, -inf),
        relu::elu_forward(&x, &mut y, -0.5),
        relu::elu_forward(&x, &mut y, inf),
        relu::clipped_forward(&x, &mut y, 0.0),
        relu::clipped_forward(&x, &mut y, -1.0),
        relu::clipped_forward(&x, &mut y, nan),
        relu::leaky_backward_from_output(&x, &x, &mut y, 0.0),
        relu::leaky_backward_from_output(&x, &x, &mut y, -0.1),
        relu::elu_backward(&x, &x, &mut y, -1.0),
        relu::clipped_backward_from_output(&x, &x, &mut y, inf),
        // checked even with no work
        relu::clipped_forward(&[], &mut [], 0.0f64),
        relu::leaky_forward_in_place(&mut [] as &mut [f64], nan),
    ] {
        assert_eq!(r, Err(Error::Param));
    }
    assert_eq!(y, [7.0; 3], "an error must write nothing");
    assert_eq!(relu::leaky_forward(&[1.0f32], &mut [0.0], 1e39f64 as f32), Err(Error::Param));
    let e = Error::Param;
    assert_eq!(e.status(), Some(relu::ffi::RELU_ERR_PARAM));
    assert_eq!(e.to_string(), format!("relu: {}", relu::status_string(2)));
    assert!(!relu::status_string(3).is_empty());
    assert_eq!(Error::from_status(0), None);
    assert_eq!(Error::from_status(3), Some(Error::Overlap));
    assert_eq!(Error::from_status(1), Some(Error::Null));
    assert_eq!(Error::from_status(4), Some(Error::Size));
    assert_eq!(Error::from_status(5), Some(Error::Unsupported));
    assert_eq!(Error::from_status(77), Some(Error::Unknown(77)));
    // int8 quantization parameters
    let good = Quant::new(0.1, 0);
    for bad in [Quant::new(0.0, 0), Quant::new(-1.0, 0), Quant::new(f32::NAN, 0),
                Quant::new(f32::INFINITY, 0), Quant::new(1.0, 128), Quant::new(1.0, -129)] {
        let mut out = [5i8; 2];
        assert_eq!(s8::forward(&[1, 2], &mut out, bad, good), Err(Error::Param));
        assert_eq!(s8::forward(&[1, 2], &mut out, good, bad), Err(Error::Param));
        assert_eq!(s8::backward(&[1, 2], &[1, 2], &mut out, good, good, bad), Err(Error::Param));
        assert_eq!(s8::forward(&[], &mut [], bad, good), Err(Error::Param));
        assert_eq!(out, [5, 5]);
    }
    assert_eq!(s8::clipped_forward(&[1], &mut [0], 0.0, good, good), Err(Error::Param));
}

#[test]
fn empty_slices_are_fine() {
    assert_eq!(relu::forward::<f32>(&[], &mut []), Ok(()));
    assert_eq!(relu::tanh_backward::<f64>(&[], &[], &mut []), Ok(()));
    assert_eq!(s8::forward(&[], &mut [], Quant::new(1.0, 0), Quant::new(1.0, 0)), Ok(()));
}

// ------------------------------------------------------------------- int8

fn real(q: i8, quant: Quant) -> f64 {
    quant.scale as f64 * (q as f64 - quant.zero_point as f64)
}

/// (exact, other acceptable) per the API's definition, the other neighbour
/// allowed within 1e-12 (relative) of a rounding boundary.
fn quantize(v: f64, quant: Quant, tie_tol: f64) -> (i64, i64) {
    let t = v / quant.scale as f64;
    let clamp = |r: f64| (r + quant.zero_point as f64).clamp(-128.0, 127.0) as i64;
    // round half to even
    let f = t.floor();
    let d = t - f;
    let r = if d > 0.5 || (d == 0.5 && f % 2.0 != 0.0) { f + 1.0 } else { f };
    let b = f + 0.5;
    let other = if r == f { f + 1.0 } else { f };
    let near = (t - b).abs() <= tie_tol * t.abs().max(b.abs());
    (clamp(r), if near { clamp(other) } else { clamp(r) })
}

fn f_s8(op: Op, x: f64) -> f64 {
    let p = op.p::<f32>();
    match op {
        Op::Relu => x.max(0.0),
        Op::Leaky(_) => if x > 0.0 { x } else { p * x },
        Op::Clipped(_) => x.max(0.0).min(p),
        o => o.forward_f64(x, p),
    }
}

fn df_s8(op: Op, x: f64) -> f64 {
    let p = op.p::<f32>();
    match op {
        Op::Relu => if x > 0.0 { 1.0 } else { 0.0 },
        Op::Leaky(_) => if x > 0.0 { 1.0 } else { p },
        Op::Clipped(_) => if x > 0.0 && x < p { 1.0 } else { 0.0 },
        o => o.backward_f64(x, 1.0, p),
    }
}

fn s8_forward(op: Op, x: &[i8], y: &mut [i8], xq: Quant, yq: Quant) -> relu::Result<()> {
    let p = op.p::<f32>() as f32;
    match op {
        Op::Relu => s8::forward(x, y, xq, yq),
        Op::Leaky(_) => s8::leaky_forward(x, y, p, xq, yq),
        Op::Elu(_) => s8::elu_forward(x, y, p, xq, yq),
        Op::Selu => s8::selu_forward(x, y, xq, yq),
        Op::Clipped(_) => s8::clipped_forward(x, y, p, xq, yq),
        Op::Tanh => s8::tanh_forward(x, y, xq, yq),
    }
}

fn s8_forward_in_place(op: Op, x: &mut [i8], xq: Quant, yq: Quant) -> relu::Result<()> {
    let p = op.p::<f32>() as f32;
    match op {
        Op::Relu => s8::forward_in_place(x, xq, yq),
        Op::Leaky(_) => s8::leaky_forward_in_place(x, p, xq, yq),
        Op::Elu(_) => s8::elu_forward_in_place(x, p, xq, yq),
        Op::Selu => s8::selu_forward_in_place(x, xq, yq),
        Op::Clipped(_) => s8::clipped_forward_in_place(x, p, xq, yq),
        Op::Tanh => s8::tanh_forward_in_place(x, xq, yq),
    }
}

fn s8_backward(op: Op, x: &[i8], dy: &[i8], dx: &mut [i8], q: [Quant; 3]) -> relu::Result<()> {
    let p = op.p::<f32>() as f32;
    let [xq, dyq, dxq] = q;
    match op {
        Op::Relu => s8::backward(x, dy, dx, xq, dyq, dxq),
        Op::Leaky(_) => s8::leaky_backward(x, dy, dx, p, xq, dyq, dxq),
        Op::Elu(_) => s8::elu_backward(x, dy, dx, p, xq, dyq, dxq),
        Op::Selu => s8::selu_backward(x, dy, dx, xq, dyq, dxq),
        Op::Clipped(_) => s8::clipped_backward(x, dy, dx, p, xq, dyq, dxq),
        Op::Tanh => s8::tanh_backward(x, dy, dx, xq, dyq, dxq),
    }
}

fn s8_backward_in_place(op: Op, x: &[i8], dy: &mut [i8], q: [Quant; 3]) -> relu::Result<()> {
    let p = op.p::<f32>() as f32;
    let [xq, dyq, dxq] = q;
    match op {
        Op::Relu => s8::backward_in_place(x, dy, xq, dyq, dxq),
        Op::Leaky(_) => s8::leaky_backward_in_place(x, dy, p, xq, dyq, dxq),
        Op::Elu(_) => s8::elu_backward_in_place(x, dy, p, xq, dyq, dxq),
        Op::Selu => s8::selu_backward_in_place(x, dy, xq, dyq, dxq),
        Op::Clipped(_) => s8::clipped_backward_in_place(x, dy, p, xq, dyq, dxq),
        Op::Tanh => s8::tanh_backward_in_place(x, dy, xq, dyq, dxq),
    }
}

const QUANTS: [(Quant, Quant); 4] = [
    (Quant::new(0.05, 3), Quant::new(0.05, 3)),
    (Quant::new(0.1, -20), Quant::new(0.02, 5)),
    (Quant::new(1.0, 0), Quant::new(0.5, -128)),
    (Quant::new(0.003, 127), Quant::new(0.01, 0)),
];

#[test]
fn int8_matches_definition() {
    let all: Vec<i8> = (-128..=127).collect();
    let mut dy: Vec<i8> = all.clone();
    dy.reverse();
    dy.rotate_left(37);
    let dyq = Quant::new(0.03, -7);
    each_isa(|isa| {
        for op in OPS {
            for (xq, yq) in QUANTS {
                let mut y = vec![0i8; 256];
                s8_forward(op, &all, &mut y, xq, yq).unwrap();
                for i in 0..256 {
                    let (e, alt) = quantize(f_s8(op, real(all[i], xq)), yq, 1e-12);
                    let g = y[i] as i64;
                    assert!(g == e || g == alt, "{} {:?} forward x={} got {} want {}", isa, op, all[i], g, e);
                }
                let mut dx = vec![0i8; 256];
                s8_backward(op, &all, &dy, &mut dx, [xq, dyq, yq]).unwrap();
                for i in 0..256 {
                    let v = real(dy[i], dyq) * df_s8(op, real(all[i], xq));
                    let (e, _) = quantize(v, yq, 0.0);
                    assert!((dx[i] as i64 - e).abs() <= 1, "{} {:?} backward x={} dy={} got {} want {}",
                            isa, op, all[i], dy[i], dx[i], e);
                }
                // in place
                let mut a = all.clone();
                s8_forward_in_place(op, &mut a, xq, yq).unwrap();
                assert_eq!(a, y);
                let mut g = dy.clone();
                s8_backward_in_place(op, &all, &mut g, [xq, dyq, yq]).unwrap();
                assert_eq!(g, dx);
            }
        }
    });
}

#[test]
fn int8_prelu() {
    let (xq, yq, dyq) = (Quant::new(0.04, -5), Quant::new(0.03, 10), Quant::new(0.02, 1));
    let x: Vec<i8> = (-128..=127).collect();
    let dy: Vec<i8> = x.iter().rev().cloned().collect();
    let alpha = [0.25f32, -0.5, 1.5, 0.0];
    let (outer, inner) = (2, 32);
    each_isa(|_| {
        let mut y = vec![0i8; 256];
        s8::prelu_forward(&x, &mut y, &alpha, outer, inner, xq, yq).unwrap();
        let mut dx = vec![0i8; 256];
        let mut da = [0.0f32; 4];
        s8::prelu_backward(&x, &dy, &alpha, &mut dx, &mut da, outer, inner, xq, dyq, yq).unwrap();
        let mut sum = [0.0f64; 4];
        let mut abs = [0.0f64; 4];
        for i in 0..256 {
            let c = (i / inner) % 4;
            let (xr, gr) = (real(x[i], xq), real(dy[i], dyq));
            let a = alpha[c] as f64;
            let (e, alt) = quantize(if xr > 0.0 { xr } else { a * xr }, yq, 1e-12);
            assert!(y[i] as i64 == e || y[i] as i64 == alt);
            let (e, _) = quantize(gr * if xr > 0.0 { 1.0 } else { a }, yq, 0.0);
            assert!((dx[i] as i64 - e).abs() <= 1);
            if xr <= 0.0 {
                sum[c] += xr * gr;
                abs[c] += (xr * gr).abs();
            }
        }
        for c in 0..4 {
            assert!((da[c] as f64 - sum[c]).abs() <= 1e-5 * abs[c] + 1.2e-38, "{} {}", da[c], sum[c]);
        }
        let mut a = x.clone();
        s8::prelu_forward_in_place(&mut a, &alpha, outer, inner, xq, yq).unwrap();
        assert_eq!(a, y);
        let mut g = dy.clone();
        let mut da2 = [0.0f32; 4];
        s8::prelu_backward_in_place(&x, &mut g, &alpha, &mut da2, outer, inner, xq, dyq, yq).unwrap();
        assert_eq!(g, dx);
        assert_eq!(da2, da);
    });
}

// ------------------------------------------------------------ ISA, threads

#[test]
fn isa_and_thread_controls() {
    let _g = lock();
    let before = (relu::active_isa(), relu::num_threads());
    let avail = relu::available_isas();
    assert_eq!(avail[0], Isa::Scalar);
    assert!(avail.contains(&before.0));
    for isa in Isa::ALL {
        assert_eq!(Isa::from_name(&isa.name().to_uppercase()), Some(isa));
        if isa.is_available() {
            relu::use_isa(isa).unwrap();
            assert_eq!(relu::active_isa(), isa);
        } else {
            let cur = relu::active_isa();
            assert_eq!(relu::use_isa(isa), Err(Error::Unsupported));
            assert_eq!(relu::active_isa(), cur);
        }
    }
    assert_eq!(Isa::from_name("sse9"), None);
    assert_eq!(["scalar", "avx2", "avx512", "neon"], Isa::ALL.map(|i| i.name()));
    relu::set_num_threads(3).unwrap();
    assert_eq!(relu::num_threads(), 3);
    for bad in [0usize, 1025, usize::MAX] {
        assert_eq!(relu::set_num_threads(bad), Err(Error::Param));
    }
    assert_eq!(relu::num_threads(), 3);
    relu::use_isa(before.0).unwrap();
    relu::set_num_threads(before.1).unwrap();
}

#[test]
fn version_is_1x() {
    let v = relu::version();
    assert!(v.starts_with("1."), "{}", v);
    assert_eq!(v.split('.').count(), 3);
}
