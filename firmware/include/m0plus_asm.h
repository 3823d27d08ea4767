/*
 * Assembler macros shared by the ARMv6-M routines (#include from a .S file).
 * On the M0+ the high registers can only be moved, not pushed: saving r8-r11 takes
 * four moves into low registers and a second push.
 */
#ifndef M0PLUS_ASM_H
#define M0PLUS_ASM_H

/* Save r4-r7, lr and r8-r11 (9 words: stack arguments start at [sp, #36]). */
.macro SAVE_ALL
    push  {r4, r5, r6, r7, lr}
    mov   r4, r8
    mov   r5, r9
    mov   r6, r10
    mov   r7, r11
    push  {r4, r5, r6, r7}
.endm

/* Restore what SAVE_ALL saved and return. */
.macro RESTORE_ALL_RETURN
    pop   {r4, r5, r6, r7}
    mov   r8, r4
    mov   r9, r5
    mov   r10, r6
    mov   r11, r7
    pop   {r4, r5, r6, r7, pc}
.endm

#endif
