/*
 * The int8 kernels' ARMv6-M assembly: dot products and the requantisation.
 *
 * int32_t nn_dot4_int8(const int8_t *x, const int8_t *w, uint32_t n4, int32_t acc)
 * acc + sum x[i] w[i] over 4 * n4 int8 pairs; x and w 4-byte aligned, n4 > 0.
 * Four MACs per pair of word loads, 27 cycles per 4 on a Cortex-M0+: the lanes are
 * sign-extended with sxtb / lsls+asrs. Exact: an integer sum does not depend on order.
 */
#include "m0plus_asm.h"
    .syntax unified
    .cpu cortex-m0plus
    .thumb
    .section .text.nn_dot4_int8, "ax", %progbits
    .global nn_dot4_int8
    .type nn_dot4_int8, %function
    .thumb_func
nn_dot4_int8:
    push  {r4, r5, r6, r7}
    lsls  r2, r2, #2
    adds  r2, r0, r2          /* end of x */
1:
    ldm   r0!, {r4}           /* four x */
    ldm   r1!, {r5}           /* four w */
    sxtb  r6, r4
    sxtb  r7, r5
    muls  r6, r7
    adds  r3, r3, r6
    lsls  r6, r4, #16
    asrs  r6, r6, #24
    lsls  r7, r5, #16
    asrs  r7, r7, #24
    muls  r6, r7
    adds  r3, r3, r6
    lsls  r6, r4, #8
    asrs  r6, r6, #24
    lsls  r7, r5, #8
    asrs  r7, r7, #24
    muls  r6, r7
    adds  r3, r3, r6
    asrs  r4, r4, #24
    asrs  r5, r5, #24
    muls  r4, r5
    adds  r3, r3, r4
    cmp   r0, r2
    bne   1b
    movs  r0, r3
    pop   {r4, r5, r6, r7}
    bx    lr
    .size nn_dot4_int8, . - nn_dot4_int8

/*
 * void nn_tproj4_int8(const int8_t *x, const int8_t *d, uint32_t t_in, uint32_t stride,
 *                     int32_t acc[4])
 * acc[j] += sum_t d[t] x[t * stride + j], j = 0..3: four channels of a projection along
 * time, one word of x per step (x and stride word-aligned), 25 cycles per 4 MACs.
 * The accumulators live in r8-r11 (ADD takes high registers at one cycle).
 */
    .section .text.nn_tproj4_int8, "ax", %progbits
    .global nn_tproj4_int8
    .type nn_tproj4_int8, %function
    .thumb_func
nn_tproj4_int8:
    SAVE_ALL
    ldr   r7, [sp, #36]       /* acc */
    ldr   r4, [r7, #0]
    mov   r8, r4
    ldr   r4, [r7, #4]
    mov   r9, r4
    ldr   r4, [r7, #8]
    mov   r10, r4
    ldr   r4, [r7, #12]
    mov   r11, r4
    adds  r2, r1, r2          /* end of d */
1:
    ldr   r4, [r0]
    adds  r0, r0, r3
    ldrb  r5, [r1]
    sxtb  r5, r5
    adds  r1, #1
    sxtb  r6, r4
    muls  r6, r5
    add   r8, r6
    lsls  r6, r4, #16
    asrs  r6, r6, #24
    muls  r6, r5
    add   r9, r6
    lsls  r6, r4, #8
    asrs  r6, r6, #24
    muls  r6, r5
    add   r10, r6
    asrs  r4, r4, #24
    muls  r4, r5
    add   r11, r4
    cmp   r1, r2
    bne   1b
    ldr   r7, [sp, #36]
    mov   r4, r8
    str   r4, [r7, #0]
    mov   r4, r9
    str   r4, [r7, #4]
    mov   r4, r10
    str   r4, [r7, #8]
    mov   r4, r11
    str   r4, [r7, #12]
    RESTORE_ALL_RETURN
    .size nn_tproj4_int8, . - nn_tproj4_int8

/*
 * int32_t nn_dot4_i8_i16(const int8_t *w, const int16_t *v, uint32_t n4, int32_t acc)
 * acc + sum w[i] v[i] over 4 * n4 pairs of int8 weights and int16 values (the recurrent
 * products of the GRU/LSTM cells: weights x Q15 state); w and v 4-byte aligned, n4 > 0.
 * One word of weights and two of values per step, 26 cycles per 4 MACs; the end
 * pointer lives in r8 (CMP takes a high register) to free r2 for the value lanes.
 */
    .section .text.nn_dot4_i8_i16, "ax", %progbits
    .global nn_dot4_i8_i16
    .type nn_dot4_i8_i16, %function
    .thumb_func
nn_dot4_i8_i16:
    push  {r4, r5, r6, r7}
    mov   r12, r8             /* r12 is a scratch register in the AAPCS: r8's keeper */
    lsls  r2, r2, #2
    adds  r2, r0, r2          /* end of w */
    mov   r8, r2
1:
    ldm   r0!, {r4}           /* four weights */
    ldm   r1!, {r5, r6}       /* four values */
    sxtb  r7, r4
    sxth  r2, r5
    muls  r7, r2
    adds  r3, r3, r7
    lsls  r7, r4, #16
    asrs  r7, r7, #24
    asrs  r5, r5, #16
    muls  r7, r5
    adds  r3, r3, r7
    lsls  r7, r4, #8
    asrs  r7, r7, #24
    sxth  r2, r6
    muls  r7, r2
    adds  r3, r3, r7
    asrs  r4, r4, #24
    asrs  r6, r6, #16
    muls  r4, r6
    adds  r3, r3, r4
    cmp   r0, r8
    bne   1b
    mov   r8, r12
    movs  r0, r3
    pop   {r4, r5, r6, r7}
    bx    lr
    .size nn_dot4_i8_i16, . - nn_dot4_i8_i16

/*
 * int32_t nn_requantize(int32_t x, int32_t multiplier, int32_t shift)
 * TFLite's MultiplyByQuantizedMultiplier: x << max(shift, 0), then
 * SaturatingRoundingDoublingHighMul by the multiplier, then RoundingDivideByPOT by
 * max(-shift, 0). The high multiply: TFLite's (a b + nudge) / 2^31 truncated, nudge
 * 2^30 for a b >= 0 and 1 - 2^30 below, is floor((a b + 2^30) / 2^31) in both cases
 * (for a b < 0, truncating v = a b + 1 - 2^30 is ceil(v / 2^31) = floor((v + 2^31 - 1)
 * / 2^31)): one 64-bit add and shift. The M0+ multiplies 32 x 32 -> 32 only, so a b is
 * built as ah bh 2^32 + (ah bl + al bh) 2^16 + al bl from signed high and unsigned low
 * halves (every partial product fits 32 bits) with ADDS/ADCS carries. The one product
 * that overflows, INT32_MIN x INT32_MIN, saturates to INT32_MAX. 50 to 60 cycles.
 * Mirrored by harness/mcubench/nn_model.py's requantize; a test checks corner cases and random
 * operands of every sign.
 */
    .section .text.nn_requantize, "ax", %progbits
    .global nn_requantize
    .type nn_requantize, %function
    .thumb_func
nn_requantize:
    push  {r4, r5, r6, lr}
    cmp   r2, #0
    ble   1f
    lsls  r0, r0, r2          /* left shift */
    movs  r2, #0
1:
    negs  r2, r2              /* right shift */
    movs  r3, #1
    lsls  r3, r3, #31         /* INT32_MIN */
    cmp   r0, r3
    bne   3f
    cmp   r1, r3
    bne   3f
    subs  r0, r3, #1          /* INT32_MIN x INT32_MIN: INT32_MAX */
    b     4f
3:
    uxth  r3, r0              /* al */
    asrs  r4, r0, #16         /* ah */
    uxth  r5, r1              /* bl */
    asrs  r6, r1, #16         /* bh */
    movs  r0, r3
    muls  r0, r5              /* lo = al bl (unsigned, < 2^32) */
    muls  r5, r4              /* m1 = ah bl */
    muls  r4, r6              /* hi = ah bh */
    muls  r6, r3              /* m2 = al bh */
    lsls  r3, r5, #16
    asrs  r5, r5, #16
    adds  r0, r0, r3
    adcs  r4, r5              /* += m1 2^16 */
    lsls  r3, r6, #16
    asrs  r6, r6, #16
    adds  r0, r0, r3
    adcs  r4, r6              /* += m2 2^16 */
    movs  r3, #1
    lsls  r3, r3, #30
    adds  r0, r0, r3
    movs  r3, #0
    adcs  r4, r3              /* += 2^30 */
    lsrs  r0, r0, #31
    lsls  r4, r4, #1
    orrs  r0, r4              /* bits 31..62 */
4:
    cmp   r2, #0              /* rounding divide by 2^r2, ties away from zero */
    beq   9f
    movs  r3, #1
    lsls  r3, r2
    subs  r3, r3, #1          /* mask */
    movs  r1, r0
    ands  r1, r3              /* remainder */
    lsrs  r3, r3, #1
    lsrs  r4, r0, #31
    adds  r3, r3, r4          /* threshold: mask / 2, + 1 when negative */
    asrs  r0, r2
    cmp   r1, r3
    ble   9f
    adds  r0, r0, #1
9:
    pop   {r4, r5, r6, pc}
    .size nn_requantize, . - nn_requantize

/*
 * int32_t nn_sdot_int8(const int8_t *x, int32_t x_step, const int8_t *w, int32_t w_step,
 *                      uint32_t n, int32_t acc)
 * acc + sum x[i x_step] w[i w_step] over n > 0 pairs: a strided dot product, e.g. a
 * depthwise convolution's taps of one channel (channels-last data, so the taps of a
 * channel are a row of channels apart). Two MACs a loop, 15 cycles per 2 on a
 * Cortex-M0+ (LDRSB takes a register offset only: r5 stays zero).
 * Registers: r0 x, r1 x_step, r2 w, r3 w_step, r4 acc, r5 zero, r6-r7 temporaries,
 * r8 the end of x.
 */
/* acc (r4) += x[0] w[0]; x (r0) += x_step (r1), w (r2) += w_step (r3); r5 = 0 */
.macro SDOT_STEP
    ldrsb r6, [r0, r5]
    ldrsb r7, [r2, r5]
    muls  r6, r7
    adds  r4, r4, r6
    adds  r0, r0, r1
    adds  r2, r2, r3
.endm

    .section .text.nn_sdot_int8, "ax", %progbits
    .global nn_sdot_int8
    .type nn_sdot_int8, %function
    .thumb_func
nn_sdot_int8:
    push  {r4, r5, r6, r7, lr}
    mov   r6, r8
    push  {r6}
    ldr   r6, [sp, #24]       /* n: first stack argument, above 6 saved words */
    ldr   r4, [sp, #28]       /* acc */
    movs  r5, #0
    lsrs  r7, r6, #1
    bcc   1f                  /* n even */
    SDOT_STEP                 /* n odd: one MAC first */
    ldr   r6, [sp, #24]
    lsrs  r7, r6, #1
    beq   3f                  /* n was 1 */
1:
    muls  r7, r1              /* (n / 2) pairs */
    lsls  r7, r7, #1
    adds  r7, r0, r7          /* end of x */
    mov   r8, r7
2:
    SDOT_STEP
    SDOT_STEP
    cmp   r0, r8
    bne   2b
3:
    movs  r0, r4
    pop   {r6}
    mov   r8, r6
    pop   {r4, r5, r6, r7, pc}
    .size nn_sdot_int8, . - nn_sdot_int8

/* Four sums in r8-r11 (after SAVE_ALL): ACC4_IN loads them from the int32_t[4] whose
   address is the stack word at [sp, #off], ACC4_OUT stores them back (r0-r7 clobbered). */
.macro ACC4_IN off
    ldr   r4, [sp, #\off]
    ldm   r4, {r4, r5, r6, r7}  /* base in the list: no writeback */
    mov   r8, r4
    mov   r9, r5
    mov   r10, r6
    mov   r11, r7
.endm

.macro ACC4_OUT off
    ldr   r4, [sp, #\off]
    mov   r0, r8
    mov   r1, r9
    mov   r2, r10
    mov   r3, r11
    stm   r4!, {r0, r1, r2, r3}
.endm

/*
 * void nn_dw4_all_int8(const int8_t *x, const int8_t *w, const nn_dw4_all_t *g, int32_t *sums)
 * A depthwise convolution's channels at one position, four adjacent channels at a time:
 * sums[c] = g->bias[c] + sum over the taps of x[x_off[t] + c] w[w_off[t] + c], for the
 * 4 g->quads channels from x and w (g->taps > 0; x, w and every offset 4-byte aligned).
 * Channels-last data puts a tap's four channels in one word of input and one of weights,
 * so each tap is two word loads and four lanes sign-extended as in nn_dot4_int8: 31 cycles
 * per 4 MACs on a Cortex-M0+, the sums in r8-r11; 45 cycles a quad around its taps (one
 * call a position, not one a quad).
 * g: {x_off, w_off, taps, quads, bias}. Registers: r0 x, r1 w, r2 x_off, r3 w_off, r4-r7
 * temporaries, r12 the end of x_off; [sp] g, [sp, #4] sums, [sp, #8] bias, [sp, #12] the
 * quads left.
 */
    .section .text.nn_dw4_all_int8, "ax", %progbits
    .global nn_dw4_all_int8
    .type nn_dw4_all_int8, %function
    .thumb_func
nn_dw4_all_int8:
    SAVE_ALL
    sub   sp, #16
    str   r2, [sp, #0]
    str   r3, [sp, #4]
    ldr   r4, [r2, #16]       /* bias */
    str   r4, [sp, #8]
    ldr   r4, [r2, #12]       /* quads */
    str   r4, [sp, #12]
2:
    ldr   r4, [sp, #8]
    ldm   r4!, {r2, r5, r6, r7}  /* four biases */
    str   r4, [sp, #8]
    mov   r8, r2
    mov   r9, r5
    mov   r10, r6
    mov   r11, r7
    ldr   r4, [sp, #0]
    ldr   r2, [r4, #0]        /* x_off */
    ldr   r3, [r4, #4]        /* w_off */
    ldr   r5, [r4, #8]        /* taps */
    lsls  r5, r5, #2
    adds  r5, r2, r5
    mov   ip, r5              /* end of x_off */
1:
    ldm   r2!, {r4}           /* x_off */
    ldm   r3!, {r5}           /* w_off */
    ldr   r6, [r0, r4]        /* four x */
    ldr   r7, [r1, r5]        /* four w */
    sxtb  r4, r6
    sxtb  r5, r7
    muls  r4, r5
    add   r8, r4
    lsls  r4, r6, #16
    asrs  r4, r4, #24
    lsls  r5, r7, #16
    asrs  r5, r5, #24
    muls  r4, r5
    add   r9, r4
    lsls  r4, r6, #8
    asrs  r4, r4, #24
    lsls  r5, r7, #8
    asrs  r5, r5, #24
    muls  r4, r5
    add   r10, r4
    asrs  r6, r6, #24
    asrs  r7, r7, #24
    muls  r6, r7
    add   r11, r6
    cmp   r2, ip
    bne   1b
    ldr   r4, [sp, #4]
    mov   r2, r8
    mov   r3, r9
    mov   r5, r10
    mov   r6, r11
    stm   r4!, {r2, r3, r5, r6}
    str   r4, [sp, #4]
    adds  r0, r0, #4
    adds  r1, r1, #4
    ldr   r4, [sp, #12]
    subs  r4, #1
    str   r4, [sp, #12]
    bne   2b
    add   sp, #16
    RESTORE_ALL_RETURN
    .size nn_dw4_all_int8, . - nn_dw4_all_int8

/*
 * void nn_dwm4_rows_int8(const int8_t *x, const int8_t *w, const nn_dwm_rows_t *g,
 *                        int32_t acc[4])
 * Four outputs of one input channel of a depthwise convolution with a channel multiplier
 * (a multiple of 4), over a rectangle of taps: acc[m] += x[tap] w[tap + m], m = 0..3, for
 * g->rows rows (> 0) of g->cols taps (> 0); x and w step by g->x_step and g->w_step within
 * a row (w and w_step 4-byte aligned) and on by g->x_skip and g->w_skip from a row's end
 * to the next row's start. The four share each input byte, so a tap is a byte, a word of
 * four weights and four lanes: 23 cycles per 4 MACs on a Cortex-M0+, and 20 a row; one
 * call a position, not one a kernel row.
 * Registers: r0 x, r1 x_step, r2 w, r3 w_step, r4 zero, r5 the input, r6 the weights, r7 a
 * lane, r8-r11 the sums, r12 the end of the row's x, lr the rows left; [sp] holds g and
 * [sp, #4] acc.
 */
    .section .text.nn_dwm4_rows_int8, "ax", %progbits
    .global nn_dwm4_rows_int8
    .type nn_dwm4_rows_int8, %function
    .thumb_func
nn_dwm4_rows_int8:
    SAVE_ALL
    push  {r2, r3}            /* [sp]: g, [sp, #4]: acc */
    ACC4_IN 4
    ldr   r4, [r2, #20]       /* rows */
    mov   lr, r4
    ldr   r3, [r2, #4]        /* w_step */
    mov   r4, r2
    mov   r2, r1              /* w */
    ldr   r1, [r4, #0]        /* x_step */
2:
    ldr   r4, [sp, #0]
    ldr   r4, [r4, #16]       /* cols */
    muls  r4, r1
    adds  r4, r0, r4
    mov   ip, r4              /* the end of this row's x */
    movs  r4, #0
1:
    ldrsb r5, [r0, r4]        /* the input */
    ldr   r6, [r2]            /* four weights */
    sxtb  r7, r6
    muls  r7, r5
    add   r8, r7
    lsls  r7, r6, #16
    asrs  r7, r7, #24
    muls  r7, r5
    add   r9, r7
    lsls  r7, r6, #8
    asrs  r7, r7, #24
    muls  r7, r5
    add   r10, r7
    asrs  r6, r6, #24
    muls  r6, r5
    add   r11, r6
    adds  r0, r0, r1
    adds  r2, r2, r3
    cmp   r0, ip
    bne   1b
    ldr   r4, [sp, #0]
    ldr   r5, [r4, #8]        /* x_skip */
    adds  r0, r0, r5
    ldr   r5, [r4, #12]       /* w_skip */
    adds  r2, r2, r5
    mov   r4, lr
    subs  r4, #1
    mov   lr, r4
    bne   2b
    ACC4_OUT 4
    add   sp, #8
    RESTORE_ALL_RETURN
    .size nn_dwm4_rows_int8, . - nn_dwm4_rows_int8

/*
 * int32_t nn_ring_dot_s8(const int8_t *w, const int8_t *s, uint32_t m_next, int32_t acc)
 * int32_t nn_ring_dot_s16(const int16_t *w, const int16_t *s, uint32_t m_next, int32_t acc)
 * An SVDF filter's time sum over its ring of m values (m_next = m | next << 16, next < m
 * the oldest slot): acc + sum over j < m of w[j] s[(next + j) mod m], as two runs, slots
 * next..m-1 then 0..next-1. One index counts up to zero for both pointers of a run, so a
 * tap is LDRSB/LDRSH 2 + 2, MULS 1, ADDS 1, ADDS 1, BNE 2: 9 cycles.
 * Registers: r0/r2 the two values, r1 s, r3 acc, r4 next, r5 the index, r6 w's run end,
 * r7 s's run end.
 */
/* One run of the ring: r5 counts up to zero, indexing both r6 (w) and r7 (s) from their
   run's end; the products into r3. */
.macro RING_RUN load, size
1:
    \load r2, [r6, r5]
    \load r0, [r7, r5]
    muls  r2, r0
    adds  r3, r3, r2
    adds  r5, r5, #\size
    bne   1b
.endm

.macro RING_DOT name, load, size
    .section .text.\name, "ax", %progbits
    .global \name
    .type \name, %function
    .thumb_func
\name:
    push  {r4, r5, r6, r7, lr}
    lsrs  r4, r2, #16         /* next */
    uxth  r2, r2              /* m */
    subs  r5, r4, r2          /* -(m - next) taps in the first run */
    lsls  r5, r5, #(\size - 1)  /* in bytes */
    subs  r6, r0, r5          /* w + (m - next) */
    lsls  r2, r2, #(\size - 1)
    adds  r7, r1, r2          /* s + m */
    RING_RUN \load, \size
    cmp   r4, #0              /* a second run: slots 0..next-1 */
    beq   3f
    lsls  r4, r4, #(\size - 1)
    adds  r6, r6, r4          /* w + m */
    adds  r7, r1, r4          /* s + next */
    rsbs  r5, r4, #0
    RING_RUN \load, \size
3:
    movs  r0, r3
    pop   {r4, r5, r6, r7, pc}
    .size \name, . - \name
.endm

    RING_DOT nn_ring_dot_s8, ldrsb, 1
    RING_DOT nn_ring_dot_s16, ldrsh, 2
