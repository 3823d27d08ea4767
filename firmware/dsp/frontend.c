/*
 * The front end: frame -> window -> real FFT -> power -> sparse mel -> log (-> DCT).
 * See frontend.h for the formats; harness/mcubench/dsp/frontend.py mirrors every step.
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
/* The phases run one after another: out of line, their stack frames never nest. */
#define PHASE __attribute__((noinline))

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

#if FE_HIST > 0 && FE_HIST % 2 == 0 && FE_WIN % 2 == 0 && FE_HOP % 2 == 0
/* Fast path: samples come in pairs from one buffer each, and are windowed straight
   into their bit-reversed slots (no copy of the frame, no permutation pass). */
#define FE_DIRECT_WINDOW 1

/* A power-of-two bound on the frame's largest magnitude (as an OR of them would). */
PHASE static uint32_t frame_bits(const int16_t *hop)
{
    const uint32_t *hist = (const uint32_t *)(const void *)fe_history;
    const uint32_t *in = (const uint32_t *)(const void *)hop;
    return rfft_range_to_bits(rfft_range_bits(hist, hist + FE_HIST / 2) | rfft_range_bits(in, in + FE_HOP / 2));
}

/* Window the pairs [c0, c1) of the frame, read from src (pairs as words), into their
   bit-reversed slots; w walks the half window up (dir = +1) or down (dir = -1). */
static inline uint32_t window_pairs(const uint32_t *src, uint32_t c0, uint32_t c1, const int16_t *w, int dir,
                                    int shift, int32_t round)
{
    uint32_t bits = 0;
    for (uint32_t c = c0; c < c1; c++, w += 2 * dir) {
        uint32_t v = *src++;
        int32_t x0 = ((int32_t)(int16_t)v * (int32_t)w[0] + round) >> shift;
        int32_t x1 = (((int32_t)v >> 16) * (int32_t)w[dir] + round) >> shift;
        uint32_t packed = ((uint32_t)x0 & 0xFFFFu) | ((uint32_t)x1 << 16);
        fe_work[fe_bitrev[c]] = packed;
        bits |= RFFT_PAIR_RANGE(packed);
    }
    return bits;
}

/* Pair c covers samples 2c, 2c + 1: window index n while n + 1 <= FE_WIN / 2, then
   FE_WIN - n. Four runs: (history | hop) x (up | down). Returns a bound on the windowed
   magnitudes, as frame_bits does. */
PHASE static uint32_t window_frame(const int16_t *hop, int shift)
{
    const int32_t round = 1 << (shift - 1);
    const uint32_t up_end = (FE_WIN / 2 + 1) / 2; /* first pair that walks down */
    const uint32_t hist_end = FE_HIST / 2, win_end = FE_WIN / 2;
    const uint32_t *hist = (const uint32_t *)(const void *)fe_history;
    const uint32_t *in = (const uint32_t *)(const void *)hop;
    uint32_t bits = 0;
    uint32_t a = hist_end < up_end ? hist_end : up_end;
    bits |= window_pairs(hist, 0, a, fe_window_q15, 1, shift, round);
    if (hist_end > up_end)
        bits |= window_pairs(hist + up_end, up_end, hist_end, fe_window_q15 + FE_WIN - 2 * up_end, -1, shift, round);
    if (up_end > hist_end)
        bits |= window_pairs(in, hist_end, up_end, fe_window_q15 + 2 * hist_end, 1, shift, round);
    uint32_t b = hist_end > up_end ? hist_end : up_end;
    bits |= window_pairs(in + (b - hist_end), b, win_end, fe_window_q15 + FE_WIN - 2 * b, -1, shift, round);
    for (uint32_t c = win_end; c < FE_N / 2; c++)
        fe_work[fe_bitrev[c]] = 0;
    return rfft_range_to_bits(bits);
}

/* The last FE_WIN - FE_HOP samples of the frame are the next frame's first. */
PHASE static void keep_history(const int16_t *hop)
{
    uint32_t *h = (uint32_t *)(void *)fe_history;
    const uint32_t *in = (const uint32_t *)(const void *)hop;
    uint32_t i = 0;
    for (; i + FE_HOP / 2 < FE_HIST / 2; i++)
        h[i] = h[i + FE_HOP / 2];
    for (; i < FE_HIST / 2; i++)
        h[i] = in[i + FE_HOP / 2 - FE_HIST / 2];
}

#else
#define FE_DIRECT_WINDOW 0
/* Gather the frame (kept samples, then the new hop) into the work buffer in natural
   order, zero-padded to N, and return the OR of its magnitudes. */
PHASE static uint32_t gather_frame(const int16_t *hop)
{
    int16_t *buf = (int16_t *)(void *)fe_work;
    uint32_t bits = 0;
#if FE_HIST % 2 == 0 && FE_HOP % 2 == 0
    /* two samples per word */
    uint32_t *dst = fe_work;
    const uint32_t *src;
#if FE_HIST > 0
    for (src = (const uint32_t *)(const void *)fe_history; src < (const uint32_t *)(const void *)(fe_history + FE_HIST);) {
        uint32_t v = *src++;
        *dst++ = v;
        bits |= ABS_BITS((int32_t)(int16_t)v) | ABS_BITS((int32_t)v >> 16);
    }
#endif
    for (src = (const uint32_t *)(const void *)hop; src < (const uint32_t *)(const void *)(hop + FE_HOP);) {
        uint32_t v = *src++;
        *dst++ = v;
        bits |= ABS_BITS((int32_t)(int16_t)v) | ABS_BITS((int32_t)v >> 16);
    }
#else
    for (uint32_t i = 0; i < FE_HIST; i++) {
        int32_t v = fe_history[i];
        buf[i] = (int16_t)v;
        bits |= ABS_BITS(v);
    }
    for (uint32_t i = 0; i < FE_HOP; i++) {
        int32_t v = hop[i];
        buf[FE_HIST + i] = (int16_t)v;
        bits |= ABS_BITS(v);
    }
#endif
    for (uint32_t i = FE_WIN; i < FE_N; i++)
        buf[i] = 0;
    return bits;
}

/* The last FE_WIN - FE_HOP samples of the frame are the next frame's first. */
PHASE static void keep_history(void)
{
#if FE_HIST > 0
    const int16_t *buf = (const int16_t *)(const void *)fe_work;
    for (uint32_t i = 0; i < FE_HIST; i++)
        fe_history[i] = buf[FE_HOP + i];
#endif
}

/* Window in place with the normalising shift folded in; returns the OR of the
   windowed magnitudes. The periodic window is symmetric: half a table serves. */
PHASE static uint32_t window_in_place(int shift)
{
    int16_t *x = (int16_t *)(void *)fe_work;
    int32_t round = 1 << (shift - 1);
    uint32_t bits = 0;
    const int16_t *w = fe_window_q15;
    uint32_t n = 0;
    for (; n <= FE_WIN / 2; n++) {
        int32_t v = (x[n] * (int32_t)*w++ + round) >> shift;
        x[n] = (int16_t)v;
        bits |= ABS_BITS(v);
    }
    w = fe_window_q15 + (FE_WIN - n); /* w[FE_WIN - n] for n > FE_WIN / 2 */
    for (; n < FE_WIN; n++) {
        int32_t v = (x[n] * (int32_t)*w-- + round) >> shift;
        x[n] = (int16_t)v;
        bits |= ABS_BITS(v);
    }
    return bits;
}

#endif

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

/* 10 log10(E * 2^(offset_q10 / 1024)) in Q7.8 for E = hi * 2^32 + lo > 0, or the
   floor. No 64-bit shifts: they are library calls on the M0+. */
static int16_t log_q8(uint32_t hi, uint32_t lo, int32_t offset_q10)
{
    int p;
    uint32_t m; /* the 16 bits from the leading one down */
    if (hi) {
        int q = rfft_msb32(hi); /* p = 32 + q: shift right by p - 15 >= 17 */
        p = 32 + q;
        m = q >= 15 ? hi >> (q - 15) : (hi << (15 - q)) | (lo >> (q + 17));
    } else if (lo) {
        p = rfft_msb32(lo);
        m = p >= 15 ? lo >> (p - 15) : lo << (15 - p);
    } else {
        return FE_LOG_FLOOR_Q8;
    }
    uint32_t frac = m - 32768u, idx = frac >> 10, rem = frac & 1023u;
    int32_t f = fe_log2_lut_q15[idx];
    f += (((int32_t)fe_log2_lut_q15[idx + 1] - f) * (int32_t)rem + 512) >> 10;
    int32_t l2 = p * 1024 + ((f + 16) >> 5) + offset_q10;
    int32_t db = (l2 * 12330 + 8192) >> 14;
    return (int16_t)(db < FE_LOG_FLOOR_Q8 ? FE_LOG_FLOOR_Q8 : db);
}

/* Mel energies and their logs. E = sum P w = H 2^16 + L 2^8 with H = sum (P >> 16) w
   (64-bit: a carry counter over a 32-bit sum) and L = sum ((P & 0xFFFF) w) >> 8
   (32-bit: at most 255 bins of 24 bits each). */
PHASE static void mel_log(int exponent, int16_t *out)
{
    const uint16_t *w = fe_mel_w;
    int32_t base = (2 * exponent - 30) * 1024;
    for (uint32_t m = 0; m < FE_NMELS; m++) {
        const uint32_t *p = fe_work + fe_mel_start[m], *end = p + fe_mel_len[m];
        uint32_t h = 0, carries = 0, l = 0;
        do {
            uint32_t pw = *p++, wt = *w++;
            uint32_t t = (pw >> 16) * wt;
            l += ((pw & 0xFFFFu) * wt) >> 8;
            h += t;
            carries += h < t;
        } while (p < end);
        /* E = (carries 2^32 + h) 2^16 + l 2^8, as two words */
        uint32_t lo = (h << 16) + (l << 8);
        uint32_t hi = (carries << 16) + (h >> 16) + (l >> 24) + (lo < (h << 16));
        out[m] = log_q8(hi, lo, base + fe_mel_gain_q10[m]);
    }
}

void fe_process(const int16_t *hop, int16_t *logmel_q8)
{
#if FE_DIRECT_WINDOW
    uint32_t raw = frame_bits(hop);
#else
    uint32_t raw = gather_frame(hop);
    keep_history();
#endif
    if (raw == 0) {
#if FE_DIRECT_WINDOW
        keep_history(hop);
#endif
        for (uint32_t m = 0; m < FE_NMELS; m++)
            logmel_q8[m] = FE_LOG_FLOOR_Q8;
        return;
    }
    int pre = 12 - rfft_msb32(raw); /* frame * 2^pre has every sample below 2^13 */
#if FE_DIRECT_WINDOW
    uint32_t bits = window_frame(hop, 15 - pre);
    keep_history(hop);
#else
    uint32_t bits = window_in_place(15 - pre);
    rfft_q15_permute((int16_t *)(void *)fe_work);
#endif
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
