/*
 * Q15 real FFT with block floating point: see rfft_q15.h for the format.
 *
 * An N-point real FFT is an N/2-point complex FFT of z[n] = x[2n] + j x[2n+1] followed
 * by a split stage:  X[k] = Fe[k] + W_N^k Fo[k],  X[N/2-k] = conj(Fe[k] - W_N^k Fo[k]),
 * Fe = (Z[k] + conj Z[N/2-k]) / 2,  Fo = (Z[k] - conj Z[N/2-k]) / 2j.
 *
 * Scaling. The input is shifted so every component is below 2^13 (magnitude below
 * 11,585). A radix-2 stage that halves its outputs never raises the largest complex
 * magnitude; one that does not halve at most doubles it. So a stage may skip the
 * halving when every component it reads is inside [-8192, 8192), and every value stays
 * below 23,170 + a few LSB of rounding: no overflow, and no bit thrown away that could
 * have been kept. The test runs on the packed words the previous stage stored:
 * OR(word + 0x20002000) & 0xC000C000 is zero only when both halves are in range (a
 * carry out of the low half can only make it say "shift" a little early).
 * Every rounding here is mirrored exactly by harness/frontend_model.py.
 */
#include "rfft_q15.h"
#include "fe_tables.h"

#define ABS_BITS(v) ((uint32_t)((v) ^ ((v) >> 31)))
#define RE(w) ((int32_t)(int16_t)(w))
#define IM(w) ((int32_t)(w) >> 16)
#define PACK(r, i) (((uint32_t)(r) & 0xFFFFu) | ((uint32_t)(i) << 16))
#define RANGE_BIAS 0x20002000u
#define RANGE_MASK 0xC000C000u
#define SHIFT_OF(acc) (((acc) & RANGE_MASK) ? 1 : 0)

int rfft_msb32(uint32_t v)
{
    int p = 0;
    if (v >= 1u << 16) { v >>= 16; p += 16; }
    if (v >= 1u << 8)  { v >>= 8;  p += 8; }
    if (v >= 1u << 4)  { v >>= 4;  p += 4; }
    if (v >= 1u << 2)  { v >>= 2;  p += 2; }
    if (v >= 1u << 1)  { p += 1; }
    return p;
}

/* Stage 1 (span 1, twiddle 1) with the input normalisation folded in. */
__attribute__((noinline)) static uint32_t stage1(uint32_t *z, int left, int right)
{
    uint32_t acc = 0;
    int32_t r = (1 << right) >> 1;
    for (uint32_t *p = z; p < z + FE_M; p += 2) {
        uint32_t a = p[0], b = p[1];
        int32_t xr = ((RE(a) + RE(b)) << left) + r, xi = ((IM(a) + IM(b)) << left) + r;
        int32_t yr = ((RE(a) - RE(b)) << left) + r, yi = ((IM(a) - IM(b)) << left) + r;
        uint32_t x = PACK(xr >> right, xi >> right), y = PACK(yr >> right, yi >> right);
        p[0] = x;
        p[1] = y;
        acc |= (x + RANGE_BIAS) | (y + RANGE_BIAS);
    }
    return acc;
}

/* Butterfly runs, in assembly (rfft_q15_bfly.S): every butterfly at pa, pa + stride,
   ... below end, with b at hoff bytes above a; W = wr - j ws, 1 or -j; s = 0 or 1. */
typedef uint32_t bfly_fn(uint32_t *pa, uint32_t *end, uint32_t stride, uint32_t hoff, int32_t wr,
                         int32_t ws, int s);
bfly_fn rfft_bfly_w, rfft_bfly_one, rfft_bfly_mj;
/* One group of a late stage, twiddles walked from the table (j and j + h/2 per read). */
typedef uint32_t walk_fn(uint32_t *p, uint32_t *end, uint32_t hoff, const int16_t *sinp,
                         const int16_t *cosp, uint32_t step_bytes);
walk_fn rfft_walk_s0, rfft_walk_s1;

/* A stage of half-span h >= 2. Butterfly j of each group uses W_N^(j * step); j and
   j + h/2 share one table read, since W_N^(k + N/4) = -j W_N^k. */
__attribute__((noinline)) static uint32_t stage(uint32_t *z, uint32_t h, uint32_t step, int s)
{
    uint32_t q = h / 2, stride = 8 * h, hoff = 4 * h;
    uint32_t *end = z + FE_M;
    uint32_t acc = rfft_bfly_one(z, end, stride, hoff, 0, 0, s) | rfft_bfly_mj(z + q, end, stride, hoff, 0, 0, s);
    if (FE_M >= h * h) { /* groups (M / 2h) >= h / 2: one run per twiddle */
        const int16_t *sin_k = fe_sin_q15 + step, *cos_k = fe_sin_q15 + FE_N / 4 - step;
        for (uint32_t j = 1; j < q; j++, sin_k += step, cos_k -= step) {
            int32_t wr = *cos_k, ws = *sin_k;
            acc |= rfft_bfly_w(z + j, end, stride, hoff, wr, ws, s);
            acc |= rfft_bfly_w(z + j + q, end, stride, hoff, -ws, wr, s);
        }
    } else { /* few groups: one walk over the twiddles per group */
        walk_fn *walk = s ? rfft_walk_s1 : rfft_walk_s0;
        for (uint32_t *g = z; g < end; g += 2 * h)
            acc |= walk(g + 1, g + q, hoff, fe_sin_q15 + step, fe_sin_q15 + FE_N / 4 - step, 2 * step);
    }
    return acc;
}

/* The real split: N/2 complex bins Z -> N/2 + 1 real-FFT bins X, packed. */
__attribute__((noinline)) static void split(uint32_t *z, int s)
{
    int32_t r = s;
    int32_t zr = RE(z[0]), zi = IM(z[0]);
    z[0] = PACK((zr + zi + r) >> s, (zr - zi + r) >> s);
    for (uint32_t k = 1; k < FE_M / 2; k++) {
        uint32_t a = z[k], b = z[FE_M - k];
        int32_t ar = RE(a), ai = IM(a), br = RE(b), bi = IM(b);
        int32_t fer = (ar + br + 1) >> 1, fei = (ai - bi + 1) >> 1;
        int32_t for_ = (ai + bi + 1) >> 1, foi = (br - ar + 1) >> 1;
        int32_t wr = fe_sin_q15[FE_N / 4 - k], ws = fe_sin_q15[k];
        int32_t tr = (((wr * for_ + ws * foi) >> 14) + 1) >> 1;
        int32_t ti = (((wr * foi - ws * for_) >> 14) + 1) >> 1;
        fer += r;
        fei += r;
        z[k] = PACK((fer + tr) >> s, (fei + ti) >> s);
        z[FE_M - k] = PACK((fer - tr) >> s, (ti - fei + 2 * r) >> s);
    }
    uint32_t c = z[FE_M / 2]; /* k = N/4: X = conj(Z) */
    z[FE_M / 2] = PACK((RE(c) + r) >> s, (-IM(c) + r) >> s);
}

int rfft_q15_bitreversed(int16_t *buf, uint32_t bits)
{
    uint32_t *z = (uint32_t *)(void *)buf;
    if (bits == 0)
        return RFFT_SILENT;
    int norm = 12 - rfft_msb32(bits); /* every component below 2^13 */
    int exponent = -norm;
    uint32_t acc = stage1(z, norm > 0 ? norm : 0, norm < 0 ? -norm : 0);
    for (uint32_t h = 2, step = FE_N / 4; h < FE_M; h <<= 1, step >>= 1) {
        int s = SHIFT_OF(acc);
        exponent += s;
        acc = stage(z, h, step, s);
    }
    int s = SHIFT_OF(acc);
    split(z, s);
    return exponent + s;
}

void rfft_q15_permute(int16_t *buf)
{
    uint32_t *z = (uint32_t *)(void *)buf; /* complex pairs as words */
    for (uint32_t i = 1; i < FE_M - 1; i++) {
        uint32_t j = fe_bitrev[i];
        if (i < j) {
            uint32_t t = z[i];
            z[i] = z[j];
            z[j] = t;
        }
    }
}

int rfft_q15(int16_t *buf)
{
    uint32_t bits = 0;
    for (uint32_t i = 0; i < FE_N; i++)
        bits |= ABS_BITS((int32_t)buf[i]);
    rfft_q15_permute(buf);
    return rfft_q15_bitreversed(buf, bits);
}
