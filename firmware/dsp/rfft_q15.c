/*
 * Q15 real FFT with block floating point: see rfft_q15.h for the format.
 *
 * An N-point real FFT is an N/2-point complex FFT of z[n] = x[2n] + j x[2n+1] followed
 * by a split stage:  X[k] = Fe[k] + W_N^k Fo[k],  X[N/2-k] = conj(Fe[k] - W_N^k Fo[k]),
 * Fe = (Z[k] + conj Z[N/2-k]) / 2,  Fo = (Z[k] - conj Z[N/2-k]) / 2j.
 *
 * The complex FFT (decimation in time, bit-reversed input) runs as radix-4 passes, each
 * two radix-2 stages of spans h and 2h: d0 = A + B, d1 = C - jD, d2 = A - B, d3 = C + jD
 * with A, C = a0 +- W1 a1, B, D = W2 a2 +- W3 a3, W2 = W_4h^j, W1 = W2^2, W3 = W2^3
 * (rfft_q15_bfly.S). When log2(N/2) is odd a twiddle-free radix-2 stage comes first;
 * when even, the first radix-4 pass is twiddle-free.
 *
 * Scaling. The first pass scales the input so that its outputs cannot overflow:
 * components below 2^13 before a radix-2 stage, 2^12 before a radix-4 one. A radix-4
 * pass can at most quadruple the largest complex magnitude, so it shifts its outputs
 * right by s = 0 when every component it reads is in [-4096, 4096), 1 when in
 * [-8192, 8192), else 2: every stored magnitude stays below 23,170 + a few LSB, and no
 * bit is thrown away that a pass could have kept. The split halves unless its inputs
 * are in [-8192, 8192). Each pass works in Q2 (products truncated two bits below the
 * output's LSB) and rounds once, at the shift; the split works in Q1 (2 Fe, 2 Fo,
 * rounded products) and rounds once too.
 * The range test runs on the packed words the previous pass stored (rfft_q15_bfly.S).
 * Every rounding here is mirrored exactly by harness/mcubench/dsp/frontend.py.
 */
#include "rfft_q15.h"
#include "fe_tables.h"

#define RE(w) ((int32_t)(int16_t)(w))
#define IM(w) ((int32_t)(w) >> 16)
#define PACK(r, i) (((uint32_t)(r) & 0xFFFFu) | ((uint32_t)(i) << 16))
/* range bits (OR of w ^ (w << 1)) -> shift: radix-2 (or split), radix-4 */
#define SHIFT2(acc) (((acc) & 0xC000C000u) ? 1 : 0)
#define SHIFT4(acc) (((acc) & 0xE000E000u) ? 1 + SHIFT2(acc) : 0)

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

/* The passes, in assembly (rfft_q15_bfly.S); each returns the range bits it wrote. */
uint32_t rfft_stage1(uint32_t *z, uint32_t *end, int left, int right);
uint32_t rfft_r4_pass(uint32_t *z, uint32_t q_bytes, const uint32_t *tw, uint32_t tw_step_bytes,
                      uint32_t *end, int sh);
void rfft_split(uint32_t *pa, uint32_t *pb, uint32_t tw_minus_z, int s);

/* The real split: N/2 complex bins Z -> N/2 + 1 real-FFT bins X, packed. Bins 1 .. N/4 - 1
   and their mirrors are rfft_split's (rfft_q15_bfly.S), with twiddles fe_split_tw[k - 1]. */
__attribute__((noinline)) static void split(uint32_t *z, int s)
{
    int32_t r = s;
    int32_t zr = RE(z[0]), zi = IM(z[0]);
    z[0] = PACK((zr + zi + r) >> s, (zr - zi + r) >> s);
    rfft_split(z + 1, z + FE_M - 1, (uintptr_t)fe_split_tw - 4 - (uintptr_t)z, s);
    uint32_t c = z[FE_M / 2]; /* k = N/4: X = conj(Z) */
    z[FE_M / 2] = PACK((RE(c) + r) >> s, (-IM(c) + r) >> s);
}

int rfft_q15_bitreversed(int16_t *buf, uint32_t bits)
{
    uint32_t *z = (uint32_t *)(void *)buf;
    uint32_t *end = z + FE_M;
    if (bits == 0)
        return RFFT_SILENT;
#if FE_LOG2M & 1
    int norm = 12 - rfft_msb32(bits); /* every component below 2^13 */
    uint32_t acc = rfft_stage1(z, end, norm > 0 ? norm : 0, norm < 0 ? -norm : 0);
    uint32_t h = 2;
#else
    int norm = 11 - rfft_msb32(bits); /* every component below 2^12 */
    int sh = 2 - norm;                /* the pass shifts its Q2 sums right by sh */
    if (sh < 0) {                     /* a quiet input: the rest of the scaling first */
        for (uint32_t *p = z; p < end; p++)
            *p = PACK(RE(*p) << -sh, IM(*p) << -sh);
        sh = 0;
    }
    uint32_t acc = rfft_r4_pass(z, 4, fe_r4_tw, 0, end, sh);
    uint32_t h = 4;
#endif
    int exponent = -norm;
    /* the table holds the twiddles of the last pass: a pass of span h reads every
       (M / 4h)-th row */
    for (uint32_t rows = FE_M / 4 / h; h < FE_M; h <<= 2, rows >>= 2) {
        int s = SHIFT4(acc);
        exponent += s;
        acc = rfft_r4_pass(z, 4 * h, fe_r4_tw + 3 * (rows - 1), 12 * rows, end, s + 2);
    }
    int s = SHIFT2(acc);
    split(z, s);
    return exponent + s;
}

void rfft_q15_permute(int16_t *buf)
{
    uint32_t *z = (uint32_t *)(void *)buf; /* complex pairs as words */
    /* the table lists only the pairs that move (i < bitrev(i)), both indices */
    for (const fe_index_t *p = fe_bitrev_swaps; p < fe_bitrev_swaps + FE_NSWAPS * 2; p += 2) {
        uint32_t *a = z + p[0], *b = z + p[1];
        uint32_t t = *a;
        *a = *b;
        *b = t;
    }
}

int rfft_q15(int16_t *buf)
{
    const uint32_t *w = (const uint32_t *)(const void *)buf;
    uint32_t bits = rfft_range_to_bits(rfft_range_bits(w, w + FE_M));
    rfft_q15_permute(buf);
    return rfft_q15_bitreversed(buf, bits);
}
