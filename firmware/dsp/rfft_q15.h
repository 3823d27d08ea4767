/*
 * In-place Q15 real FFT for Cortex-M0+, N in {64, 128, 256, 512, 1024}, with block
 * floating point: the spectrum comes back as int16 with one shared exponent.
 *
 * Output format (N real samples in, N int16 out):
 *   buf[0] = Re X[0], buf[1] = Re X[N/2], buf[2k], buf[2k+1] = Re, Im X[k], 0 < k < N/2
 *   true X[k] = stored X[k] * 2^exponent  (in the input's units)
 * The first pass scales the input to fill the range without overflowing (a quiet
 * signal keeps its precision, a full-scale one cannot overflow); each radix-4 pass then
 * shifts its outputs right by 0, 1 or 2, decided from the words the previous pass
 * wrote (see rfft_q15.c), so no pass can overflow: every stored value stays below
 * 23,170 + a few LSB.
 * Tables (fe_tables.h, generated for the exact N): the radix-4 twiddles (N/8 - 1 rows of
 * three packed words), the split's (N/4 - 1 packed words), the bit-reversal order
 * (N/2 entries) and the pairs it swaps.
 */
#ifndef RFFT_Q15_H
#define RFFT_Q15_H

#include <stdint.h>

/* Exponent returned for an all-zero input (the output is all zeros). */
#define RFFT_SILENT (-128)

/* Natural-order real input; returns the exponent, or RFFT_SILENT. */
int rfft_q15(int16_t *buf);

/* The passes alone: buf holds N/2 complex values already in bit-reversed order and
   `bits` has the highest set bit of an OR of their magnitudes (v ^ (v >> 31)), or is
   zero when they all are 0 or -1; returns the exponent. */
int rfft_q15_bitreversed(int16_t *buf, uint32_t bits);

/* The bit-reversal permutation of the N/2 complex values, in place. */
void rfft_q15_permute(int16_t *buf);

/* Range bits of a word holding two int16 (a sample pair, or re/im): in each half, bits
   1 .. 15 of v ^ (v << 1) have the highest bit of that value's magnitude one place up
   (bits k + 1 .. 15 clear exactly when it is in [-2^k, 2^k)). */
#define RFFT_PAIR_RANGE(v) ((v) ^ ((v) << 1))

/* The OR of RFFT_PAIR_RANGE over the words [p, end) (inline: it sits on hot paths). */
static inline uint32_t rfft_range_bits(const uint32_t *p, const uint32_t *end)
{
    uint32_t acc = 0;
    for (; p + 1 < end; p += 2)
        acc |= RFFT_PAIR_RANGE(p[0]) | RFFT_PAIR_RANGE(p[1]);
    if (p < end)
        acc |= RFFT_PAIR_RANGE(*p);
    return acc;
}

/* Range bits -> a value with the msb (and zero-ness) of an OR of the magnitudes: the
   `bits` rfft_q15_bitreversed takes. */
static inline uint32_t rfft_range_to_bits(uint32_t acc)
{
    return ((acc & 0xFFFFu) >> 1) | (acc >> 17);
}

/* Position of the highest set bit (v > 0); the M0+ has no CLZ. */
int rfft_msb32(uint32_t v);

#endif
