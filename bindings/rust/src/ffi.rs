//! Raw declarations of the whole librelu C API (`include/relu.h`).
//!
//! Declared through one macro that also records every signature as text
//! ([`declarations`]), so `tests/header.rs` can compare them, name by name
//! and parameter by parameter, with the prototypes parsed from `relu.h`.
#![allow(non_camel_case_types)]

use std::os::raw::{c_char, c_int};

/// `relu_status` (a C enum: passed as `int`).
pub type relu_status = c_int;
pub const RELU_OK: relu_status = 0;
pub const RELU_ERR_NULL: relu_status = 1;
pub const RELU_ERR_PARAM: relu_status = 2;
pub const RELU_ERR_OVERLAP: relu_status = 3;
pub const RELU_ERR_SIZE: relu_status = 4;
pub const RELU_ERR_UNSUPPORTED: relu_status = 5;

/// `relu_isa` (a C enum: passed as `int`).
pub type relu_isa = c_int;
pub const RELU_ISA_SCALAR: relu_isa = 0;
pub const RELU_ISA_AVX2: relu_isa = 1;
pub const RELU_ISA_AVX512: relu_isa = 2;
pub const RELU_ISA_NEON: relu_isa = 3;

/// `relu_quant`: the same `#[repr(C)]` struct as [`crate::Quant`].
pub type relu_quant = crate::Quant;

/// One declared C function: its name, Rust parameter and return types as
/// written below, and its address (taking it makes the linker resolve it).
#[derive(Debug, Clone, Copy)]
pub struct Decl {
    pub name: &'static str,
    pub params: &'static [&'static str],
    pub ret: &'static str,
    pub addr: usize,
}

macro_rules! declare {
    ($( fn $name:ident ( $( $arg:ident : $ty:ty ),* $(,)? ) -> $ret:ty ; )*) => {
        extern "C" {
            $( pub fn $name( $( $arg: $ty ),* ) -> $ret; )*
        }
        /// Every declaration above, in order.
        pub fn declarations() -> Vec<Decl> {
            vec![ $( Decl {
                name: stringify!($name),
                params: &[ $( stringify!($ty) ),* ],
                ret: stringify!($ret),
                addr: $name as *const () as usize,
            } ),* ]
        }
    };
}

declare! {
    fn relu_status_string(s: relu_status) -> *const c_char;
    fn relu_version_string() -> *const c_char;

    fn relu_forward_f32(x: *const f32, y: *mut f32, n: usize) -> relu_status;
    fn relu_leaky_forward_f32(x: *const f32, y: *mut f32, n: usize, alpha: f32) -> relu_status;
    fn relu_prelu_forward_f32(x: *const f32, y: *mut f32, alpha: *const f32,
                              outer: usize, channels: usize, inner: usize) -> relu_status;
    fn relu_elu_forward_f32(x: *const f32, y: *mut f32, n: usize, alpha: f32) -> relu_status;
    fn relu_selu_forward_f32(x: *const f32, y: *mut f32, n: usize) -> relu_status;
    fn relu_clipped_forward_f32(x: *const f32, y: *mut f32, n: usize, cap: f32) -> relu_status;
    fn relu_tanh_forward_f32(x: *const f32, y: *mut f32, n: usize) -> relu_status;

    fn relu_backward_f32(x: *const f32, dy: *const f32, dx: *mut f32, n: usize) -> relu_status;
    fn relu_leaky_backward_f32(x: *const f32, dy: *const f32, dx: *mut f32, n: usize,
                               alpha: f32) -> relu_status;
    fn relu_prelu_backward_f32(x: *const f32, dy: *const f32, alpha: *const f32, dx: *mut f32,
                               dalpha: *mut f32, outer: usize, channels: usize,
                               inner: usize) -> relu_status;
    fn relu_elu_backward_f32(x: *const f32, dy: *const f32, dx: *mut f32, n: usize,
                             alpha: f32) -> relu_status;
    fn relu_selu_backward_f32(x: *const f32, dy: *const f32, dx: *mut f32, n: usize) -> relu_status;
    fn relu_clipped_backward_f32(x: *const f32, dy: *const f32, dx: *mut f32, n: usize,
                                 cap: f32) -> relu_status;
    fn relu_tanh_backward_f32(x: *const f32, dy: *const f32, dx: *mut f32, n: usize) -> relu_status;

    fn relu_backward_from_output_f32(y: *const f32, dy: *const f32, dx: *mut f32,
                                     n: usize) -> relu_status;
    fn relu_leaky_backward_from_output_f32(y: *const f32, dy: *const f32, dx: *mut f32, n: usize,
                                           alpha: f32) -> relu_status;
    fn relu_elu_backward_from_output_f32(y: *const f32, dy: *const f32, dx: *mut f32, n: usize,
                                         alpha: f32) -> relu_status;
    fn relu_selu_backward_from_output_f32(y: *const f32, dy: *const f32, dx: *mut f32,
                                          n: usize) -> relu_status;
    fn relu_clipped_backward_from_output_f32(y: *const f32, dy: *const f32, dx: *mut f32,
                                             n: usize, cap: f32) -> relu_status;
    fn relu_tanh_backward_from_output_f32(y: *const f32, dy: *const f32, dx: *mut f32,
                                          n: usize) -> relu_status;

    fn relu_forward_f64(x: *const f64, y: *mut f64, n: usize) -> relu_status;
    fn relu_leaky_forward_f64(x: *const f64, y: *mut f64, n: usize, alpha: f64) -> relu_status;
    fn relu_prelu_forward_f64(x: *const f64, y: *mut f64, alpha: *const f64,
                              outer: usize, channels: usize, inner: usize) -> relu_status;
    fn relu_elu_forward_f64(x: *const f64, y: *mut f64, n: usize, alpha: f64) -> relu_status;
    fn relu_selu_forward_f64(x: *const f64, y: *mut f64, n: usize) -> relu_status;
    fn relu_clipped_forward_f64(x: *const f64, y: *mut f64, n: usize, cap: f64) -> relu_status;
    fn relu_tanh_forward_f64(x: *const f64, y: *mut f64, n: usize) -> relu_status;

    fn relu_backward_f64(x: *const f64, dy: *const f64, dx: *mut f64, n: usize) -> relu_status;
    fn relu_leaky_backward_f64(x: *const f64, dy: *const f64, dx: *mut f64, n: usize,
                               alpha: f64) -> relu_status;
    fn relu_prelu_backward_f64(x: *const f64, dy: *const f64, alpha: *const f64, dx: *mut f64,
                               dalpha: *mut f64, outer: usize, channels: usize,
                               inner: usize) -> relu_status;
    fn relu_elu_backward_f64(x: *const f64, dy: *const f64, dx: *mut f64, n: usize,
                             alpha: f64) -> relu_status;
    fn relu_selu_backward_f64(x: *const f64, dy: *const f64, dx: *mut f64, n: usize) -> relu_status;
    fn relu_clipped_backward_f64(x: *const f64, dy: *const f64, dx: *mut f64, n: usize,
                                 cap: f64) -> relu_status;
    fn relu_tanh_backward_f64(x: *const f64, dy: *const f64, dx: *mut f64, n: usize) -> relu_status;

    fn relu_backward_from_output_f64(y: *const f64, dy: *const f64, dx: *mut f64,
                                     n: usize) -> relu_status;
    fn relu_leaky_backward_from_output_f64(y: *const f64, dy: *const f64, dx: *mut f64, n: usize,
                                           alpha: f64) -> relu_status;
    fn relu_elu_backward_from_output_f64(y: *const f64, dy: *const f64, dx: *mut f64, n: usize,
                                         alpha: f64) -> relu_status;
    fn relu_selu_backward_from_output_f64(y: *const f64, dy: *const f64, dx: *mut f64,
                                          n: usize) -> relu_status;
    fn relu_clipped_backward_from_output_f64(y: *const f64, dy: *const f64, dx: *mut f64,
                                             n: usize, cap: f64) -> relu_status;
    fn relu_tanh_backward_from_output_f64(y: *const f64, dy: *const f64, dx: *mut f64,
                                          n: usize) -> relu_status;

    fn relu_forward_s8(x: *const i8, y: *mut i8, n: usize,
                       xq: *const relu_quant, yq: *const relu_quant) -> relu_status;
    fn relu_leaky_forward_s8(x: *const i8, y: *mut i8, n: usize, alpha: f32,
                             xq: *const relu_quant, yq: *const relu_quant) -> relu_status;
    fn relu_prelu_forward_s8(x: *const i8, y: *mut i8, alpha: *const f32,
                             outer: usize, channels: usize, inner: usize,
                             xq: *const relu_quant, yq: *const relu_quant) -> relu_status;
    fn relu_elu_forward_s8(x: *const i8, y: *mut i8, n: usize, alpha: f32,
                           xq: *const relu_quant, yq: *const relu_quant) -> relu_status;
    fn relu_selu_forward_s8(x: *const i8, y: *mut i8, n: usize,
                            xq: *const relu_quant, yq: *const relu_quant) -> relu_status;
    fn relu_clipped_forward_s8(x: *const i8, y: *mut i8, n: usize, cap: f32,
                               xq: *const relu_quant, yq: *const relu_quant) -> relu_status;
    fn relu_tanh_forward_s8(x: *const i8, y: *mut i8, n: usize,
                            xq: *const relu_quant, yq: *const relu_quant) -> relu_status;

    fn relu_backward_s8(x: *const i8, dy: *const i8, dx: *mut i8, n: usize,
                        xq: *const relu_quant, dyq: *const relu_quant,
                        dxq: *const relu_quant) -> relu_status;
    fn relu_leaky_backward_s8(x: *const i8, dy: *const i8, dx: *mut i8, n: usize, alpha: f32,
                              xq: *const relu_quant, dyq: *const relu_quant,
                              dxq: *const relu_quant) -> relu_status;
    fn relu_prelu_backward_s8(x: *const i8, dy: *const i8, alpha: *const f32, dx: *mut i8,
                              dalpha: *mut f32, outer: usize, channels: usize, inner: usize,
                              xq: *const relu_quant, dyq: *const relu_quant,
                              dxq: *const relu_quant) -> relu_status;
    fn relu_elu_backward_s8(x: *const i8, dy: *const i8, dx: *mut i8, n: usize, alpha: f32,
                            xq: *const relu_quant, dyq: *const relu_quant,
                            dxq: *const relu_quant) -> relu_status;
    fn relu_selu_backward_s8(x: *const i8, dy: *const i8, dx: *mut i8, n: usize,
                             xq: *const relu_quant, dyq: *const relu_quant,
                             dxq: *const relu_quant) -> relu_status;
    fn relu_clipped_backward_s8(x: *const i8, dy: *const i8, dx: *mut i8, n: usize, cap: f32,
                                xq: *const relu_quant, dyq: *const relu_quant,
                                dxq: *const relu_quant) -> relu_status;
    fn relu_tanh_backward_s8(x: *const i8, dy: *const i8, dx: *mut i8, n: usize,
                             xq: *const relu_quant, dyq: *const relu_quant,
                             dxq: *const relu_quant) -> relu_status;

    fn relu_active_isa() -> relu_isa;
    fn relu_isa_available(isa: relu_isa) -> c_int;
    fn relu_use_isa(isa: relu_isa) -> relu_status;
    fn relu_isa_name(isa: relu_isa) -> *const c_char;
    fn relu_set_num_threads(n: c_int) -> relu_status;
    fn relu_get_num_threads() -> c_int;
}
