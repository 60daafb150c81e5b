//! Safe Rust bindings for librelu: ReLU-family activations (ReLU, Leaky ReLU,
//! PReLU, ELU, SELU, clipped ReLU, rectified tanh), forward and backward,
//! over `f32`, `f64` and quantized `i8` slices.
//!
//! ```
//! let x = [-2.0f32, -0.5, 0.0, 0.5, 7.0];
//! let mut y = [0.0f32; 5];
//! relu::clipped_forward(&x, &mut y, 6.0)?; // ReLU6
//! assert_eq!(y, [0.0, 0.0, 0.0, 0.5, 6.0]);
//! relu::elu_forward_in_place(&mut y, 1.0)?; // in place
//! let q = relu::Quant::new(0.05, 3);
//! let mut yq = [0i8; 2];
//! relu::s8::forward(&[-5i8, 7], &mut yq, q, q)?; // int8: y = x where x >= zero_point
//! assert_eq!(yq, [3, 7]);
//! assert_eq!(relu::leaky_forward(&x, &mut y[..2], 0.1), // wrong length: an error
//!            Err(relu::Error::LengthMismatch { name: "y", expected: 5, actual: 2 }));
//! # Ok::<(), relu::Error>(())
//! ```
//!
//! * Float functions are generic over [`Float`] (`f32`, `f64`); the int8 ones
//!   live in [`s8`] and take a [`Quant`] per buffer.
//! * Every function returns `Result<(), Error>`: the library's statuses map
//!   to [`Error::Null`], [`Error::Param`], [`Error::Overlap`], [`Error::Size`],
//!   [`Error::Unsupported`]; slices of the wrong length are
//!   [`Error::LengthMismatch`] (checked before calling; never a panic). On an
//!   error nothing has been written.
//! * `*_in_place` variants overwrite their input: `x` for a forward, `dy`
//!   (which becomes `dx`) for a backward.
//! * PReLU views the data as `[outer][channels][inner]` with
//!   `channels = alpha.len()` (NCHW: `outer = N`, `inner = H*W`; NHWC:
//!   `outer = N*H*W`, `inner = 1`).
//!
//! The raw C API is in [`ffi`].

use std::ffi::CStr;
use std::fmt;
use std::os::raw::c_int;

pub mod ffi;

// ---------------------------------------------------------------- errors

/// A failed call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// `RELU_ERR_NULL`: a required pointer was NULL (not reachable from safe code).
    Null,
    /// `RELU_ERR_PARAM`: a scalar parameter or a [`Quant`] is out of its domain.
    Param,
    /// `RELU_ERR_OVERLAP`: an output partially overlaps another buffer.
    Overlap,
    /// `RELU_ERR_SIZE`: `outer * channels * inner` overflows `usize`.
    Size,
    /// `RELU_ERR_UNSUPPORTED`: the ISA cannot run on this CPU or build.
    Unsupported,
    /// A status this crate does not know (a newer library).
    Unknown(i32),
    /// A slice does not have the length the call needs.
    LengthMismatch {
        /// The argument's name (`"y"`, `"dy"`, `"dalpha"`, ...).
        name: &'static str,
        expected: usize,
        actual: usize,
    },
}

impl Error {
    /// The error for a C status, `None` for `RELU_OK`.
    pub fn from_status(status: ffi::relu_status) -> Option<Error> {
        match status {
            ffi::RELU_OK => None,
            ffi::RELU_ERR_NULL => Some(Error::Null),
            ffi::RELU_ERR_PARAM => Some(Error::Param),
            ffi::RELU_ERR_OVERLAP => Some(Error::Overlap),
            ffi::RELU_ERR_SIZE => Some(Error::Size),
            ffi::RELU_ERR_UNSUPPORTED => Some(Error::Unsupported),
            other => Some(Error::Unknown(other)),
        }
    }

    /// The C status, `None` for [`Error::LengthMismatch`] (a binding check).
    pub fn status(&self) -> Option<ffi::relu_status> {
        match *self {
            Error::Null => Some(ffi::RELU_ERR_NULL),
            Error::Param => Some(ffi::RELU_ERR_PARAM),
            Error::Overlap => Some(ffi::RELU_ERR_OVERLAP),
            Error::Size => Some(ffi::RELU_ERR_SIZE),
            Error::Unsupported => Some(ffi::RELU_ERR_UNSUPPORTED),
            Error::Unknown(s) => Some(s),
            Error::LengthMismatch { .. } => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (*self, self.status()) {
            (Error::LengthMismatch { name, expected, actual }, _) => {
                write!(f, "relu: `{}` has {} elements, expected {}", name, actual, expected)
            }
            (_, Some(s)) => write!(f, "relu: {}", status_string(s)),
            (_, None) => unreachable!(),
        }
    }
}

impl std::error::Error for Error {}

/// `Result<T, relu::Error>`.
pub type Result<T> = std::result::Result<T, Error>;

fn check(status: ffi::relu_status) -> Result<()> {
    match Error::from_status(status) {
        None => Ok(()),
        Some(e) => Err(e),
    }
}

fn same_len(name: &'static str, expected: usize, actual: usize) -> Result<()> {
    if expected == actual {
        Ok(())
    } else {
        Err(Error::LengthMismatch { name, expected, actual })
    }
}

fn static_str(p: *const std::os::raw::c_char) -> &'static str {
    if p.is_null() {
        return "";
    }
    // SAFETY: the library returns pointers to static NUL-terminated strings.
    unsafe { CStr::from_ptr(p) }.to_str().unwrap_or("")
}

/// The library's description of a status (`relu_status_string`).
pub fn status_string(status: ffi::relu_status) -> &'static str {
    static_str(unsafe { ffi::relu_status_string(status) })
}

/// The loaded library's version, e.g. `"1.0.0"`.
pub fn version() -> &'static str {
    static_str(unsafe { ffi::relu_version_string() })
}

// ------------------------------------------------------------- int8 quant

/// int8 quantization: real value = `scale * (q - zero_point)`; `scale`
/// finite and > 0, `zero_point` in -128..=127 (else [`Error::Param`]).
/// Layout-compatible with the C `relu_quant`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quant {
    pub scale: f32,
    pub zero_point: i32,
}

impl Quant {
    pub const fn new(scale: f32, zero_point: i32) -> Quant {
        Quant { scale, zero_point }
    }
}

// ----------------------------------------------------------- ISA, threads

/// A kernel tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Isa {
    Scalar,
    Avx2,
    Avx512,
    Neon,
}

impl Isa {
    /// Every tier librelu 1.x knows, scalar first.
    pub const ALL: [Isa; 4] = [Isa::Scalar, Isa::Avx2, Isa::Avx512, Isa::Neon];

    /// The C enum value.
    pub fn raw(self) -> ffi::relu_isa {
        match self {
            Isa::Scalar => ffi::RELU_ISA_SCALAR,
            Isa::Avx2 => ffi::RELU_ISA_AVX2,
            Isa::Avx512 => ffi::RELU_ISA_AVX512,
            Isa::Neon => ffi::RELU_ISA_NEON,
        }
    }

    pub fn from_raw(v: ffi::relu_isa) -> Option<Isa> {
        Isa::ALL.iter().copied().find(|i| i.raw() == v)
    }

    /// `"scalar"`, `"avx2"`, `"avx512"` or `"neon"` (`relu_isa_name`).
    pub fn name(self) -> &'static str {
        static_str(unsafe { ffi::relu_isa_name(self.raw()) })
    }

    /// By name, any case.
    pub fn from_name(name: &str) -> Option<Isa> {
        Isa::ALL.iter().copied().find(|i| i.name().eq_ignore_ascii_case(name))
    }

    /// Whether this CPU and build can run the tier.
    pub fn is_available(self) -> bool {
        unsafe { ffi::relu_isa_available(self.raw()) != 0 }
    }
}

impl fmt::Display for Isa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The tier in use.
pub fn active_isa() -> Isa {
    let raw = unsafe { ffi::relu_active_isa() };
    Isa::from_raw(raw).unwrap_or(Isa::Scalar)
}

/// The tiers this CPU and build can run, scalar first.
pub fn available_isas() -> Vec<Isa> {
    Isa::ALL.iter().copied().filter(|i| i.is_available()).collect()
}

/// Switches every kernel to `isa`; [`Error::Unsupported`] if it cannot run here.
pub fn use_isa(isa: Isa) -> Result<()> {
    check(unsafe { ffi::relu_use_isa(isa.raw()) })
}

/// Threads for large calls: 1..=1024, else [`Error::Param`].
pub fn set_num_threads(n: usize) -> Result<()> {
    if n > c_int::MAX as usize {
        return Err(Error::Param);
    }
    check(unsafe { ffi::relu_set_num_threads(n as c_int) })
}

/// The thread count in effect.
pub fn num_threads() -> usize {
    unsafe { ffi::relu_get_num_threads() }.max(0) as usize
}

// ------------------------------------------------------------ float trait

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

macro_rules! fty {
    ($t:ty, cp) => { *const $t };
    ($t:ty, mp) => { *mut $t };
    ($t:ty, n) => { usize };
    ($t:ty, s) => { $t };
}

macro_rules! float_trait {
    ($( $m:ident ( $( $a:ident : $k:ident ),* ) => $c32:ident, $c64:ident; )*) => {
        /// `f32` or `f64`: the element types of the float API. Sealed; its
        /// methods are the raw C functions of that type.
        pub trait Float: sealed::Sealed + Copy + PartialOrd + fmt::Debug + Send + Sync + 'static {
            $(
                #[doc(hidden)]
                #[allow(clippy::missing_safety_doc, clippy::too_many_arguments)]
                unsafe fn $m($( $a: fty!(Self, $k) ),*) -> ffi::relu_status;
            )*
        }
        impl Float for f32 {
            $(
                #[inline]
                #[allow(clippy::too_many_arguments)]
                unsafe fn $m($( $a: fty!(f32, $k) ),*) -> ffi::relu_status {
                    ffi::$c32($( $a ),*)
                }
            )*
        }
        impl Float for f64 {
            $(
                #[inline]
                #[allow(clippy::too_many_arguments)]
                unsafe fn $m($( $a: fty!(f64, $k) ),*) -> ffi::relu_status {
                    ffi::$c64($( $a ),*)
                }
            )*
        }
    };
}

float_trait! {
    raw_forward(x: cp, y: mp, n: n) => relu_forward_f32, relu_forward_f64;
    raw_leaky_forward(x: cp, y: mp, n: n, a: s) => relu_leaky_forward_f32, relu_leaky_forward_f64;
    raw_prelu_forward(x: cp, y: mp, a: cp, o: n, c: n, i: n)
        => relu_prelu_forward_f32, relu_prelu_forward_f64;
    raw_elu_forward(x: cp, y: mp, n: n, a: s) => relu_elu_forward_f32, relu_elu_forward_f64;
    raw_selu_forward(x: cp, y: mp, n: n) => relu_selu_forward_f32, relu_selu_forward_f64;
    raw_clipped_forward(x: cp, y: mp, n: n, c: s)
        => relu_clipped_forward_f32, relu_clipped_forward_f64;
    raw_tanh_forward(x: cp, y: mp, n: n) => relu_tanh_forward_f32, relu_tanh_forward_f64;

    raw_backward(x: cp, dy: cp, dx: mp, n: n) => relu_backward_f32, relu_backward_f64;
    raw_leaky_backward(x: cp, dy: cp, dx: mp, n: n, a: s)
        => relu_leaky_backward_f32, relu_leaky_backward_f64;
    raw_prelu_backward(x: cp, dy: cp, a: cp, dx: mp, da: mp, o: n, c: n, i: n)
        => relu_prelu_backward_f32, relu_prelu_backward_f64;
    raw_elu_backward(x: cp, dy: cp, dx: mp, n: n, a: s)
        => relu_elu_backward_f32, relu_elu_backward_f64;
    raw_selu_backward(x: cp, dy: cp, dx: mp, n: n) => relu_selu_backward_f32, relu_selu_backward_f64;
    raw_clipped_backward(x: cp, dy: cp, dx: mp, n: n, c: s)
        => relu_clipped_backward_f32, relu_clipped_backward_f64;
    raw_tanh_backward(x: cp, dy: cp, dx: mp, n: n) => relu_tanh_backward_f32, relu_tanh_backward_f64;

    raw_backward_from_output(y: cp, dy: cp, dx: mp, n: n)
        => relu_backward_from_output_f32, relu_backward_from_output_f64;
    raw_leaky_backward_from_output(y: cp, dy: cp, dx: mp, n: n, a: s)
        => relu_leaky_backward_from_output_f32, relu_leaky_backward_from_output_f64;
    raw_elu_backward_from_output(y: cp, dy: cp, dx: mp, n: n, a: s)
        => relu_elu_backward_from_output_f32, relu_elu_backward_from_output_f64;
    raw_selu_backward_from_output(y: cp, dy: cp, dx: mp, n: n)
        => relu_selu_backward_from_output_f32, relu_selu_backward_from_output_f64;
    raw_clipped_backward_from_output(y: cp, dy: cp, dx: mp, n: n, c: s)
        => relu_clipped_backward_from_output_f32, relu_clipped_backward_from_output_f64;
    raw_tanh_backward_from_output(y: cp, dy: cp, dx: mp, n: n)
        => relu_tanh_backward_from_output_f32, relu_tanh_backward_from_output_f64;
}

// ---------------------------------------------------------- float safe API

macro_rules! forward_fn {
    ($(#[$doc:meta])* $name:ident, $in_place:ident, $raw:ident $(, $p:ident)*) => {
        $(#[$doc])*
        pub fn $name<T: Float>(x: &[T], y: &mut [T] $(, $p: T)*) -> Result<()> {
            same_len("y", x.len(), y.len())?;
            check(unsafe { T::$raw(x.as_ptr(), y.as_mut_ptr(), x.len() $(, $p)*) })
        }
        #[doc = concat!("[`", stringify!($name), "`] in place: `x` is overwritten with `y`.")]
        pub fn $in_place<T: Float>(x: &mut [T] $(, $p: T)*) -> Result<()> {
            let (p, n) = (x.as_mut_ptr(), x.len());
            check(unsafe { T::$raw(p, p, n $(, $p)*) })
        }
    };
}

macro_rules! backward_fn {
    ($(#[$doc:meta])* $name:ident, $in_place:ident, $raw:ident, $first:ident $(, $p:ident)*) => {
        $(#[$doc])*
        pub fn $name<T: Float>($first: &[T], dy: &[T], dx: &mut [T] $(, $p: T)*) -> Result<()> {
            same_len("dy", $first.len(), dy.len())?;
            same_len("dx", $first.len(), dx.len())?;
            check(unsafe { T::$raw($first.as_ptr(), dy.as_ptr(), dx.as_mut_ptr(), dx.len() $(, $p)*) })
        }
        #[doc = concat!("[`", stringify!($name), "`] in place: `dy` is overwritten with `dx`.")]
        pub fn $in_place<T: Float>($first: &[T], dy: &mut [T] $(, $p: T)*) -> Result<()> {
            same_len("dy", $first.len(), dy.len())?;
            let p = dy.as_mut_ptr();
            check(unsafe { T::$raw($first.as_ptr(), p as *const T, p, dy.len() $(, $p)*) })
        }
    };
}

forward_fn!(
    /// ReLU: `y = max(0, x)`.
    forward, forward_in_place, raw_forward);
forward_fn!(
    /// Leaky ReLU: `y = x > 0 ? x : alpha*x` (`alpha` finite).
    leaky_forward, leaky_forward_in_place, raw_leaky_forward, alpha);
forward_fn!(
    /// ELU: `y = x > 0 ? x : alpha*expm1(x)` (`alpha` finite, >= 0).
    elu_forward, elu_forward_in_place, raw_elu_forward, alpha);
forward_fn!(
    /// SELU: `y = L*(x > 0 ? x : A*expm1(x))`.
    selu_forward, selu_forward_in_place, raw_selu_forward);
forward_fn!(
    /// Clipped ReLU: `y = min(max(x, 0), cap)` (`cap` finite, > 0; 6 is ReLU6).
    clipped_forward, clipped_forward_in_place, raw_clipped_forward, cap);
forward_fn!(
    /// Rectified tanh: `y = max(0, tanh(x))`.
    tanh_forward, tanh_forward_in_place, raw_tanh_forward);

backward_fn!(
    /// ReLU gradient: `dx = x > 0 ? dy : 0`.
    backward, backward_in_place, raw_backward, x);
backward_fn!(
    /// Leaky ReLU gradient: `dx = x > 0 ? dy : alpha*dy`.
    leaky_backward, leaky_backward_in_place, raw_leaky_backward, x, alpha);
backward_fn!(
    /// ELU gradient: `dx = x > 0 ? dy : dy*alpha*exp(x)`.
    elu_backward, elu_backward_in_place, raw_elu_backward, x, alpha);
backward_fn!(
    /// SELU gradient: `dx = x > 0 ? L*dy : dy*L*A*exp(x)`.
    selu_backward, selu_backward_in_place, raw_selu_backward, x);
backward_fn!(
    /// Clipped ReLU gradient: `dx = 0 < x < cap ? dy : 0`.
    clipped_backward, clipped_backward_in_place, raw_clipped_backward, x, cap);
backward_fn!(
    /// Rectified tanh gradient: `dx = x > 0 ? dy*(1 - tanh(x)^2) : 0`.
    tanh_backward, tanh_backward_in_place, raw_tanh_backward, x);

backward_fn!(
    /// ReLU gradient from the forward output: `dx = y > 0 ? dy : 0`.
    backward_from_output, backward_from_output_in_place, raw_backward_from_output, y);
backward_fn!(
    /// Leaky ReLU gradient from the output: `dx = y > 0 ? dy : alpha*dy` (`alpha` > 0).
    leaky_backward_from_output, leaky_backward_from_output_in_place,
    raw_leaky_backward_from_output, y, alpha);
backward_fn!(
    /// ELU gradient from the output: `dx = y > 0 ? dy : dy*(y + alpha)`.
    elu_backward_from_output, elu_backward_from_output_in_place,
    raw_elu_backward_from_output, y, alpha);
backward_fn!(
    /// SELU gradient from the output: `dx = y > 0 ? L*dy : dy*(y + L*A)`.
    selu_backward_from_output, selu_backward_from_output_in_place,
    raw_selu_backward_from_output, y);
backward_fn!(
    /// Clipped ReLU gradient from the output: `dx = 0 < y < cap ? dy : 0`.
    clipped_backward_from_output, clipped_backward_from_output_in_place,
    raw_clipped_backward_from_output, y, cap);
backward_fn!(
    /// Rectified tanh gradient from the output: `dx = y > 0 ? dy*fma(-y, y, 1) : 0`.
    tanh_backward_from_output, tanh_backward_from_output_in_place,
    raw_tanh_backward_from_output, y);

/// `outer * channels * inner`, which must equal `len`.
fn prelu_len(len: usize, outer: usize, channels: usize, inner: usize) -> Result<()> {
    let n = outer
        .checked_mul(channels)
        .and_then(|v| v.checked_mul(inner))
        .ok_or(Error::Size)?;
    same_len("x", n, len)
}

/// PReLU: `y = x > 0 ? x : alpha[c]*x` over `[outer][alpha.len()][inner]`.
pub fn prelu_forward<T: Float>(x: &[T], y: &mut [T], alpha: &[T], outer: usize,
                               inner: usize) -> Result<()> {
    prelu_len(x.len(), outer, alpha.len(), inner)?;
    same_len("y", x.len(), y.len())?;
    check(unsafe {
        T::raw_prelu_forward(x.as_ptr(), y.as_mut_ptr(), alpha.as_ptr(), outer, alpha.len(), inner)
    })
}

/// [`prelu_forward`] in place: `x` is overwritten with `y`.
pub fn prelu_forward_in_place<T: Float>(x: &mut [T], alpha: &[T], outer: usize,
                                        inner: usize) -> Result<()> {
    prelu_len(x.len(), outer, alpha.len(), inner)?;
    let p = x.as_mut_ptr();
    check(unsafe { T::raw_prelu_forward(p, p, alpha.as_ptr(), outer, alpha.len(), inner) })
}

/// PReLU gradients: `dx = x > 0 ? dy : alpha[c]*dy`, and `dalpha[c]`
/// (overwritten) = sum over channel `c`'s elements with `x <= 0` of `x*dy`.
pub fn prelu_backward<T: Float>(x: &[T], dy: &[T], alpha: &[T], dx: &mut [T], dalpha: &mut [T],
                                outer: usize, inner: usize) -> Result<()> {
    prelu_len(x.len(), outer, alpha.len(), inner)?;
    same_len("dy", x.len(), dy.len())?;
    same_len("dx", x.len(), dx.len())?;
    same_len("dalpha", alpha.len(), dalpha.len())?;
    check(unsafe {
        T::raw_prelu_backward(x.as_ptr(), dy.as_ptr(), alpha.as_ptr(), dx.as_mut_ptr(),
                              dalpha.as_mut_ptr(), outer, alpha.len(), inner)
    })
}

/// [`prelu_backward`] in place: `dy` is overwritten with `dx`.
pub fn prelu_backward_in_place<T: Float>(x: &[T], dy: &mut [T], alpha: &[T], dalpha: &mut [T],
                                         outer: usize, inner: usize) -> Result<()> {
    prelu_len(x.len(), outer, alpha.len(), inner)?;
    same_len("dy", x.len(), dy.len())?;
    same_len("dalpha", alpha.len(), dalpha.len())?;
    let p = dy.as_mut_ptr();
    check(unsafe {
        T::raw_prelu_backward(x.as_ptr(), p as *const T, alpha.as_ptr(), p, dalpha.as_mut_ptr(),
                              outer, alpha.len(), inner)
    })
}

// -------------------------------------------------------------------- int8

/// Quantized int8: `y = clamp(round_half_even(f(x_real) / yq.scale) + yq.zero_point)`
/// with `x_real = xq.scale * (x - xq.zero_point)`, `f` in double precision.
/// Backward: `dx` from `dy_real * f'(x_real)` quantized with `dxq` (within 1 LSB).
pub mod s8 {
    use super::{check, ffi, prelu_len, same_len, Quant, Result};

    macro_rules! s8_forward_fn {
        ($(#[$doc:meta])* $name:ident, $in_place:ident, $c:ident $(, $p:ident)*) => {
            $(#[$doc])*
            pub fn $name(x: &[i8], y: &mut [i8] $(, $p: f32)*, xq: Quant, yq: Quant) -> Result<()> {
                same_len("y", x.len(), y.len())?;
                check(unsafe { ffi::$c(x.as_ptr(), y.as_mut_ptr(), x.len() $(, $p)*, &xq, &yq) })
            }
            #[doc = concat!("[`", stringify!($name), "`] in place: `x` is overwritten with `y`.")]
            pub fn $in_place(x: &mut [i8] $(, $p: f32)*, xq: Quant, yq: Quant) -> Result<()> {
                let (p, n) = (x.as_mut_ptr(), x.len());
                check(unsafe { ffi::$c(p, p, n $(, $p)*, &xq, &yq) })
            }
        };
    }

    macro_rules! s8_backward_fn {
        ($(#[$doc:meta])* $name:ident, $in_place:ident, $c:ident $(, $p:ident)*) => {
            $(#[$doc])*
            pub fn $name(x: &[i8], dy: &[i8], dx: &mut [i8] $(, $p: f32)*, xq: Quant, dyq: Quant,
                         dxq: Quant) -> Result<()> {
                same_len("dy", x.len(), dy.len())?;
                same_len("dx", x.len(), dx.len())?;
                check(unsafe {
                    ffi::$c(x.as_ptr(), dy.as_ptr(), dx.as_mut_ptr(), x.len() $(, $p)*, &xq, &dyq, &dxq)
                })
            }
            #[doc = concat!("[`", stringify!($name), "`] in place: `dy` is overwritten with `dx`.")]
            pub fn $in_place(x: &[i8], dy: &mut [i8] $(, $p: f32)*, xq: Quant, dyq: Quant,
                             dxq: Quant) -> Result<()> {
                same_len("dy", x.len(), dy.len())?;
                let p = dy.as_mut_ptr();
                check(unsafe {
                    ffi::$c(x.as_ptr(), p as *const i8, p, x.len() $(, $p)*, &xq, &dyq, &dxq)
                })
            }
        };
    }

    s8_forward_fn!(/// ReLU.
        forward, forward_in_place, relu_forward_s8);
    s8_forward_fn!(/// Leaky ReLU.
        leaky_forward, leaky_forward_in_place, relu_leaky_forward_s8, alpha);
    s8_forward_fn!(/// ELU.
        elu_forward, elu_forward_in_place, relu_elu_forward_s8, alpha);
    s8_forward_fn!(/// SELU.
        selu_forward, selu_forward_in_place, relu_selu_forward_s8);
    s8_forward_fn!(/// Clipped ReLU.
        clipped_forward, clipped_forward_in_place, relu_clipped_forward_s8, cap);
    s8_forward_fn!(/// Rectified tanh.
        tanh_forward, tanh_forward_in_place, relu_tanh_forward_s8);

    s8_backward_fn!(/// ReLU gradient.
        backward, backward_in_place, relu_backward_s8);
    s8_backward_fn!(/// Leaky ReLU gradient.
        leaky_backward, leaky_backward_in_place, relu_leaky_backward_s8, alpha);
    s8_backward_fn!(/// ELU gradient.
        elu_backward, elu_backward_in_place, relu_elu_backward_s8, alpha);
    s8_backward_fn!(/// SELU gradient.
        selu_backward, selu_backward_in_place, relu_selu_backward_s8);
    s8_backward_fn!(/// Clipped ReLU gradient.
        clipped_backward, clipped_backward_in_place, relu_clipped_backward_s8, cap);
    s8_backward_fn!(/// Rectified tanh gradient.
        tanh_backward, tanh_backward_in_place, relu_tanh_backward_s8);

    /// PReLU over `[outer][alpha.len()][inner]`.
    pub fn prelu_forward(x: &[i8], y: &mut [i8], alpha: &[f32], outer: usize, inner: usize,
                         xq: Quant, yq: Quant) -> Result<()> {
        prelu_len(x.len(), outer, alpha.len(), inner)?;
        same_len("y", x.len(), y.len())?;
        check(unsafe {
            ffi::relu_prelu_forward_s8(x.as_ptr(), y.as_mut_ptr(), alpha.as_ptr(), outer,
                                       alpha.len(), inner, &xq, &yq)
        })
    }

    /// [`prelu_forward`] in place.
    pub fn prelu_forward_in_place(x: &mut [i8], alpha: &[f32], outer: usize, inner: usize,
                                  xq: Quant, yq: Quant) -> Result<()> {
        prelu_len(x.len(), outer, alpha.len(), inner)?;
        let p = x.as_mut_ptr();
        check(unsafe {
            ffi::relu_prelu_forward_s8(p, p, alpha.as_ptr(), outer, alpha.len(), inner, &xq, &yq)
        })
    }

    /// PReLU gradients; `dalpha` (float) as for the float API.
    #[allow(clippy::too_many_arguments)]
    pub fn prelu_backward(x: &[i8], dy: &[i8], alpha: &[f32], dx: &mut [i8], dalpha: &mut [f32],
                          outer: usize, inner: usize, xq: Quant, dyq: Quant,
                          dxq: Quant) -> Result<()> {
        prelu_len(x.len(), outer, alpha.len(), inner)?;
        same_len("dy", x.len(), dy.len())?;
        same_len("dx", x.len(), dx.len())?;
        same_len("dalpha", alpha.len(), dalpha.len())?;
        check(unsafe {
            ffi::relu_prelu_backward_s8(x.as_ptr(), dy.as_ptr(), alpha.as_ptr(), dx.as_mut_ptr(),
                                        dalpha.as_mut_ptr(), outer, alpha.len(), inner, &xq,
                                        &dyq, &dxq)
        })
    }

    /// [`prelu_backward`] in place: `dy` is overwritten with `dx`.
    #[allow(clippy::too_many_arguments)]
    pub fn prelu_backward_in_place(x: &[i8], dy: &mut [i8], alpha: &[f32], dalpha: &mut [f32],
                                   outer: usize, inner: usize, xq: Quant, dyq: Quant,
                                   dxq: Quant) -> Result<()> {
        prelu_len(x.len(), outer, alpha.len(), inner)?;
        same_len("dy", x.len(), dy.len())?;
        same_len("dalpha", alpha.len(), dalpha.len())?;
        let p = dy.as_mut_ptr();
        check(unsafe {
            ffi::relu_prelu_backward_s8(x.as_ptr(), p as *const i8, alpha.as_ptr(), p,
                                        dalpha.as_mut_ptr(), outer, alpha.len(), inner, &xq,
                                        &dyq, &dxq)
        })
    }
}
