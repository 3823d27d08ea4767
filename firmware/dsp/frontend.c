/*
 * The front end: frame -> window -> real FFT -> power -> sparse mel -> log (-> DCT).
 * See frontend.h for the formats; harness/frontend_model.py mirrors every step.
 *
 * Precision: the frame's largest magnitude is found first and its shift is folded
 * into the window multiply, so a quiet frame keeps its low bits instead of losing
 * them to the window's rounding. The FFT is block floating point (rfft_q15.c).
 * Mel energies are sums of uint32 powers times uint16 weights (each band's peak
 * weight is 65535; the band's gain is a log2 offset added after the log), kept as two
 * 64-bit sums of 32-bit products; the M0+ multiplies 32 x 32 -> 32 only.
 */
#include "frontend.h"
#include "fe_tables.h"
#include "rfft_q15.h"

#define FE_HIST (FE_WIN - FE_HOP)
#define ABS_BITS(v) ((uint32_t)((v) ^ ((v) >> 31)))

#if FE_HIST > 0
int16_t fe_history[FE_HIST] __attribute__((aligned(4)));
#endif
/* FFT buffer: N int16, reused in place for N/2 + 1 powers (one extra word). */
uint32_t fe_work[FE_N / 2 + 1];

void fe_init(void)
{
#if FE_HIST > 0
    for (uint32_t i = 0; i < FE_HIST; i++)
        fe_history[i] = 0;
#endif
}

static inline int32_t frame_sample(const int16_t *hop, uint32_t n)
{
#if FE_HIST > 0
    if (n < FE_HIST)
        return fe_history[n];
#endif
    return n < FE_WIN ? hop[n - FE_HIST] : 0;
}

static inline int32_t window_q15(uint32_t n)
{
    return fe_window_q15[n <= FE_WIN / 2 ? n : FE_WIN - n];
}

/* OR of magnitudes of the frame's samples: a power-of-two bound on the largest. */
/* The phases run one after another: out of line, their stack frames never nest. */
#define PHASE __attribute__((noinline))

PHASE static uint32_t frame_bits(const int16_t *hop)
{
    uint32_t bits = 0;
#if FE_HIST > 0
    for (uint32_t i = 0; i < FE_HIST; i++)
        bits |= ABS_BITS((int32_t)fe_history[i]);
#endif
    for (uint32_t i = 0; i < FE_HOP; i++)
        bits |= ABS_BITS((int32_t)hop[i]);
    return bits;
}

/* Window with the normalising shift folded in; writes complex pairs in bit-reversed
   order for the FFT and returns the OR of the windowed magnitudes. */
PHASE static uint32_t window_frame(const int16_t *hop, int shift)
{
    int16_t *buf = (int16_t *)(void *)fe_work;
    int32_t round = 1 << (shift - 1);
    uint32_t bits = 0;
    for (uint32_t c = 0; c < FE_N / 2; c++) {
        uint32_t n = 2 * c;
        int32_t x0 = (frame_sample(hop, n) * window_q15(n) + round) >> shift;
        int32_t x1 = (frame_sample(hop, n + 1) * window_q15(n + 1) + round) >> shift;
        uint32_t pos = 2u * fe_bitrev[c];
        buf[pos] = (int16_t)x0;
        buf[pos + 1] = (int16_t)x1;
        bits |= ABS_BITS(x0) | ABS_BITS(x1);
    }
    return bits;
}

PHASE static void keep_history(const int16_t *hop)
{
#if FE_HIST > 0
    uint32_t i = 0;
    for (; i + FE_HOP < FE_HIST; i++)
        fe_history[i] = fe_history[i + FE_HOP];
    for (; i < FE_HIST; i++)
        fe_history[i] = hop[i + FE_HOP - FE_HIST];
#else
    (void)hop;
#endif
}

/* Power spectrum in place: fe_work[k] = Re^2 + Im^2 for k = 0 .. N/2. */
PHASE static void power_in_place(void)
{
    int16_t *buf = (int16_t *)(void *)fe_work;
    int32_t dc = buf[0], nyquist = buf[1];
    fe_work[FE_N / 2] = (uint32_t)(nyquist * nyquist);
    fe_work[0] = (uint32_t)(dc * dc);
    for (uint32_t k = 1; k < FE_N / 2; k++) {
        int32_t re = buf[2 * k], im = buf[2 * k + 1];
        fe_work[k] = (uint32_t)(re * re + im * im);
    }
}

/* 10 log10(E * 2^(offset_q10 / 1024)) in Q7.8, E > 0 or the floor. */
static int16_t log_q8(uint64_t energy, int32_t offset_q10)
{
    if (energy == 0)
        return FE_LOG_FLOOR_Q8;
    uint32_t hi = (uint32_t)(energy >> 32);
    int p = hi ? 32 + rfft_msb32(hi) : rfft_msb32((uint32_t)energy);
    uint32_t m = p >= 15 ? (uint32_t)(energy >> (p - 15)) : (uint32_t)energy << (15 - p);
    uint32_t frac = m - 32768u, idx = frac >> 10, rem = frac & 1023u;
    int32_t f = fe_log2_lut_q15[idx];
    f += (((int32_t)fe_log2_lut_q15[idx + 1] - f) * (int32_t)rem + 512) >> 10;
    int32_t l2 = p * 1024 + ((f + 16) >> 5) + offset_q10;
    int32_t db = (l2 * 12330 + 8192) >> 14;
    return (int16_t)(db < FE_LOG_FLOOR_Q8 ? FE_LOG_FLOOR_Q8 : db);
}

PHASE static void mel_log(int exponent, int16_t *out)
{
    const uint16_t *w = fe_mel_w;
    int32_t base = (2 * exponent - 30) * 1024;
    for (uint32_t m = 0; m < FE_NMELS; m++) {
        const uint32_t *p = fe_work + fe_mel_start[m];
        uint64_t hi = 0, lo = 0;
        for (uint32_t i = fe_mel_len[m]; i; i--, p++, w++) {
            uint32_t pw = *p;
            hi += (pw >> 16) * (uint32_t)*w;
            lo += (pw & 0xFFFFu) * (uint32_t)*w;
        }
        out[m] = log_q8((hi << 16) + lo, base + fe_mel_gain_q10[m]);
    }
}

void fe_process(const int16_t *hop, int16_t *logmel_q8)
{
    uint32_t raw = frame_bits(hop);
    if (raw == 0) {
        keep_history(hop);
        for (uint32_t m = 0; m < FE_NMELS; m++)
            logmel_q8[m] = FE_LOG_FLOOR_Q8;
        return;
    }
    int pre = 12 - rfft_msb32(raw); /* frame * 2^pre has every sample below 2^13 */
    uint32_t bits = window_frame(hop, 15 - pre);
    keep_history(hop);
    int exponent = rfft_q15_bitreversed((int16_t *)(void *)fe_work, bits);
    if (exponent == RFFT_SILENT) {
        for (uint32_t m = 0; m < FE_NMELS; m++)
            logmel_q8[m] = FE_LOG_FLOOR_Q8;
        return;
    }
    power_in_place();
    mel_log(exponent - pre, logmel_q8);
}

/* Q7.8 log-mel x Q13 DCT -> Q10.5 (c0 = sqrt(M) x the mean log-mel needs the range). */
#define FE_MFCC_SHIFT (FE_DCT_BITS + 3)

void fe_mfcc(const int16_t *logmel_q8, int16_t *mfcc_q5)
{
#if FE_NMFCC > 0
    const int16_t *d = fe_dct_q13;
    for (uint32_t k = 0; k < FE_NMFCC; k++) {
        int32_t acc = 0;
        for (uint32_t m = 0; m < FE_NMELS; m++)
            acc += (int32_t)logmel_q8[m] * *d++;
        acc = (acc + (1 << (FE_MFCC_SHIFT - 1))) >> FE_MFCC_SHIFT;
        mfcc_q5[k] = (int16_t)(acc > 32767 ? 32767 : acc < -32768 ? -32768 : acc);
    }
#else
    (void)logmel_q8;
    (void)mfcc_q5;
#endif
}
