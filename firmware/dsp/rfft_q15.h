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

/* Position of the highest set bit (v > 0); the M0+ has no CLZ. */
int rfft_msb32(uint32_t v);

#endif
