/*
 * Differential fuzzer (libFuzzer). Decodes from its input a function, its
 * parameters (valid or hostile), quantizations, a PReLU shape, a length, a
 * start offset, an in-place / partial-overlap choice and the data; runs the
 * call on the scalar tier and on every other available tier; aborts when
 *   - any tier's status or output bits differ from scalar's,
 *   - the status is not the documented one (PARAM exactly when a parameter
 *     is out of its domain, OVERLAP exactly for a partial overlap), or
 *   - a failing call wrote anything.
 * Buffers are malloc'ed at their exact size so ASan sees one byte too far.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include "../api_calls.h"

typedef struct reader {
    const uint8_t *p;
    size_t n;
} reader;

static uint8_t take8(reader *r)
{
    uint8_t v = 0;
    if (r->n) {
        v = *r->p++;
        r->n--;
    }
    return v;
}

static uint32_t take32(reader *r)
{
    uint32_t v = 0;
    int i;
    for (i = 0; i < 4; i++)
        v = v << 8 | take8(r);
    return v;
}

static const double nice_params[] = {0.01, 1.0, 0.5, 6.0, 2.5, 1e-30, 3.0e38, 0.0, -0.5};

static double take_param(reader *r)
{
    const uint8_t mode = take8(r);
    if (mode < 200)
        return nice_params[mode % (sizeof nice_params / sizeof nice_params[0])];
    {
        /* Raw bits: NaNs, infinities, negatives, subnormals. */
        const uint32_t bits = take32(r);
        float f;
        memcpy(&f, &bits, sizeof f);
        return (double)f;
    }
}

static relu_quant take_quant(reader *r)
{
    relu_quant q;
    const uint8_t mode = take8(r);
    static const float scales[] = {0.05f, 1.0f, 0.001f, 37.5f, 1e4f, 1e-8f, 3e30f};
    if (mode < 240) {
        q.scale = scales[mode % (sizeof scales / sizeof scales[0])];
        q.zero_point = (int8_t)take8(r);
    } else {
        const uint32_t bits = take32(r);
        memcpy(&q.scale, &bits, sizeof q.scale);
        q.zero_point = (int32_t)(take32(r) % 600) - 300;
    }
    return q;
}

/* The domain rules of relu.h, applied to the value the function receives. */
static int param_valid(const api_call *c, double p)
{
    const double v = c->dtype == DT_F64 ? p : (double)(float)p;
    if (!c->has_param)
        return 1;
    if (!isfinite(v))
        return 0;
    if (strstr(c->name, "leaky") && strstr(c->name, "from_output"))
        return v > 0;
    if (strstr(c->name, "relu_elu_"))
        return v >= 0;
    if (strstr(c->name, "clipped"))
        return v > 0;
    return 1;
}

static int quant_valid(const relu_quant *q)
{
    return isfinite(q->scale) && q->scale > 0 && q->zero_point >= -128 && q->zero_point <= 127;
}

typedef struct run_result {
    size_t out_bytes, dalpha_bytes;
} run_result;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    reader r = {data, size};
    const api_call *c = &api_calls[take8(&r) % API_CALL_COUNT];
    const uint8_t flags = take8(&r);
    const int in_place = flags & 1, overlap = (flags >> 1) & 1;
    const size_t off = (flags >> 2) & 3;
    const size_t es = call_elem_size(c);
    const size_t aes = c->dtype == DT_F64 ? 8 : 4;
    const int prelu = c->kind == KIND_PRELU_FWD || c->kind == KIND_PRELU_BWD;
    const int backward = c->kind == KIND_BACKWARD || c->kind == KIND_PRELU_BWD;
    relu_quant qx, qy, qdy;
    call_args a;
    double param;
    size_t n, outer = 0, channels = 0, inner = 0, i;
    uint8_t *x, *dy, *alpha, *outbuf, *orig_x, *orig_dy;
    uint8_t *scalar_out = NULL, *scalar_dalpha = NULL;
    relu_status scalar_st = RELU_OK;
    int isa, expect_param_error;

    param = take_param(&r);
    qx = take_quant(&r);
    qy = take_quant(&r);
    qdy = take_quant(&r);
    if (prelu) {
        outer = take8(&r) % 9;
        channels = take8(&r) % 9;
        inner = take8(&r) % 33;
        n = outer * channels * inner;
    } else {
        n = (r.n / (backward ? 2 : 1)) / es;
        if (n > 4096)
            n = 4096;
    }

    /* Inputs (offset by `off` elements inside their allocation), alpha. */
    x = malloc((n + off) * es + 1);
    dy = malloc((n + off) * es + 1);
    alpha = malloc(channels * aes + 1);
    /* The output: its own buffer, or x/dy (in place), or x shifted by one
     * element (a partial overlap when n >= 2). */
    outbuf = malloc((n + off + 1) * es + 1);
    if (!x || !dy || !alpha || !outbuf)
        abort();
    for (i = 0; i < (n + off) * es; i++) {
        x[i] = take8(&r);
        dy[i] = take8(&r);
    }
    orig_x = malloc((n + off) * es + 1);
    orig_dy = malloc((n + off) * es + 1);
    if (!orig_x || !orig_dy)
        abort();
    memcpy(orig_x, x, (n + off) * es);
    memcpy(orig_dy, dy, (n + off) * es);
    for (i = 0; i < channels * aes; i++)
        alpha[i] = take8(&r);
    if (c->dtype == DT_S8)
        for (i = 0; i < channels; i++) {
            float v = ((float)(int8_t)alpha[i * 4]) / 16.0f;
            memcpy(alpha + i * 4, &v, 4);
        }

    memset(&a, 0, sizeof a);
    a.x = x + off * es;
    a.dy = dy + off * es;
    a.alpha = alpha;
    a.n = n;
    a.outer = outer;
    a.channels = channels;
    a.inner = inner;
    a.param = param;
    a.xq = &qx;
    a.yq = &qy;
    a.dyq = &qdy;

    expect_param_error = !param_valid(c, param);
    if (c->dtype == DT_S8)
        expect_param_error |= !quant_valid(&qx) || !quant_valid(&qy) ||
                              (backward && !quant_valid(&qdy));

    for (isa = RELU_ISA_SCALAR; isa <= RELU_ISA_NEON; isa++) {
        run_result res;
        uint8_t *dalpha;
        relu_status st;
        if (!relu_isa_available((relu_isa)isa))
            continue;
        if (relu_use_isa((relu_isa)isa) != RELU_OK)
            abort();
        /* Fresh inputs every tier: in place overwrites them. */
        memcpy(x, orig_x, (n + off) * es);
        memcpy(dy, orig_dy, (n + off) * es);
        a.x = x + off * es;
        res.out_bytes = n * es;
        res.dalpha_bytes = c->kind == KIND_PRELU_BWD ? channels * aes : 0;
        dalpha = malloc(res.dalpha_bytes + 1);
        if (!dalpha)
            abort();
        memset(dalpha, 0xA5, res.dalpha_bytes + 1);
        if (in_place && !overlap) {
            uint8_t *target = backward ? dy : x;
            a.out = target + off * es;
        } else if (overlap) {
            memcpy(outbuf, x, (n + off) * es);
            a.x = outbuf + off * es;
            a.out = outbuf + (off + 1) * es;
        } else {
            memset(outbuf, 0x5A, (n + off + 1) * es + 1);
            a.out = outbuf + off * es;
        }
        a.dalpha = dalpha;
        {
            /* Snapshot what the output region holds, to prove an error
             * wrote nothing. */
            uint8_t *before = malloc(n * es + 1);
            if (!before)
                abort();
            memcpy(before, a.out, n * es);
            st = c->invoke(&a);
            if (st != RELU_OK && memcmp(before, a.out, n * es) != 0)
                abort();
            if (st != RELU_OK && res.dalpha_bytes) {
                for (i = 0; i < res.dalpha_bytes; i++)
                    if (dalpha[i] != 0xA5)
                        abort();
            }
            free(before);
        }
        /* The documented status. */
        if (expect_param_error != (st == RELU_ERR_PARAM))
            abort();
        if (!expect_param_error) {
            const int partial = overlap && n >= 2;
            if (partial != (st == RELU_ERR_OVERLAP))
                abort();
            if (!partial && st != RELU_OK)
                abort();
        }
        if (isa == RELU_ISA_SCALAR) {
            scalar_st = st;
            scalar_out = malloc(n * es + 1);
            scalar_dalpha = malloc(res.dalpha_bytes + 1);
            if (!scalar_out || !scalar_dalpha)
                abort();
            memcpy(scalar_out, a.out, n * es);
            memcpy(scalar_dalpha, dalpha, res.dalpha_bytes);
        } else if (st != scalar_st || memcmp(scalar_out, a.out, n * es) != 0 ||
                   memcmp(scalar_dalpha, dalpha, res.dalpha_bytes) != 0) {
            abort();
        }
        free(dalpha);
    }
    relu_use_isa(RELU_ISA_SCALAR);
    free(scalar_out);
    free(scalar_dalpha);
    free(x);
    free(dy);
    free(orig_x);
    free(orig_dy);
    free(alpha);
    free(outbuf);
    return 0;
}
