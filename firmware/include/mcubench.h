/*
 * The firmware contract every mcubench benchmark follows.
 *
 * The harness never parses printf output: it finds these functions and buffers by
 * symbol name in the ELF, writes inputs into the named buffers, calls bench_init()
 * once and bench_run() for the measured work, then reads the outputs back.
 * Cycles are counted from bench_run's first instruction through its return.
 */
#ifndef MCUBENCH_H
#define MCUBENCH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One-time set-up after reset (tables, state). Not measured. */
void bench_init(void);

/* The measured work: one block or one frame. Returns a status or checksum. */
int32_t bench_run(void);

/* Buffers the harness reads or writes by name: kept even if the code never reads
   them, word aligned so the harness can move them as words. */
#define MCUBENCH_BUFFER __attribute__((used, aligned(4)))

/* Keep a function out of line so its cycles are attributed to it. */
#define MCUBENCH_NOINLINE __attribute__((noinline))

#ifdef __cplusplus
}
#endif

#endif
