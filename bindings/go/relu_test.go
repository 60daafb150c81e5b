package relu_test

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand"
	"strings"
	"testing"

	relu "github.com/librelu/librelu/bindings/go"
)

const (
	l64  = 1.0507009873554804934193349852946
	a64  = 1.6732632423543772848170429916717
	la64 = 1.7580993408473768 // L*A rounded, as the f64 kernels use it
	la32 = float32(1.758099317550659)
	l32  = float32(1.0507010221481323)
)

// eachISA runs f on every tier this CPU and build can run, then restores.
func eachISA(t *testing.T, f func(t *testing.T)) {
	before := relu.ActiveISA()
	defer relu.UseISA(before)
	for _, isa := range relu.AvailableISAs() {
		if err := relu.UseISA(isa); err != nil {
			t.Fatal(err)
		}
		t.Run(isa.String(), f)
	}
}

func samples(n int, seed int64) []float64 {
	v := []float64{0, math.Copysign(0, -1), 1e-30, -1e-30, 1e-7, -1e-7, 0.5, -0.5, 1, -1, 6, -6,
		20, -20, 100, -100, -700, 1e30, -1e30, math.Inf(1), math.Inf(-1), 5e-324, -2.5e-323}
	r := rand.New(rand.NewSource(seed))
	for len(v) < n {
		s := 3.0
		if len(v)%5 == 0 {
			s = 30
		}
		v = append(v, r.NormFloat64()*s)
	}
	return v
}

func grads(n int, seed int64) []float64 {
	r := rand.New(rand.NewSource(seed))
	g := make([]float64, n)
	for i := range g {
		if i%17 != 0 {
			g[i] = r.NormFloat64()
		}
	}
	return g
}

func to32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

func ordered32(x float32) int64 {
	i := int64(int32(math.Float32bits(x)))
	if i < 0 {
		return -(i & 0x7fffffff)
	}
	return i
}

func ordered64(x float64) int64 {
	i := int64(math.Float64bits(x))
	if i < 0 {
		return -(i & 0x7fffffffffffffff)
	}
	return i
}

func ulps32(got float32, want float64) int64 {
	d := ordered32(got) - ordered32(float32(want))
	if d < 0 {
		d = -d
	}
	return d
}

func ulps64(got, want float64) int64 {
	d := ordered64(got) - ordered64(want)
	if d < 0 {
		d = -d
	}
	return d
}

func same(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

// ------------------------------------------------------------ references

type op struct {
	name  string
	p     float64
	exact bool
}

var ops = []op{{"relu", 0, true}, {"leaky", 0.01, true}, {"leaky", -1.5, true}, {"elu", 1, false},
	{"elu", 0.3, false}, {"selu", 0, false}, {"clipped", 6, true}, {"clipped", 0.75, true},
	{"tanh", 0, false}}

func (o op) String() string { return fmt.Sprintf("%s(%g)", o.name, o.p) }

func forward[T relu.Float](o op, x, y []T) error {
	p := T(o.p)
	switch o.name {
	case "relu":
		return relu.Forward(x, y)
	case "leaky":
		return relu.LeakyForward(x, y, p)
	case "elu":
		return relu.ELUForward(x, y, p)
	case "selu":
		return relu.SELUForward(x, y)
	case "clipped":
		return relu.ClippedForward(x, y, p)
	default:
		return relu.TanhForward(x, y)
	}
}

func backward[T relu.Float](o op, x, dy, dx []T) error {
	p := T(o.p)
	switch o.name {
	case "relu":
		return relu.Backward(x, dy, dx)
	case "leaky":
		return relu.LeakyBackward(x, dy, dx, p)
	case "elu":
		return relu.ELUBackward(x, dy, dx, p)
	case "selu":
		return relu.SELUBackward(x, dy, dx)
	case "clipped":
		return relu.ClippedBackward(x, dy, dx, p)
	default:
		return relu.TanhBackward(x, dy, dx)
	}
}

func fromOutput[T relu.Float](o op, y, dy, dx []T) error {
	p := T(o.p)
	switch o.name {
	case "relu":
		return relu.BackwardFromOutput(y, dy, dx)
	case "leaky":
		return relu.LeakyBackwardFromOutput(y, dy, dx, p)
	case "elu":
		return relu.ELUBackwardFromOutput(y, dy, dx, p)
	case "selu":
		return relu.SELUBackwardFromOutput(y, dy, dx)
	case "clipped":
		return relu.ClippedBackwardFromOutput(y, dy, dx, p)
	default:
		return relu.TanhBackwardFromOutput(y, dy, dx)
	}
}

// refForward is f(x) in float64 (p already rounded to the working type).
func refForward(o op, x, p float64) float64 {
	if math.IsNaN(x) {
		return x
	}
	switch o.name {
	case "relu":
		return math.Max(x, 0)
	case "leaky":
		if x > 0 {
			return x
		}
		return p * x
	case "elu":
		if x > 0 {
			return x
		}
		return p * math.Expm1(x)
	case "selu":
		if x > 0 {
			return l64 * x
		}
		return l64 * a64 * math.Expm1(x)
	case "clipped":
		return math.Min(math.Max(x, 0), p)
	default:
		return math.Max(math.Tanh(x), 0)
	}
}

// refDerivative is f'(x) in float64.
func refDerivative(o op, x, p float64) float64 {
	switch o.name {
	case "relu":
		if x > 0 {
			return 1
		}
		return 0
	case "leaky":
		if x > 0 {
			return 1
		}
		return p
	case "elu":
		if x > 0 {
			return 1
		}
		return p * math.Exp(x)
	case "selu":
		if x > 0 {
			return l64
		}
		return l64 * a64 * math.Exp(x)
	case "clipped":
		if x > 0 && x < p {
			return 1
		}
		return 0
	default:
		if x > 0 {
			c := math.Cosh(x)
			return 1 / (c * c)
		}
		return 0
	}
}

// -------------------------------------------------------------- float tests

func TestForward(t *testing.T) {
	eachISA(t, func(t *testing.T) {
		x64 := samples(2000, 1)
		x32 := to32(x64)
		for _, o := range ops {
			y32 := make([]float32, len(x32))
			y64 := make([]float64, len(x64))
			if err := forward(o, x32, y32); err != nil {
				t.Fatal(o, err)
			}
			if err := forward(o, x64, y64); err != nil {
				t.Fatal(o, err)
			}
			p32 := float32(o.p)
			for i := range x64 {
				if o.exact {
					// exact ops: the formula in the working precision
					var w32 float32
					switch {
					case o.name == "leaky" && !(x32[i] > 0):
						w32 = p32 * x32[i]
					default:
						w32 = float32(refForward(o, float64(x32[i]), float64(p32)))
					}
					w64 := refForward(o, x64[i], o.p)
					if !same(float64(y32[i]), float64(w32)) || !same(y64[i], w64) {
						t.Errorf("%v x=%g: got %g/%g want %g/%g", o, x64[i], y32[i], y64[i], w32, w64)
						break
					}
					continue
				}
				w32 := refForward(o, float64(x32[i]), float64(p32))
				w64 := refForward(o, x64[i], o.p)
				if d := ulps32(y32[i], w32); d > 2 && !(math.IsNaN(w32) && math.IsNaN(float64(y32[i]))) {
					t.Errorf("%v f32 x=%g: got %g want %g (%d ULP)", o, x32[i], y32[i], w32, d)
					break
				}
				// the f64 reference is libm times rounded constants: allow 4 ULP
				if d := ulps64(y64[i], w64); d > 4 && !(math.IsNaN(w64) && math.IsNaN(y64[i])) {
					t.Errorf("%v f64 x=%g: got %g want %g (%d ULP)", o, x64[i], y64[i], w64, d)
					break
				}
			}
		}
	})
}

func TestBackward(t *testing.T) {
	eachISA(t, func(t *testing.T) {
		x64 := samples(2000, 2)
		dy64 := grads(len(x64), 2)
		x32, dy32 := to32(x64), to32(dy64)
		for _, o := range ops {
			dx32 := make([]float32, len(x32))
			dx64 := make([]float64, len(x64))
			if err := backward(o, x32, dy32, dx32); err != nil {
				t.Fatal(o, err)
			}
			if err := backward(o, x64, dy64, dx64); err != nil {
				t.Fatal(o, err)
			}
			p32 := float32(o.p)
			for i := range x64 {
				if o.exact {
					var w32 float32
					if o.name == "leaky" && !(x32[i] > 0) {
						w32 = p32 * dy32[i]
					} else {
						w32 = float32(refDerivative(o, float64(x32[i]), float64(p32))) * dy32[i]
					}
					var w64 float64
					if o.name == "leaky" && !(x64[i] > 0) {
						w64 = o.p * dy64[i]
					} else {
						w64 = refDerivative(o, x64[i], o.p) * dy64[i]
					}
					if !same(float64(dx32[i]), float64(w32)) || !same(dx64[i], w64) {
						t.Errorf("%v x=%g dy=%g: got %g/%g want %g/%g", o, x64[i], dy64[i], dx32[i], dx64[i], w32, w64)
						break
					}
					continue
				}
				w32 := float64(dy32[i]) * refDerivative(o, float64(x32[i]), float64(p32))
				w64 := dy64[i] * refDerivative(o, x64[i], o.p)
				sub32 := 2 * math.Abs(float64(dy32[i])) * 1.401298464324817e-45
				if d := ulps32(dx32[i], w32); d > 2 && math.Abs(float64(dx32[i])-w32) > sub32 {
					t.Errorf("%v f32 x=%g dy=%g: got %g want %g (%d ULP)", o, x32[i], dy32[i], dx32[i], w32, d)
					break
				}
				if d := ulps64(dx64[i], w64); d > 4 && math.Abs(dx64[i]-w64) > 1e-323 {
					t.Errorf("%v f64 x=%g dy=%g: got %g want %g (%d ULP)", o, x64[i], dy64[i], dx64[i], w64, d)
					break
				}
			}
		}
	})
}

func TestBackwardFromOutput(t *testing.T) {
	eachISA(t, func(t *testing.T) {
		y64 := samples(2000, 3)
		dy64 := grads(len(y64), 3)
		y32, dy32 := to32(y64), to32(dy64)
		for _, o := range ops {
			if o.name == "leaky" {
				o.p = 0.2 // from output needs alpha > 0
			}
			dx32 := make([]float32, len(y32))
			dx64 := make([]float64, len(y64))
			if err := fromOutput(o, y32, dy32, dx32); err != nil {
				t.Fatal(o, err)
			}
			if err := fromOutput(o, y64, dy64, dx64); err != nil {
				t.Fatal(o, err)
			}
			for i := range y64 {
				if math.IsInf(y64[i], 0) {
					continue
				}
				w32 := fromOutput32(o, y32[i], dy32[i])
				w64 := fromOutput64(o, y64[i], dy64[i])
				if !same(float64(dx32[i]), float64(w32)) || !same(dx64[i], w64) {
					t.Fatalf("%v y=%g dy=%g: got %g/%g want %g/%g", o, y64[i], dy64[i], dx32[i], dx64[i], w32, w64)
				}
			}
		}
	})
}

// The API's from-output formulas, one rounding per operation.
func fromOutput32(o op, y, dy float32) float32 {
	p := float32(o.p)
	pos := y > 0
	switch o.name {
	case "relu":
		if pos {
			return dy
		}
		return 0
	case "leaky":
		if pos {
			return dy
		}
		return p * dy
	case "elu":
		if pos {
			return dy
		}
		s := y + p
		return dy * s
	case "selu":
		if pos {
			return l32 * dy
		}
		s := y + la32
		return dy * s
	case "clipped":
		if pos && y < p {
			return dy
		}
		return 0
	default:
		if pos {
			return dy * fma32(-y, y, 1)
		}
		return 0
	}
}

// fma32 is fmaf: a*b+c rounded once to float32 (big.Float is exact here).
func fma32(a, b, c float32) float32 {
	if math.IsInf(float64(a), 0) || math.IsInf(float64(b), 0) || math.IsNaN(float64(a)) {
		return a*b + c
	}
	x := new(big.Float).SetPrec(400).SetFloat64(float64(a))
	x.Mul(x, new(big.Float).SetFloat64(float64(b)))
	x.Add(x, new(big.Float).SetFloat64(float64(c)))
	f, _ := x.Float32()
	return f
}

func fromOutput64(o op, y, dy float64) float64 {
	pos := y > 0
	switch o.name {
	case "relu":
		if pos {
			return dy
		}
		return 0
	case "leaky":
		if pos {
			return dy
		}
		return o.p * dy
	case "elu":
		if pos {
			return dy
		}
		s := y + o.p
		return dy * s
	case "selu":
		if pos {
			return 1.0507009873554805 * dy
		}
		s := y + la64
		return dy * s
	case "clipped":
		if pos && y < o.p {
			return dy
		}
		return 0
	default:
		if pos {
			return dy * math.FMA(-y, y, 1)
		}
		return 0
	}
}

func TestPReLU(t *testing.T) {
	eachISA(t, func(t *testing.T) {
		const outer, channels, inner = 5, 4, 37
		n := outer * channels * inner
		x := samples(n, 5)
		for i := range x {
			if math.IsInf(x[i], 0) || math.Abs(x[i]) > 1e20 {
				x[i] = 0
			}
		}
		dy := grads(n, 5)
		alpha := []float64{0.25, -0.5, 0, 1.5}
		y := make([]float64, n)
		dx := make([]float64, n)
		dalpha := make([]float64, channels)
		if err := relu.PReLUForward(x, y, alpha, outer, inner); err != nil {
			t.Fatal(err)
		}
		if err := relu.PReLUBackward(x, dy, alpha, dx, dalpha, outer, inner); err != nil {
			t.Fatal(err)
		}
		sum := make([]float64, channels)
		abs := make([]float64, channels)
		for i := range x {
			c := (i / inner) % channels
			wy, wdx := x[i], dy[i]
			if !(x[i] > 0) {
				wy, wdx = alpha[c]*x[i], alpha[c]*dy[i]
				sum[c] += x[i] * dy[i]
				abs[c] += math.Abs(x[i] * dy[i])
			}
			if !same(y[i], wy) || !same(dx[i], wdx) {
				t.Fatalf("[%d] got %g %g want %g %g", i, y[i], dx[i], wy, wdx)
			}
		}
		for c := range sum {
			if math.Abs(dalpha[c]-sum[c]) > 1e-13*abs[c]+1e-308 {
				t.Fatalf("dalpha[%d] = %g want %g", c, dalpha[c], sum[c])
			}
		}
		// float32, in place
		x32, dy32 := to32(x), to32(dy)
		a32 := to32(alpha)
		want := make([]float32, n)
		if err := relu.PReLUForward(x32, want, a32, outer, inner); err != nil {
			t.Fatal(err)
		}
		if err := relu.PReLUForward(x32, x32, a32, outer, inner); err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if !same(float64(want[i]), float64(x32[i])) {
				t.Fatal("in place differs at", i)
			}
		}
		da32 := make([]float32, channels)
		if err := relu.PReLUBackward(to32(x), dy32, a32, dy32, da32, outer, inner); err != nil {
			t.Fatal(err)
		}
		for c := range da32 {
			if math.Abs(float64(da32[c])-sum[c]) > 1e-5*abs[c]+1.2e-38 {
				t.Fatalf("f32 dalpha[%d] = %g want %g", c, da32[c], sum[c])
			}
		}
	})
}

func TestInPlace(t *testing.T) {
	x64 := samples(777, 6)
	dy64 := grads(len(x64), 6)
	for _, o := range ops {
		if o.name == "leaky" {
			o.p = 0.2
		}
		want := make([]float64, len(x64))
		if err := forward(o, x64, want); err != nil {
			t.Fatal(err)
		}
		a := append([]float64(nil), x64...)
		if err := forward(o, a, a); err != nil {
			t.Fatal(o, err)
		}
		for i := range a {
			if !same(a[i], want[i]) {
				t.Fatalf("%v forward in place differs at %d", o, i)
			}
		}
		for _, dir := range []func(op, []float64, []float64, []float64) error{backward[float64], fromOutput[float64]} {
			if err := dir(o, x64, dy64, want); err != nil {
				t.Fatal(err)
			}
			g := append([]float64(nil), dy64...)
			if err := dir(o, x64, g, g); err != nil { // dx == dy
				t.Fatal(o, err)
			}
			xx := append([]float64(nil), x64...)
			if err := dir(o, xx, dy64, xx); err != nil { // dx == x
				t.Fatal(o, err)
			}
			for i := range g {
				if !same(g[i], want[i]) || !same(xx[i], want[i]) {
					t.Fatalf("%v backward in place differs at %d", o, i)
				}
			}
		}
	}
}

func TestThreadsAndISAsBitIdentical(t *testing.T) {
	run := func() []uint64 {
		x := samples(300000, 7)
		dy := grads(len(x), 7)
		y := make([]float64, len(x))
		var out []uint64
		for _, o := range ops {
			if err := forward(o, x, y); err != nil {
				t.Fatal(err)
			}
			for _, v := range y {
				out = append(out, math.Float64bits(v))
			}
			if err := backward(o, x, dy, y); err != nil {
				t.Fatal(err)
			}
			for _, v := range y {
				out = append(out, math.Float64bits(v))
			}
		}
		return out
	}
	isa, threads := relu.ActiveISA(), relu.NumThreads()
	defer func() { relu.UseISA(isa); relu.SetNumThreads(threads) }()
	relu.UseISA(relu.ISAScalar)
	relu.SetNumThreads(1)
	ref := run()
	for _, i := range relu.AvailableISAs() {
		for _, n := range []int{1, 4} {
			relu.UseISA(i)
			relu.SetNumThreads(n)
			got := run()
			for k := range ref {
				if got[k] != ref[k] {
					t.Fatalf("%v with %d threads differs from scalar at %d", i, n, k)
				}
			}
		}
	}
}

// ------------------------------------------------------------------ errors

func TestErrors(t *testing.T) {
	x := []float32{1, -2, 3}
	y2 := make([]float32, 2)
	err := relu.Forward(x, y2)
	if !errors.Is(err, relu.ErrLength) || !strings.Contains(err.Error(), "y has 2 elements, expected 3") {
		t.Fatalf("got %v", err)
	}
	dx := make([]float32, 3)
	if err := relu.Backward(x, x[:2], dx); !errors.Is(err, relu.ErrLength) {
		t.Fatal(err)
	}
	if err := relu.TanhBackward(x, x, dx[:1]); !errors.Is(err, relu.ErrLength) {
		t.Fatal(err)
	}
	if err := relu.PReLUForward(x, dx, []float32{1, 2}, 1, 1); !errors.Is(err, relu.ErrLength) {
		t.Fatal(err)
	}
	if err := relu.PReLUForward(x, dx, []float32{1}, math.MaxInt, 2); !errors.Is(err, relu.ErrSize) {
		t.Fatal(err)
	}
	if err := relu.PReLUForward(x, dx, []float32{1}, -3, -1); !errors.Is(err, relu.ErrParam) {
		t.Fatal(err)
	}
	if err := relu.PReLUBackward(x, x, []float32{1}, dx, make([]float32, 2), 3, 1); !errors.Is(err, relu.ErrLength) {
		t.Fatal(err)
	}

	y := []float64{7, 7, 7}
	xd := []float64{1, -2, 3}
	nan, inf := math.NaN(), math.Inf(1)
	for i, e := range []error{
		relu.LeakyForward(xd, y, nan), relu.LeakyForward(xd, y, -inf),
		relu.ELUForward(xd, y, -0.5), relu.ELUForward(xd, y, inf),
		relu.ClippedForward(xd, y, 0), relu.ClippedForward(xd, y, -1), relu.ClippedForward(xd, y, nan),
		relu.LeakyBackwardFromOutput(xd, xd, y, 0), relu.LeakyBackwardFromOutput(xd, xd, y, -0.1),
		relu.ELUBackward(xd, xd, y, -1), relu.ClippedBackwardFromOutput(xd, xd, y, inf),
		relu.ClippedForward([]float64{}, nil, 0), // checked with no work too
		relu.LeakyForward([]float32{1}, []float32{0}, float32(math.Inf(1))),
	} {
		var ce *relu.CallError
		if !errors.Is(e, relu.ErrParam) || !errors.As(e, &ce) {
			t.Fatalf("case %d: got %v", i, e)
		}
		if !strings.Contains(e.Error(), relu.ErrParam.Error()) || !strings.HasPrefix(e.Error(), "relu: relu_") {
			t.Fatalf("case %d: message %q", i, e)
		}
	}
	if y[0] != 7 || y[1] != 7 || y[2] != 7 {
		t.Fatal("an error wrote the output")
	}
	// Partial overlap is reported by the library.
	buf := []float64{-1, 2, -3, 4, -5}
	if err := relu.Forward(buf[1:], buf[:4]); !errors.Is(err, relu.ErrOverlap) {
		t.Fatalf("got %v", err)
	}
	for _, s := range []relu.Status{relu.ErrNull, relu.ErrParam, relu.ErrOverlap, relu.ErrSize, relu.ErrUnsupported} {
		if s.Error() == "" || s.Error() == relu.Status(99).Error() {
			t.Fatalf("status %d has no text", s)
		}
	}
	// Empty slices are fine.
	if err := relu.Forward[float32](nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := relu.ForwardS8(nil, nil, relu.Quant{1, 0}, relu.Quant{1, 0}); err != nil {
		t.Fatal(err)
	}
}

// -------------------------------------------------------------------- int8

func real8(q int8, qu relu.Quant) float64 {
	return float64(qu.Scale) * (float64(q) - float64(qu.ZeroPoint))
}

// quantize returns the exact value per the definition and the other
// neighbour where v/scale is within tieTol (relative) of a .5 boundary.
func quantize(v float64, qu relu.Quant, tieTol float64) (int, int) {
	t := v / float64(qu.Scale)
	r := math.RoundToEven(t)
	f := math.Floor(t)
	other := f
	if r == f {
		other = f + 1
	}
	clamp := func(x float64) int {
		return int(math.Max(-128, math.Min(127, x+float64(qu.ZeroPoint))))
	}
	b := f + 0.5
	if math.Abs(t-b) <= tieTol*math.Max(math.Abs(t), math.Abs(b)) {
		return clamp(r), clamp(other)
	}
	return clamp(r), clamp(r)
}

func forwardS8(o op, x, y []int8, xq, yq relu.Quant) error {
	p := float32(o.p)
	switch o.name {
	case "relu":
		return relu.ForwardS8(x, y, xq, yq)
	case "leaky":
		return relu.LeakyForwardS8(x, y, p, xq, yq)
	case "elu":
		return relu.ELUForwardS8(x, y, p, xq, yq)
	case "selu":
		return relu.SELUForwardS8(x, y, xq, yq)
	case "clipped":
		return relu.ClippedForwardS8(x, y, p, xq, yq)
	default:
		return relu.TanhForwardS8(x, y, xq, yq)
	}
}

func backwardS8(o op, x, dy, dx []int8, xq, dyq, dxq relu.Quant) error {
	p := float32(o.p)
	switch o.name {
	case "relu":
		return relu.BackwardS8(x, dy, dx, xq, dyq, dxq)
	case "leaky":
		return relu.LeakyBackwardS8(x, dy, dx, p, xq, dyq, dxq)
	case "elu":
		return relu.ELUBackwardS8(x, dy, dx, p, xq, dyq, dxq)
	case "selu":
		return relu.SELUBackwardS8(x, dy, dx, xq, dyq, dxq)
	case "clipped":
		return relu.ClippedBackwardS8(x, dy, dx, p, xq, dyq, dxq)
	default:
		return relu.TanhBackwardS8(x, dy, dx, xq, dyq, dxq)
	}
}

var quants = [][2]relu.Quant{
	{{0.05, 3}, {0.05, 3}},
	{{0.1, -20}, {0.02, 5}},
	{{1.0, 0}, {0.5, -128}},
	{{0.003, 127}, {0.01, 0}},
}

func TestInt8(t *testing.T) {
	all := make([]int8, 256)
	dy := make([]int8, 256)
	for i := range all {
		all[i] = int8(i - 128)
		dy[i] = int8((i*37+11)%256 - 128)
	}
	dyq := relu.Quant{Scale: 0.03, ZeroPoint: -7}
	eachISA(t, func(t *testing.T) {
		for _, o := range ops {
			p := float64(float32(o.p))
			for _, q := range quants {
				xq, yq := q[0], q[1]
				y := make([]int8, 256)
				if err := forwardS8(o, all, y, xq, yq); err != nil {
					t.Fatal(o, err)
				}
				dx := make([]int8, 256)
				if err := backwardS8(o, all, dy, dx, xq, dyq, yq); err != nil {
					t.Fatal(o, err)
				}
				for i := range all {
					e, alt := quantize(refForward(o, real8(all[i], xq), p), yq, 1e-12)
					if g := int(y[i]); g != e && g != alt {
						t.Fatalf("%v forward x=%d: got %d want %d", o, all[i], g, e)
					}
					w, _ := quantize(real8(dy[i], dyq)*refDerivative(o, real8(all[i], xq), p), yq, 0)
					if d := int(dx[i]) - w; d > 1 || d < -1 {
						t.Fatalf("%v backward x=%d dy=%d: got %d want %d", o, all[i], dy[i], dx[i], w)
					}
				}
				// in place
				a := append([]int8(nil), all...)
				if err := forwardS8(o, a, a, xq, yq); err != nil {
					t.Fatal(err)
				}
				g := append([]int8(nil), dy...)
				if err := backwardS8(o, all, g, g, xq, dyq, yq); err != nil {
					t.Fatal(err)
				}
				for i := range a {
					if a[i] != y[i] || g[i] != dx[i] {
						t.Fatalf("%v int8 in place differs at %d", o, i)
					}
				}
			}
		}
		// PReLU
		alpha := []float32{0.25, -0.5, 1.5, 0}
		xq, yq := relu.Quant{0.04, -5}, relu.Quant{0.03, 10}
		y := make([]int8, 256)
		dx := make([]int8, 256)
		da := make([]float32, 4)
		if err := relu.PReLUForwardS8(all, y, alpha, 2, 32, xq, yq); err != nil {
			t.Fatal(err)
		}
		if err := relu.PReLUBackwardS8(all, dy, alpha, dx, da, 2, 32, xq, dyq, yq); err != nil {
			t.Fatal(err)
		}
		var sum, abs [4]float64
		for i := range all {
			c := (i / 32) % 4
			xr, gr := real8(all[i], xq), real8(dy[i], dyq)
			a := float64(alpha[c])
			v, d := xr, gr
			if !(xr > 0) {
				v, d = a*xr, a*gr
				sum[c] += xr * gr
				abs[c] += math.Abs(xr * gr)
			}
			e, alt := quantize(v, yq, 1e-12)
			if int(y[i]) != e && int(y[i]) != alt {
				t.Fatalf("prelu s8 forward [%d]: got %d want %d", i, y[i], e)
			}
			w, _ := quantize(d, yq, 0)
			if diff := int(dx[i]) - w; diff > 1 || diff < -1 {
				t.Fatalf("prelu s8 backward [%d]: got %d want %d", i, dx[i], w)
			}
		}
		for c := range da {
			if math.Abs(float64(da[c])-sum[c]) > 1e-5*abs[c]+1.2e-38 {
				t.Fatalf("s8 dalpha[%d] = %g want %g", c, da[c], sum[c])
			}
		}
	})
}

func TestInt8Errors(t *testing.T) {
	good := relu.Quant{0.1, 0}
	for _, bad := range []relu.Quant{{0, 0}, {-1, 0}, {float32(math.NaN()), 0}, {float32(math.Inf(1)), 0}, {1, 128}, {1, -129}} {
		out := []int8{5, 5}
		if err := relu.ForwardS8([]int8{1, 2}, out, bad, good); !errors.Is(err, relu.ErrParam) {
			t.Fatalf("%v: %v", bad, err)
		}
		if err := relu.BackwardS8([]int8{1, 2}, []int8{1, 2}, out, good, good, bad); !errors.Is(err, relu.ErrParam) {
			t.Fatalf("%v: %v", bad, err)
		}
		if err := relu.ForwardS8(nil, nil, good, bad); !errors.Is(err, relu.ErrParam) {
			t.Fatalf("%v: %v", bad, err)
		}
		if out[0] != 5 || out[1] != 5 {
			t.Fatal("an error wrote the output")
		}
	}
	if err := relu.ForwardS8([]int8{1, 2, 3}, make([]int8, 2), good, good); !errors.Is(err, relu.ErrLength) {
		t.Fatal(err)
	}
	if err := relu.ClippedForwardS8([]int8{1}, []int8{0}, 0, good, good); !errors.Is(err, relu.ErrParam) {
		t.Fatal(err)
	}
}

// ------------------------------------------------------------ ISA, threads

func TestISAAndThreads(t *testing.T) {
	isa, threads := relu.ActiveISA(), relu.NumThreads()
	defer func() { relu.UseISA(isa); relu.SetNumThreads(threads) }()
	avail := relu.AvailableISAs()
	if len(avail) == 0 || avail[0] != relu.ISAScalar {
		t.Fatal(avail)
	}
	for _, i := range relu.AllISAs {
		p, err := relu.ParseISA(strings.ToUpper(i.String()))
		if err != nil || p != i {
			t.Fatal(i, err)
		}
		if i.Available() {
			if err := relu.UseISA(i); err != nil || relu.ActiveISA() != i {
				t.Fatal(i, err)
			}
		} else {
			cur := relu.ActiveISA()
			if err := relu.UseISA(i); !errors.Is(err, relu.ErrUnsupported) || relu.ActiveISA() != cur {
				t.Fatal(i, err)
			}
		}
	}
	if _, err := relu.ParseISA("sse9"); err == nil {
		t.Fatal("sse9 parsed")
	}
	if err := relu.UseISA(relu.ISA(99)); !errors.Is(err, relu.ErrParam) {
		t.Fatal(err)
	}
	if relu.ISA(99).Available() || relu.ISA(99).String() != "unknown" {
		t.Fatal("ISA 99")
	}
	if err := relu.SetNumThreads(3); err != nil || relu.NumThreads() != 3 {
		t.Fatal(err)
	}
	for _, bad := range []int{0, -1, 1025, math.MaxInt} {
		if err := relu.SetNumThreads(bad); !errors.Is(err, relu.ErrParam) {
			t.Fatal(bad, err)
		}
	}
	if relu.NumThreads() != 3 {
		t.Fatal(relu.NumThreads())
	}
	if v := relu.Version(); !strings.HasPrefix(v, "1.") || strings.Count(v, ".") != 2 {
		t.Fatal(v)
	}
}

func ExampleClippedForward() {
	x := []float32{-2, -0.5, 0, 0.5, 7}
	y := make([]float32, len(x))
	if err := relu.ClippedForward(x, y, 6); err != nil { // ReLU6
		panic(err)
	}
	fmt.Println(y)
	// Output: [0 0 0 0.5 6]
}
