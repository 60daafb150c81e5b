// Package relu binds librelu, fast and exactly specified ReLU-family
// activations (ReLU, Leaky ReLU, PReLU, ELU, SELU, clipped ReLU, rectified
// tanh), forward and backward, over []float32, []float64 and quantized
// []int8.
//
// The library is found with pkg-config (`#cgo pkg-config: relu`): set
// PKG_CONFIG_PATH to <prefix>/lib/pkgconfig when it is not installed in a
// default location, and LD_LIBRARY_PATH to <prefix>/lib to run.
//
// Conventions:
//   - Float functions are generic over float32 and float64; the int8 ones end
//     in S8 and take a Quant per buffer.
//   - In place: pass the same slice as input and output, e.g. Forward(x, x)
//     or Backward(x, dy, dy). Outputs that partially overlap another buffer
//     return ErrOverlap.
//   - Every function returns an error: a *CallError wrapping the library's
//     Status (errors.Is(err, relu.ErrParam) and so on), or an error wrapping
//     ErrLength when slice lengths do not match. Nothing is written on error.
//   - PReLU views the data as [outer][len(alpha)][inner] (NCHW: outer=N,
//     inner=H*W; NHWC: outer=N*H*W, inner=1).
package relu

/*
#cgo pkg-config: relu
#include <relu.h>
*/
import "C"

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"unsafe"
)

// Status is a relu_status other than RELU_OK; it is an error.
type Status int

// The library's statuses.
const (
	ErrNull        Status = C.RELU_ERR_NULL        // a required pointer is NULL
	ErrParam       Status = C.RELU_ERR_PARAM       // a scalar parameter or Quant out of its domain
	ErrOverlap     Status = C.RELU_ERR_OVERLAP     // an output partially overlaps another buffer
	ErrSize        Status = C.RELU_ERR_SIZE        // outer*channels*inner overflows size_t
	ErrUnsupported Status = C.RELU_ERR_UNSUPPORTED // ISA not available on this CPU or build
)

// Error is the library's description (relu_status_string).
func (s Status) Error() string {
	return C.GoString(C.relu_status_string(C.relu_status(s)))
}

// CallError is a failed call: the C function and its status.
type CallError struct {
	Func   string
	Status Status
}

func (e *CallError) Error() string { return "relu: " + e.Func + ": " + e.Status.Error() }

// Unwrap gives the Status, for errors.Is(err, relu.ErrParam).
func (e *CallError) Unwrap() error { return e.Status }

// ErrLength is wrapped by the errors for slices of mismatched lengths.
var ErrLength = errors.New("slice length mismatch")

func check(fn string, st C.relu_status) error {
	if st == C.RELU_OK {
		return nil
	}
	return &CallError{Func: fn, Status: Status(st)}
}

func sameLen(fn, name string, want, got int) error {
	if want == got {
		return nil
	}
	return fmt.Errorf("relu: %s: %s has %d elements, expected %d: %w", fn, name, got, want, ErrLength)
}

// Version is the loaded library's version, e.g. "1.0.0".
func Version() string { return C.GoString(C.relu_version_string()) }

// ------------------------------------------------------------------ floats

// Float is the element type of the float API.
type Float interface{ ~float32 | ~float64 }

func is32[T Float]() bool {
	var z T
	return unsafe.Sizeof(z) == 4
}

func pf[T Float](s []T) *C.float {
	if len(s) == 0 {
		return nil
	}
	return (*C.float)(unsafe.Pointer(&s[0]))
}

func pd[T Float](s []T) *C.double {
	if len(s) == 0 {
		return nil
	}
	return (*C.double)(unsafe.Pointer(&s[0]))
}

func p8(s []int8) *C.int8_t {
	if len(s) == 0 {
		return nil
	}
	return (*C.int8_t)(unsafe.Pointer(&s[0]))
}

func sz(n int) C.size_t { return C.size_t(n) }

func sfx[T Float](name string) string {
	if is32[T]() {
		return name + "_f32"
	}
	return name + "_f64"
}

// Forward is ReLU: y = max(0, x).
func Forward[T Float](x, y []T) error {
	if err := sameLen("Forward", "y", len(x), len(y)); err != nil {
		return err
	}
	if is32[T]() {
		return check(sfx[T]("relu_forward"), C.relu_forward_f32(pf(x), pf(y), sz(len(x))))
	}
	return check(sfx[T]("relu_forward"), C.relu_forward_f64(pd(x), pd(y), sz(len(x))))
}

// LeakyForward is Leaky ReLU: y = x > 0 ? x : alpha*x (alpha finite).
func LeakyForward[T Float](x, y []T, alpha T) error {
	if err := sameLen("LeakyForward", "y", len(x), len(y)); err != nil {
		return err
	}
	if is32[T]() {
		return check(sfx[T]("relu_leaky_forward"), C.relu_leaky_forward_f32(pf(x), pf(y), sz(len(x)), C.float(alpha)))
	}
	return check(sfx[T]("relu_leaky_forward"), C.relu_leaky_forward_f64(pd(x), pd(y), sz(len(x)), C.double(alpha)))
}

// ELUForward is ELU: y = x > 0 ? x : alpha*expm1(x) (alpha finite, >= 0).
func ELUForward[T Float](x, y []T, alpha T) error {
	if err := sameLen("ELUForward", "y", len(x), len(y)); err != nil {
		return err
	}
	if is32[T]() {
		return check(sfx[T]("relu_elu_forward"), C.relu_elu_forward_f32(pf(x), pf(y), sz(len(x)), C.float(alpha)))
	}
	return check(sfx[T]("relu_elu_forward"), C.relu_elu_forward_f64(pd(x), pd(y), sz(len(x)), C.double(alpha)))
}

// SELUForward is SELU: y = L*(x > 0 ? x : A*expm1(x)).
func SELUForward[T Float](x, y []T) error {
	if err := sameLen("SELUForward", "y", len(x), len(y)); err != nil {
		return err
	}
	if is32[T]() {
		return check(sfx[T]("relu_selu_forward"), C.relu_selu_forward_f32(pf(x), pf(y), sz(len(x))))
	}
	return check(sfx[T]("relu_selu_forward"), C.relu_selu_forward_f64(pd(x), pd(y), sz(len(x))))
}

// ClippedForward is clipped ReLU: y = min(max(x, 0), cap) (cap finite, > 0; 6 is ReLU6).
func ClippedForward[T Float](x, y []T, cap T) error {
	if err := sameLen("ClippedForward", "y", len(x), len(y)); err != nil {
		return err
	}
	if is32[T]() {
		return check(sfx[T]("relu_clipped_forward"), C.relu_clipped_forward_f32(pf(x), pf(y), sz(len(x)), C.float(cap)))
	}
	return check(sfx[T]("relu_clipped_forward"), C.relu_clipped_forward_f64(pd(x), pd(y), sz(len(x)), C.double(cap)))
}

// TanhForward is rectified tanh: y = max(0, tanh(x)).
func TanhForward[T Float](x, y []T) error {
	if err := sameLen("TanhForward", "y", len(x), len(y)); err != nil {
		return err
	}
	if is32[T]() {
		return check(sfx[T]("relu_tanh_forward"), C.relu_tanh_forward_f32(pf(x), pf(y), sz(len(x))))
	}
	return check(sfx[T]("relu_tanh_forward"), C.relu_tanh_forward_f64(pd(x), pd(y), sz(len(x))))
}

func backLen(fn string, n, dy, dx int) error {
	if err := sameLen(fn, "dy", n, dy); err != nil {
		return err
	}
	return sameLen(fn, "dx", n, dx)
}

// Backward is the ReLU gradient: dx = x > 0 ? dy : 0.
func Backward[T Float](x, dy, dx []T) error {
	if err := backLen("Backward", len(x), len(dy), len(dx)); err != nil {
		return err
	}
	if is32[T]() {
		return check(sfx[T]("relu_backward"), C.relu_backward_f32(pf(x), pf(dy), pf(dx), sz(len(x))))
	}
	return check(sfx[T]("relu_backward"), C.relu_backward_f64(pd(x), pd(dy), pd(dx), sz(len(x))))
}

// LeakyBackward is the Leaky ReLU gradient: dx = x > 0 ? dy : alpha*dy.
func LeakyBackward[T Float](x, dy, dx []T, alpha T) error {
	if err := backLen("LeakyBackward", len(x), len(dy), len(dx)); err != nil {
		return err
	}
	if is32[T]() {
		return check(sfx[T]("relu_leaky_backward"), C.relu_leaky_backward_f32(pf(x), pf(dy), pf(dx), sz(len(x)), C.float(alpha)))
	}
	return check(sfx[T]("relu_leaky_backward"), C.relu_leaky_backward_f64(pd(x), pd(dy), pd(dx), sz(len(x)), C.double(alpha)))
}

// ELUBackward is the ELU gradient: dx = x > 0 ? dy : dy*alpha*exp(x).
func ELUBackward[T Float](x, dy, dx []T, alpha T) error {
	if err := backLen("ELUBackward", len(x), len(dy), len(dx)); err != nil {
		return err
	}
	if is32[T]() {
		return check(sfx[T]("relu_elu_backward"), C.relu_elu_backward_f32(pf(x), pf(dy), pf(dx), sz(len(x)), C.float(alpha)))
	}
	return check(sfx[T]("relu_elu_backward"), C.relu_elu_backward_f64(pd(x), pd(dy), pd(dx), sz(len(x)), C.double(alpha)))
}

// SELUBackward is the SELU gradient: dx = x > 0 ? L*dy : dy*L*A*exp(x).
func SELUBackward[T Float](x, dy, dx []T) error {
	if err := backLen("SELUBackward", len(x), len(dy), len(dx)); err != nil {
		return err
	}
	if is32[T]() {
		return check(sfx[T]("relu_selu_backward"), C.relu_selu_backward_f32(pf(x), pf(dy), pf(dx), sz(len(x))))
	}
	return check(sfx[T]("relu_selu_backward"), C.relu_selu_backward_f64(pd(x), pd(dy), pd(dx), sz(len(x))))
}

// ClippedBackward is the clipped ReLU gradient: dx = 0 < x < cap ? dy : 0.
func ClippedBackward[T Float](x, dy, dx []T, cap T) error {
	if err := backLen("ClippedBackward", len(x), len(dy), len(dx)); err != nil {
		return err
	}
	if is32[T]() {
		return check(sfx[T]("relu_clipped_backward"), C.relu_clipped_backward_f32(pf(x), pf(dy), pf(dx), sz(len(x)), C.float(cap)))
	}
	return check(sfx[T]("relu_clipped_backward"), C.relu_clipped_backward_f64(pd(x), pd(dy), pd(dx), sz(len(x)), C.double(cap)))
}

// TanhBackward is the rectified tanh gradient: dx = x > 0 ? dy*(1 - tanh(x)^2) : 0.
func TanhBackward[T Float](x, dy, dx []T) error {
	if err := backLen("TanhBackward", len(x), len(dy), len(dx)); err != nil {
		return err
	}
	if is32[T]() {
		return check(sfx[T]("relu_tanh_backward"), C.relu_tanh_backward_f32(pf(x), pf(dy), pf(dx), sz(len(x))))
	}
	return check(sfx[T]("relu_tanh_backward"), C.relu_tanh_backward_f64(pd(x), pd(dy), pd(dx), sz(len(x))))
}

// BackwardFromOutput is the ReLU gradient from the forward output: dx = y > 0 ? dy : 0.
func BackwardFromOutput[T Float](y, dy, dx []T) error {
	if err := backLen("BackwardFromOutput", len(y), len(dy), len(dx)); err != nil {
		return err
	}
	if is32[T]() {
		return check(sfx[T]("relu_backward_from_output"), C.relu_backward_from_output_f32(pf(y), pf(dy), pf(dx), sz(len(y))))
	}
	return check(sfx[T]("relu_backward_from_output"), C.relu_backward_from_output_f64(pd(y), pd(dy), pd(dx), sz(len(y))))
}

// LeakyBackwardFromOutput: dx = y > 0 ? dy : alpha*dy; needs alpha > 0.
func LeakyBackwardFromOutput[T Float](y, dy, dx []T, alpha T) error {
	if err := backLen("LeakyBackwardFromOutput", len(y), len(dy), len(dx)); err != nil {
		return err
	}
	if is32[T]() {
		return check(sfx[T]("relu_leaky_backward_from_output"), C.relu_leaky_backward_from_output_f32(pf(y), pf(dy), pf(dx), sz(len(y)), C.float(alpha)))
	}
	return check(sfx[T]("relu_leaky_backward_from_output"), C.relu_leaky_backward_from_output_f64(pd(y), pd(dy), pd(dx), sz(len(y)), C.double(alpha)))
}

// ELUBackwardFromOutput: dx = y > 0 ? dy : dy*(y + alpha).
func ELUBackwardFromOutput[T Float](y, dy, dx []T, alpha T) error {
	if err := backLen("ELUBackwardFromOutput", len(y), len(dy), len(dx)); err != nil {
		return err
	}
	if is32[T]() {
		return check(sfx[T]("relu_elu_backward_from_output"), C.relu_elu_backward_from_output_f32(pf(y), pf(dy), pf(dx), sz(len(y)), C.float(alpha)))
	}
	return check(sfx[T]("relu_elu_backward_from_output"), C.relu_elu_backward_from_output_f64(pd(y), pd(dy), pd(dx), sz(len(y)), C.double(alpha)))
}

// SELUBackwardFromOutput: dx = y > 0 ? L*dy : dy*(y + L*A).
func SELUBackwardFromOutput[T Float](y, dy, dx []T) error {
	if err := backLen("SELUBackwardFromOutput", len(y), len(dy), len(dx)); err != nil {
		return err
	}
	if is32[T]() {
		return check(sfx[T]("relu_selu_backward_from_output"), C.relu_selu_backward_from_output_f32(pf(y), pf(dy), pf(dx), sz(len(y))))
	}
	return check(sfx[T]("relu_selu_backward_from_output"), C.relu_selu_backward_from_output_f64(pd(y), pd(dy), pd(dx), sz(len(y))))
}

// ClippedBackwardFromOutput: dx = 0 < y < cap ? dy : 0.
func ClippedBackwardFromOutput[T Float](y, dy, dx []T, cap T) error {
	if err := backLen("ClippedBackwardFromOutput", len(y), len(dy), len(dx)); err != nil {
		return err
	}
	if is32[T]() {
		return check(sfx[T]("relu_clipped_backward_from_output"), C.relu_clipped_backward_from_output_f32(pf(y), pf(dy), pf(dx), sz(len(y)), C.float(cap)))
	}
	return check(sfx[T]("relu_clipped_backward_from_output"), C.relu_clipped_backward_from_output_f64(pd(y), pd(dy), pd(dx), sz(len(y)), C.double(cap)))
}

// TanhBackwardFromOutput: dx = y > 0 ? dy*fma(-y, y, 1) : 0.
func TanhBackwardFromOutput[T Float](y, dy, dx []T) error {
	if err := backLen("TanhBackwardFromOutput", len(y), len(dy), len(dx)); err != nil {
		return err
	}
	if is32[T]() {
		return check(sfx[T]("relu_tanh_backward_from_output"), C.relu_tanh_backward_from_output_f32(pf(y), pf(dy), pf(dx), sz(len(y))))
	}
	return check(sfx[T]("relu_tanh_backward_from_output"), C.relu_tanh_backward_from_output_f64(pd(y), pd(dy), pd(dx), sz(len(y))))
}

// preluLayout checks outer*channels*inner == n.
func preluLayout(fn string, n, outer, channels, inner int) error {
	if outer < 0 || inner < 0 {
		return fmt.Errorf("relu: %s: negative outer (%d) or inner (%d): %w", fn, outer, inner, ErrParam)
	}
	total := uint64(outer)
	for _, f := range []int{channels, inner} {
		if f != 0 && total > math.MaxInt/uint64(f) {
			return &CallError{Func: fn, Status: ErrSize}
		}
		total *= uint64(f)
	}
	return sameLen(fn, "x", int(total), n)
}

// PReLUForward is PReLU over [outer][len(alpha)][inner]: y = x > 0 ? x : alpha[c]*x.
func PReLUForward[T Float](x, y, alpha []T, outer, inner int) error {
	if err := preluLayout("PReLUForward", len(x), outer, len(alpha), inner); err != nil {
		return err
	}
	if err := sameLen("PReLUForward", "y", len(x), len(y)); err != nil {
		return err
	}
	o, c, i := sz(outer), sz(len(alpha)), sz(inner)
	if is32[T]() {
		return check(sfx[T]("relu_prelu_forward"), C.relu_prelu_forward_f32(pf(x), pf(y), pf(alpha), o, c, i))
	}
	return check(sfx[T]("relu_prelu_forward"), C.relu_prelu_forward_f64(pd(x), pd(y), pd(alpha), o, c, i))
}

// PReLUBackward: dx = x > 0 ? dy : alpha[c]*dy, and dalpha[c] (overwritten) =
// the sum over channel c's elements with x <= 0 of x*dy.
func PReLUBackward[T Float](x, dy, alpha, dx, dalpha []T, outer, inner int) error {
	if err := preluLayout("PReLUBackward", len(x), outer, len(alpha), inner); err != nil {
		return err
	}
	if err := backLen("PReLUBackward", len(x), len(dy), len(dx)); err != nil {
		return err
	}
	if err := sameLen("PReLUBackward", "dalpha", len(alpha), len(dalpha)); err != nil {
		return err
	}
	o, c, i := sz(outer), sz(len(alpha)), sz(inner)
	if is32[T]() {
		return check(sfx[T]("relu_prelu_backward"), C.relu_prelu_backward_f32(pf(x), pf(dy), pf(alpha), pf(dx), pf(dalpha), o, c, i))
	}
	return check(sfx[T]("relu_prelu_backward"), C.relu_prelu_backward_f64(pd(x), pd(dy), pd(alpha), pd(dx), pd(dalpha), o, c, i))
}

// -------------------------------------------------------------------- int8

// Quant is int8 quantization: real value = Scale * (q - ZeroPoint); Scale
// finite and > 0, ZeroPoint in [-128, 127] (else ErrParam).
type Quant struct {
	Scale     float32
	ZeroPoint int32
}

func (q Quant) c() C.relu_quant {
	return C.relu_quant{scale: C.float(q.Scale), zero_point: C.int32_t(q.ZeroPoint)}
}

// ForwardS8 is quantized ReLU: y = clamp(round_half_even(f(x_real)/yq.Scale) + yq.ZeroPoint).
func ForwardS8(x, y []int8, xq, yq Quant) error {
	if err := sameLen("ForwardS8", "y", len(x), len(y)); err != nil {
		return err
	}
	a, b := xq.c(), yq.c()
	return check("relu_forward_s8", C.relu_forward_s8(p8(x), p8(y), sz(len(x)), &a, &b))
}

// LeakyForwardS8 is quantized Leaky ReLU.
func LeakyForwardS8(x, y []int8, alpha float32, xq, yq Quant) error {
	if err := sameLen("LeakyForwardS8", "y", len(x), len(y)); err != nil {
		return err
	}
	a, b := xq.c(), yq.c()
	return check("relu_leaky_forward_s8", C.relu_leaky_forward_s8(p8(x), p8(y), sz(len(x)), C.float(alpha), &a, &b))
}

// ELUForwardS8 is quantized ELU.
func ELUForwardS8(x, y []int8, alpha float32, xq, yq Quant) error {
	if err := sameLen("ELUForwardS8", "y", len(x), len(y)); err != nil {
		return err
	}
	a, b := xq.c(), yq.c()
	return check("relu_elu_forward_s8", C.relu_elu_forward_s8(p8(x), p8(y), sz(len(x)), C.float(alpha), &a, &b))
}

// SELUForwardS8 is quantized SELU.
func SELUForwardS8(x, y []int8, xq, yq Quant) error {
	if err := sameLen("SELUForwardS8", "y", len(x), len(y)); err != nil {
		return err
	}
	a, b := xq.c(), yq.c()
	return check("relu_selu_forward_s8", C.relu_selu_forward_s8(p8(x), p8(y), sz(len(x)), &a, &b))
}

// ClippedForwardS8 is quantized clipped ReLU.
func ClippedForwardS8(x, y []int8, cap float32, xq, yq Quant) error {
	if err := sameLen("ClippedForwardS8", "y", len(x), len(y)); err != nil {
		return err
	}
	a, b := xq.c(), yq.c()
	return check("relu_clipped_forward_s8", C.relu_clipped_forward_s8(p8(x), p8(y), sz(len(x)), C.float(cap), &a, &b))
}

// TanhForwardS8 is quantized rectified tanh.
func TanhForwardS8(x, y []int8, xq, yq Quant) error {
	if err := sameLen("TanhForwardS8", "y", len(x), len(y)); err != nil {
		return err
	}
	a, b := xq.c(), yq.c()
	return check("relu_tanh_forward_s8", C.relu_tanh_forward_s8(p8(x), p8(y), sz(len(x)), &a, &b))
}

// PReLUForwardS8 is quantized PReLU over [outer][len(alpha)][inner].
func PReLUForwardS8(x, y []int8, alpha []float32, outer, inner int, xq, yq Quant) error {
	if err := preluLayout("PReLUForwardS8", len(x), outer, len(alpha), inner); err != nil {
		return err
	}
	if err := sameLen("PReLUForwardS8", "y", len(x), len(y)); err != nil {
		return err
	}
	a, b := xq.c(), yq.c()
	return check("relu_prelu_forward_s8", C.relu_prelu_forward_s8(p8(x), p8(y), pf(alpha),
		sz(outer), sz(len(alpha)), sz(inner), &a, &b))
}

// BackwardS8 is the quantized ReLU gradient (within 1 LSB of
// clamp(round_half_even(dy_real*f'(x_real)/dxq.Scale) + dxq.ZeroPoint)).
func BackwardS8(x, dy, dx []int8, xq, dyq, dxq Quant) error {
	if err := backLen("BackwardS8", len(x), len(dy), len(dx)); err != nil {
		return err
	}
	a, b, c := xq.c(), dyq.c(), dxq.c()
	return check("relu_backward_s8", C.relu_backward_s8(p8(x), p8(dy), p8(dx), sz(len(x)), &a, &b, &c))
}

// LeakyBackwardS8 is the quantized Leaky ReLU gradient.
func LeakyBackwardS8(x, dy, dx []int8, alpha float32, xq, dyq, dxq Quant) error {
	if err := backLen("LeakyBackwardS8", len(x), len(dy), len(dx)); err != nil {
		return err
	}
	a, b, c := xq.c(), dyq.c(), dxq.c()
	return check("relu_leaky_backward_s8", C.relu_leaky_backward_s8(p8(x), p8(dy), p8(dx), sz(len(x)), C.float(alpha), &a, &b, &c))
}

// ELUBackwardS8 is the quantized ELU gradient.
func ELUBackwardS8(x, dy, dx []int8, alpha float32, xq, dyq, dxq Quant) error {
	if err := backLen("ELUBackwardS8", len(x), len(dy), len(dx)); err != nil {
		return err
	}
	a, b, c := xq.c(), dyq.c(), dxq.c()
	return check("relu_elu_backward_s8", C.relu_elu_backward_s8(p8(x), p8(dy), p8(dx), sz(len(x)), C.float(alpha), &a, &b, &c))
}

// SELUBackwardS8 is the quantized SELU gradient.
func SELUBackwardS8(x, dy, dx []int8, xq, dyq, dxq Quant) error {
	if err := backLen("SELUBackwardS8", len(x), len(dy), len(dx)); err != nil {
		return err
	}
	a, b, c := xq.c(), dyq.c(), dxq.c()
	return check("relu_selu_backward_s8", C.relu_selu_backward_s8(p8(x), p8(dy), p8(dx), sz(len(x)), &a, &b, &c))
}

// ClippedBackwardS8 is the quantized clipped ReLU gradient.
func ClippedBackwardS8(x, dy, dx []int8, cap float32, xq, dyq, dxq Quant) error {
	if err := backLen("ClippedBackwardS8", len(x), len(dy), len(dx)); err != nil {
		return err
	}
	a, b, c := xq.c(), dyq.c(), dxq.c()
	return check("relu_clipped_backward_s8", C.relu_clipped_backward_s8(p8(x), p8(dy), p8(dx), sz(len(x)), C.float(cap), &a, &b, &c))
}

// TanhBackwardS8 is the quantized rectified tanh gradient.
func TanhBackwardS8(x, dy, dx []int8, xq, dyq, dxq Quant) error {
	if err := backLen("TanhBackwardS8", len(x), len(dy), len(dx)); err != nil {
		return err
	}
	a, b, c := xq.c(), dyq.c(), dxq.c()
	return check("relu_tanh_backward_s8", C.relu_tanh_backward_s8(p8(x), p8(dy), p8(dx), sz(len(x)), &a, &b, &c))
}

// PReLUBackwardS8 is the quantized PReLU gradient; dalpha as for the float API.
func PReLUBackwardS8(x, dy []int8, alpha []float32, dx []int8, dalpha []float32, outer, inner int, xq, dyq, dxq Quant) error {
	if err := preluLayout("PReLUBackwardS8", len(x), outer, len(alpha), inner); err != nil {
		return err
	}
	if err := backLen("PReLUBackwardS8", len(x), len(dy), len(dx)); err != nil {
		return err
	}
	if err := sameLen("PReLUBackwardS8", "dalpha", len(alpha), len(dalpha)); err != nil {
		return err
	}
	a, b, c := xq.c(), dyq.c(), dxq.c()
	return check("relu_prelu_backward_s8", C.relu_prelu_backward_s8(p8(x), p8(dy), pf(alpha), p8(dx), pf(dalpha),
		sz(outer), sz(len(alpha)), sz(inner), &a, &b, &c))
}

// ------------------------------------------------------------ ISA, threads

// ISA is a kernel tier.
type ISA int

// The tiers.
const (
	ISAScalar ISA = C.RELU_ISA_SCALAR
	ISAAVX2   ISA = C.RELU_ISA_AVX2
	ISAAVX512 ISA = C.RELU_ISA_AVX512
	ISANeon   ISA = C.RELU_ISA_NEON
)

// AllISAs lists every tier librelu 1.x knows, scalar first.
var AllISAs = []ISA{ISAScalar, ISAAVX2, ISAAVX512, ISANeon}

// String is "scalar", "avx2", "avx512", "neon" (or "unknown").
func (i ISA) String() string {
	if i < math.MinInt32 || i > math.MaxInt32 {
		return "unknown"
	}
	return C.GoString(C.relu_isa_name(C.relu_isa(i)))
}

// Available reports whether this CPU and build can run the tier.
func (i ISA) Available() bool {
	if i < math.MinInt32 || i > math.MaxInt32 {
		return false
	}
	return C.relu_isa_available(C.relu_isa(i)) != 0
}

// ParseISA finds a tier by name, any case.
func ParseISA(name string) (ISA, error) {
	for _, i := range AllISAs {
		if strings.EqualFold(i.String(), name) {
			return i, nil
		}
	}
	return 0, fmt.Errorf("relu: unknown ISA %q: %w", name, ErrParam)
}

// ActiveISA is the tier in use.
func ActiveISA() ISA { return ISA(C.relu_active_isa()) }

// AvailableISAs lists the tiers this CPU and build can run, scalar first.
func AvailableISAs() []ISA {
	var out []ISA
	for _, i := range AllISAs {
		if i.Available() {
			out = append(out, i)
		}
	}
	return out
}

// UseISA switches every kernel to the tier: ErrUnsupported if it cannot run
// here, ErrParam for a value outside the enum.
func UseISA(i ISA) error {
	if i < math.MinInt32 || i > math.MaxInt32 {
		return &CallError{Func: "relu_use_isa", Status: ErrParam}
	}
	return check("relu_use_isa", C.relu_use_isa(C.relu_isa(i)))
}

// SetNumThreads sets the threads used for large calls: 1..1024, else ErrParam.
func SetNumThreads(n int) error {
	if n < math.MinInt32 || n > math.MaxInt32 {
		return &CallError{Func: "relu_set_num_threads", Status: ErrParam}
	}
	return check("relu_set_num_threads", C.relu_set_num_threads(C.int(n)))
}

// NumThreads is the thread count in effect.
func NumThreads() int { return int(C.relu_get_num_threads()) }
