/*
 * The passes of rfft_q15.c, hand-scheduled for ARMv6-M (Cortex-M0+): a twiddle-free
 * radix-2 first stage, the radix-4 passes and the real split. Complex values are packed words,
 * (im << 16) | (re & 0xFFFF). The first stage and the passes return the range bits of
 * every word they wrote (RFFT_PAIR_RANGE in rfft_q15.h):
 * the OR of w ^ (w << 1), whose bits k + 1 .. 15 of a half are clear exactly when that
 * component is in [-2^k, 2^k) (rfft_q15.c decides the next shift from them).
 *
 * Why radix-4: one pass does two radix-2 stages with four loads, four stores, one
 * unpacking and one packing of each value, and three multiplications per four values
 * instead of four. The eight low registers cannot hold four complex values, three
 * twiddles and the pointers at once: two values wait on the stack.
 */
#include "m0plus_asm.h"
    .syntax unified
    .cpu cortex-m0plus
    .thumb

/*
 * uint32_t rfft_stage1(uint32_t *z, uint32_t *end, int left, int right)
 * Span 1, twiddle 1, with the input normalisation: for each pair (a, b) of words,
 * a' = ((a + b) << left + r) >> right, b' = ((a - b) << left + r) >> right per
 * component, r = (1 << right) >> 1. One of left and right is zero: a loop for each.
 * Registers in the loop: r0 z, r1 left, r2 right, r3-r6 components, r7 range bits,
 * r8 end, r9 r.
 */
.macro STAGE1_PAIR right
    ldm   r0!, {r3, r5}       /* a, b */
    sxth  r4, r3
    asrs  r3, r3, #16         /* ar in r4, ai in r3 */
    sxth  r6, r5
    asrs  r5, r5, #16         /* br in r6, bi in r5 */
    adds  r4, r4, r6          /* xr = ar + br */
    lsls  r6, r6, #1
    subs  r6, r4, r6          /* yr = xr - 2 br */
    adds  r3, r3, r5          /* xi */
    lsls  r5, r5, #1
    subs  r5, r3, r5          /* yi */
.if \right
    add   r4, r9
    add   r6, r9
    add   r3, r9
    add   r5, r9
    asrs  r4, r2
    asrs  r6, r2
    asrs  r3, r2
    asrs  r5, r2
.else
    lsls  r4, r1
    lsls  r6, r1
    lsls  r3, r1
    lsls  r5, r1
.endif
    uxth  r4, r4
    lsls  r3, r3, #16
    orrs  r3, r4              /* x packed */
    uxth  r6, r6
    lsls  r5, r5, #16
    orrs  r5, r6              /* y packed */
    subs  r0, #8
    stm   r0!, {r3, r5}
    lsls  r4, r3, #1
    eors  r4, r3
    orrs  r7, r4
    lsls  r6, r5, #1
    eors  r6, r5
    orrs  r7, r6
    cmp   r0, r8
.endm

    .section .text.rfft_stage1, "ax", %progbits
    .global rfft_stage1
    .type rfft_stage1, %function
    .thumb_func
rfft_stage1:
    push  {r4, r5, r6, r7, lr}
    mov   r4, r8
    mov   r5, r9
    push  {r4, r5}
    mov   r8, r1
    mov   r1, r2              /* left */
    mov   r2, r3              /* right */
    movs  r4, #1
    lsls  r4, r2
    asrs  r4, r4, #1
    mov   r9, r4              /* r */
    movs  r7, #0
    cmp   r2, #0
    bne   2f
1:
    STAGE1_PAIR 0
    blo   1b
    b     3f
2:
    STAGE1_PAIR 1
    blo   2b
3:
    mov   r0, r7
    pop   {r4, r5}
    mov   r8, r4
    mov   r9, r5
    pop   {r4, r5, r6, r7, pc}
    .size rfft_stage1, . - rfft_stage1

/* u = W b in Q2 (four times the Q0 product, truncated): rw holds W = wr - j ws packed,
   rb holds b; leaves Re u in t3 and Im u in rb (rw, t1, t2 are clobbered). */
.macro CMUL rw, rb, t1, t2, t3
    sxth  \t1, \rw            /* wr */
    asrs  \rw, \rw, #16       /* ws */
    sxth  \t2, \rb            /* br */
    asrs  \rb, \rb, #16       /* bi */
    mov   \t3, \t2
    muls  \t3, \t1            /* wr br */
    muls  \t2, \rw            /* ws br */
    muls  \rw, \rb            /* ws bi */
    muls  \rb, \t1            /* wr bi */
    adds  \t3, \t3, \rw
    subs  \rb, \rb, \t2
    asrs  \t3, \t3, #13       /* (wr br + ws bi) >> 13 */
    asrs  \rb, \rb, #13       /* (wr bi - ws br) >> 13 */
.endm

/* b in Q2 exactly (twiddle 1): Re in t, Im in rb. */
.macro UNIT rb, t
    sxth  \t, \rb
    asrs  \rb, \rb, #16
    lsls  \t, \t, #2
    lsls  \rb, \rb, #2
.endm

/*
 * One radix-4 butterfly at r0 (values at r0, r0 + Q, r0 + 2Q, r0 + 3Q; Q in r1 and at
 * [sp, #8]): U1..U3 = W1 a1, W2 a2, W3 a3 in Q2, A = 4 a0 + c + U1, C = 4 a0 + c - U1,
 * B = U2 + U3, D = U2 - U3, then (>> sh, sh at [sp, #0]):
 *   d0 = A + B,  d1 = C - j D,  d2 = A - B,  d3 = C + j D.
 * Twiddles in r8-r10 (unit: 1, no multiplication), c in r12, range bits ORed into lr.
 * Ends with r0 at the next group and the flags of cmp r0, r11.
 */
.macro R4 unit
    lsls  r2, r1, #1
    ldr   r3, [r0, r2]        /* a2 */
.if \unit
    UNIT  r3, r6
.else
    mov   r2, r9
    CMUL  r2, r3, r4, r5, r6  /* U2: r6, r3 */
.endif
    lsls  r2, r1, #1
    adds  r2, r2, r1
    ldr   r5, [r0, r2]        /* a3 */
.if \unit
    UNIT  r5, r7
.else
    str   r3, [sp, #4]
    mov   r2, r10
    CMUL  r2, r5, r3, r4, r7  /* U3: r7, r5 */
    ldr   r3, [sp, #4]
.endif
    adds  r2, r6, r7          /* Br */
    subs  r6, r6, r7          /* Dr */
    adds  r4, r3, r5          /* Bi */
    subs  r3, r3, r5          /* Di */
    str   r6, [sp, #12]
    str   r3, [sp, #16]
    ldr   r5, [r0, r1]        /* a1 */
.if \unit
    UNIT  r5, r6
.else
    mov   r3, r8
    CMUL  r3, r5, r1, r7, r6  /* U1: r6, r5 */
.endif
    ldr   r3, [r0]            /* a0 */
    sxth  r1, r3
    asrs  r3, r3, #16
    lsls  r1, r1, #2
    lsls  r3, r3, #2
    add   r1, r12
    add   r3, r12
    adds  r7, r1, r6          /* Ar */
    subs  r1, r1, r6          /* Cr */
    adds  r6, r3, r5          /* Ai */
    subs  r3, r3, r5          /* Ci */
    adds  r5, r7, r2          /* d0 re */
    subs  r7, r7, r2          /* d2 re */
    adds  r2, r6, r4          /* d0 im */
    subs  r6, r6, r4          /* d2 im */
    ldr   r4, [sp, #0]        /* sh */
    asrs  r5, r4
    asrs  r2, r4
    asrs  r7, r4
    asrs  r6, r4
    uxth  r5, r5
    lsls  r2, r2, #16
    orrs  r5, r2
    str   r5, [r0]            /* d0 */
    lsls  r2, r5, #1
    eors  r2, r5
    uxth  r7, r7
    lsls  r6, r6, #16
    orrs  r7, r6
    ldr   r5, [sp, #8]        /* Q */
    lsls  r6, r5, #1
    str   r7, [r0, r6]        /* d2 */
    lsls  r6, r7, #1
    eors  r6, r7
    orrs  r2, r6
    ldr   r6, [sp, #12]       /* Dr */
    ldr   r7, [sp, #16]       /* Di */
    adds  r1, r1, r7          /* d1 re = Cr + Di */
    lsls  r7, r7, #1
    subs  r7, r1, r7          /* d3 re = Cr - Di */
    subs  r3, r3, r6          /* d1 im = Ci - Dr */
    lsls  r6, r6, #1
    adds  r6, r3, r6          /* d3 im = Ci + Dr */
    asrs  r1, r4
    asrs  r7, r4
    asrs  r3, r4
    asrs  r6, r4
    uxth  r1, r1
    lsls  r3, r3, #16
    orrs  r1, r3
    str   r1, [r0, r5]        /* d1 */
    lsls  r3, r1, #1
    eors  r3, r1
    orrs  r2, r3
    uxth  r7, r7
    lsls  r6, r6, #16
    orrs  r7, r6
    lsls  r6, r5, #1
    adds  r6, r6, r5
    str   r7, [r0, r6]        /* d3 */
    lsls  r6, r7, #1
    eors  r6, r7
    orrs  r2, r6
    mov   r6, lr
    orrs  r6, r2
    mov   lr, r6
    mov   r1, r5
    lsls  r5, r5, #2
    adds  r0, r0, r5          /* next group: 4Q on */
    cmp   r0, r11
.endm

/*
 * uint32_t rfft_r4_pass(uint32_t *z, uint32_t q_bytes, const uint32_t *tw,
 *                       uint32_t tw_step_bytes, uint32_t *end, int sh)
 * The radix-2 stages of spans h and 2h (q_bytes = 4h) as one pass over z[0 .. end):
 * j = 0 with unit twiddles, then j = 1 .. h - 1 with W1, W2, W3 read from tw (the row
 * of j = 1; the next at tw_step_bytes on). Outputs are shifted right by sh with
 * rounding (c = 2^sh / 2 added first). Returns the range bits.
 * Stack frame: [sp] sh, [4] U2i, [8] Q, [12] Dr, [16] Di, [20] z + j, [24] row,
 * [28] row step, [32] z + h.
 */
    .section .text.rfft_r4_pass, "ax", %progbits
    .global rfft_r4_pass
    .type rfft_r4_pass, %function
    .thumb_func
rfft_r4_pass:
    SAVE_ALL
    sub   sp, #36
    str   r1, [sp, #8]
    str   r2, [sp, #24]
    str   r3, [sp, #28]
    str   r0, [sp, #20]
    adds  r2, r0, r1
    str   r2, [sp, #32]
    ldr   r2, [sp, #72]       /* end: first stack argument, above 9 saved words + frame */
    mov   r11, r2
    ldr   r2, [sp, #76]       /* sh */
    str   r2, [sp, #0]
    movs  r3, #1
    lsls  r3, r2
    asrs  r3, r3, #1
    mov   r12, r3             /* c */
    movs  r2, #0
    mov   lr, r2
1:
    R4    1
    blo   1b
    b     2f
9:
    mov   r0, lr
    add   sp, #36
    RESTORE_ALL_RETURN
2:
    ldr   r0, [sp, #20]
    adds  r0, #4              /* next j */
    ldr   r2, [sp, #32]
    cmp   r0, r2
    bhs   9b
    str   r0, [sp, #20]
    ldr   r2, [sp, #24]
    ldm   r2!, {r3, r4, r5}
    mov   r8, r3
    mov   r9, r4
    mov   r10, r5
    subs  r2, #12
    ldr   r3, [sp, #28]
    adds  r2, r2, r3
    str   r2, [sp, #24]
    ldr   r1, [sp, #8]
3:
    R4    0
    blo   3b              /* at the limit of a conditional branch's reach: -256 bytes */
    b     2b
    .size rfft_r4_pass, . - rfft_r4_pass

/*
 * void rfft_split(uint32_t *pa, uint32_t *pb, uint32_t tw_minus_z, int s)
 * The real split's bins k = 1 .. N/4 - 1 (pa = &Z[k] rising, pb = &Z[N/2 - k] falling,
 * while pa < pb), in Q1: Fe2 = Z[k] + conj Z[N/2-k], Fo2 = -j (Z[k] - conj Z[N/2-k]),
 * T = (W Fo2 + 2^14) >> 15 with W = wr - j ws read at pa + tw_minus_z (the packed
 * table, one word per k), then, c = 2^s:
 *   X[k] = (Fe2 + T + c) >> (s + 1),  X[N/2-k] = (conj(Fe2 - T) + c) >> (s + 1).
 * Registers in the loop: r0 pa, r1 pb, r2 tw_minus_z, r3-r7 temporaries, r8 c,
 * r9 s + 1, r10 r11 Fe2 parked, r12 2^14.
 */
    .section .text.rfft_split, "ax", %progbits
    .global rfft_split
    .type rfft_split, %function
    .thumb_func
rfft_split:
    SAVE_ALL
    movs  r4, #1
    lsls  r4, r3
    mov   r8, r4              /* c */
    adds  r3, #1
    mov   r9, r3              /* s + 1 */
    movs  r4, #1
    lsls  r4, r4, #14
    mov   r12, r4
    cmp   r0, r1
    bhs   2f
1:
    ldr   r3, [r0, r2]        /* W */
    ldr   r4, [r0]            /* a = Z[k] */
    ldr   r5, [r1]            /* b = Z[N/2-k] */
    sxth  r6, r4              /* ar */
    asrs  r4, r4, #16         /* ai */
    sxth  r7, r5              /* br */
    asrs  r5, r5, #16         /* bi */
    adds  r7, r7, r6          /* fer2 = ar + br */
    lsls  r6, r6, #1
    subs  r6, r7, r6          /* foi2 = br - ar */
    adds  r4, r4, r5          /* for2 = ai + bi */
    lsls  r5, r5, #1
    subs  r5, r4, r5          /* fei2 = ai - bi */
    mov   r10, r7
    mov   r11, r5
    sxth  r5, r3              /* wr */
    asrs  r3, r3, #16         /* ws */
    mov   r7, r4
    muls  r7, r5              /* wr for2 */
    muls  r4, r3              /* ws for2 */
    muls  r3, r6              /* ws foi2 */
    muls  r6, r5              /* wr foi2 */
    adds  r7, r7, r3
    subs  r6, r6, r4
    add   r7, r12
    add   r6, r12
    asrs  r7, r7, #15         /* tr */
    asrs  r6, r6, #15         /* ti */
    mov   r4, r10
    mov   r5, r11
    add   r4, r8              /* fer2 + c */
    add   r6, r8              /* ti + c */
    adds  r3, r4, r7          /* X[k] re */
    subs  r4, r4, r7          /* X[N/2-k] re */
    adds  r7, r5, r6          /* X[k] im */
    subs  r6, r6, r5          /* X[N/2-k] im */
    mov   r5, r9
    asrs  r3, r5
    asrs  r4, r5
    asrs  r7, r5
    asrs  r6, r5
    uxth  r3, r3
    lsls  r7, r7, #16
    orrs  r3, r7
    str   r3, [r0]
    uxth  r4, r4
    lsls  r6, r6, #16
    orrs  r4, r6
    str   r4, [r1]
    adds  r0, #4
    subs  r1, #4
    cmp   r0, r1
    blo   1b
2:
    RESTORE_ALL_RETURN
    .size rfft_split, . - rfft_split
