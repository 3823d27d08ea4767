/*
 * Radix-2 butterfly runs for rfft_q15.c, hand-scheduled for ARMv6-M (Cortex-M0+).
 *
 * uint32_t rfft_bfly_<kind>(uint32_t *pa, uint32_t *end, uint32_t stride_bytes,
 *                          uint32_t hoff_bytes, int32_t wr, int32_t ws, int s)
 * For pa, pa + stride, ... below end: a = *pa, b = pa[hoff]; t = W b with W = wr - j ws
 * (kind "w"), W = 1 (kind "one") or W = -j (kind "mj"); a' = (a + t + s) >> s,
 * b' = (a - t + s) >> s per component; complex values packed as (im << 16) | re.
 * Returns the OR of (word + 0x20002000) over every word written (the range test of
 * rfft_q15.c). The arithmetic is exactly that of the C it replaces:
 *   tr = (((wr br + ws bi) >> 14) + 1) >> 1,  ti = (((wr bi - ws br) >> 14) + 1) >> 1.
 * Registers in the loop: r0 pa, r1 hoff, r7 s, r2-r6 temporaries,
 * r8 wr, r9 ws, r10 end, r11 stride, r12 acc.
 */
#include "m0plus_asm.h"
    .syntax unified
    .cpu cortex-m0plus
    .thumb

/* t from b at [r0, r1]: leaves tr in r4, ti in r2 */
.macro TWIDDLE_W
    ldr   r2, [r0, r1]
    sxth  r3, r2              /* br */
    asrs  r2, r2, #16         /* bi */
    mov   r4, r8
    muls  r4, r3              /* wr br */
    mov   r5, r9
    muls  r3, r5              /* ws br */
    muls  r5, r2              /* ws bi */
    adds  r4, r4, r5          /* wr br + ws bi */
    mov   r5, r8
    muls  r2, r5              /* wr bi */
    subs  r2, r2, r3          /* wr bi - ws br */
    asrs  r4, r4, #14
    adds  r4, #1
    asrs  r4, r4, #1          /* tr */
    asrs  r2, r2, #14
    adds  r2, #1
    asrs  r2, r2, #1          /* ti */
.endm

.macro TWIDDLE_ONE            /* t = b */
    ldr   r2, [r0, r1]
    sxth  r4, r2              /* tr = br */
    asrs  r2, r2, #16         /* ti = bi */
.endm

.macro TWIDDLE_MJ             /* t = -j b = (bi, -br) */
    ldr   r2, [r0, r1]
    asrs  r4, r2, #16         /* tr = bi */
    sxth  r2, r2
    rsbs  r2, r2, #0          /* ti = -br */
.endm

/* a at [r0]; t in r4 (re), r2 (im): writes both outputs, ORs the range test into r7 */
.macro COMBINE s
    ldr   r3, [r0]
    sxth  r5, r3              /* ar */
    asrs  r3, r3, #16         /* ai */
.if \s
    adds  r5, #1
    adds  r3, #1
.endif
    adds  r6, r5, r4          /* xr */
    subs  r5, r5, r4          /* yr */
    adds  r4, r3, r2          /* xi */
    subs  r3, r3, r2          /* yi */
.if \s
    asrs  r6, r6, #1
    asrs  r5, r5, #1
    asrs  r4, r4, #1
    asrs  r3, r3, #1
.endif
    uxth  r6, r6
    lsls  r4, r4, #16
    orrs  r6, r4              /* x packed */
    uxth  r5, r5
    lsls  r3, r3, #16
    orrs  r5, r3              /* y packed */
    str   r6, [r0]
    str   r5, [r0, r1]
    ldr   r2, =0x20002000
    adds  r6, r6, r2
    adds  r5, r5, r2
    orrs  r7, r6
    orrs  r7, r5
.endm

/* As COMBINE, with s (0 or 1) in r7 and the accumulator in r12. */
.macro COMBINE_REG
    ldr   r3, [r0]
    sxth  r5, r3              /* ar */
    asrs  r3, r3, #16         /* ai */
    adds  r5, r5, r7          /* + s: round half up when halving */
    adds  r3, r3, r7
    adds  r6, r5, r4          /* xr */
    subs  r5, r5, r4          /* yr */
    adds  r4, r3, r2          /* xi */
    subs  r3, r3, r2          /* yi */
    asrs  r6, r7
    asrs  r5, r7
    asrs  r4, r7
    asrs  r3, r7
    uxth  r6, r6
    lsls  r4, r4, #16
    orrs  r6, r4              /* x packed */
    uxth  r5, r5
    lsls  r3, r3, #16
    orrs  r5, r3              /* y packed */
    str   r6, [r0]
    str   r5, [r0, r1]
    ldr   r2, =0x20002000
    adds  r6, r6, r2
    adds  r5, r5, r2
    orrs  r6, r5
    mov   r2, r12
    orrs  r2, r6
    mov   r12, r2
.endm

/* uint32_t name(pa, end, stride_bytes, hoff_bytes, wr, ws, s) */
.macro RUN name, twiddle
    .section .text.\name, "ax", %progbits
    .global \name
    .type \name, %function
    .thumb_func
\name:
    SAVE_ALL
    ldr   r4, [sp, #36]       /* wr: first stack argument, above 9 saved words */
    ldr   r5, [sp, #40]       /* ws */
    ldr   r7, [sp, #44]       /* s */
    mov   r8, r4
    mov   r9, r5
    mov   r10, r1             /* end */
    mov   r11, r2             /* stride */
    mov   r1, r3              /* hoff */
    movs  r2, #0
    mov   r12, r2             /* acc */
    cmp   r0, r10
    bhs   2f
1:
    \twiddle
    COMBINE_REG
    add   r0, r11
    cmp   r0, r10
    blo   1b
2:
    mov   r0, r12
    RESTORE_ALL_RETURN
    .ltorg
    .size \name, . - \name
.endm

    RUN rfft_bfly_w, TWIDDLE_W
    RUN rfft_bfly_one, TWIDDLE_ONE
    RUN rfft_bfly_mj, TWIDDLE_MJ

/*
 * uint32_t rfft_walk_s<s>(uint32_t *p, uint32_t *end, uint32_t hoff_bytes,
 *                         const int16_t *sinp, const int16_t *cosp, uint32_t step_bytes)
 * One group of a late stage, twiddles walked from the quarter-wave table: for p, p+1, ...
 * below end, ws = *sinp, wr = *cosp (then sinp += step, cosp -= step); the butterfly at
 * p with W = wr - j ws, and the one at p + h/2 with -j W = -ws - j wr. Same arithmetic
 * and return value as the runs above; no call per butterfly.
 * Registers in the loop: r0 p, r1 hoff, r7 acc, r2-r6 temporaries,
 * r8 wr, r9 ws, r10 end, r11 sinp, r12 cosp, lr step.
 */
.macro WALK name, s
    .section .text.\name, "ax", %progbits
    .global \name
    .type \name, %function
    .thumb_func
\name:
    SAVE_ALL
    mov   r11, r3             /* sinp */
    ldr   r4, [sp, #36]       /* cosp */
    ldr   r5, [sp, #40]       /* step */
    mov   r12, r4
    mov   lr, r5
    mov   r10, r1             /* end */
    mov   r1, r2              /* hoff */
    movs  r7, #0
    cmp   r0, r10
    bhs   2f
1:
    mov   r2, r11
    ldrh  r3, [r2]            /* ws >= 0 */
    add   r2, lr
    mov   r11, r2
    mov   r2, r12
    ldrh  r4, [r2]            /* wr >= 0 */
    mov   r5, lr
    subs  r2, r2, r5
    mov   r12, r2
    mov   r8, r4
    mov   r9, r3
    TWIDDLE_W
    COMBINE \s
    mov   r2, r9              /* second butterfly: wr' = -ws, ws' = wr */
    rsbs  r2, r2, #0
    mov   r3, r8
    mov   r8, r2
    mov   r9, r3
    lsrs  r2, r1, #1          /* p + h/2 */
    adds  r0, r0, r2
    TWIDDLE_W
    COMBINE \s
    lsrs  r2, r1, #1
    subs  r0, r0, r2
    adds  r0, #4
    cmp   r0, r10
    blo   1b
2:
    mov   r0, r7
    RESTORE_ALL_RETURN
    .ltorg
    .size \name, . - \name
.endm

    WALK rfft_walk_s0, 0
    WALK rfft_walk_s1, 1
