/*
 * The TFLite Micro audio front end (pymicro-features' sources: window, KISS FFT int16,
 * filterbank, noise reduction, PCAN, log scale), one hop of 16 kHz audio per call. The
 * shape comes from the benchmark's defines: microWakeWord's by default (30 ms window,
 * 10 ms hop, 40 channels, noise reduction and PCAN on); micro_speech's hop is 20 ms. bench_init builds the tables at start-up as the
 * library does (float maths, soft-float on the M0+): that is the unmeasured set-up; the
 * per-hop path is bench_run. Its allocations come from a static heap whose size is set
 * by the benchmark, so the RAM figure is what the front end really holds.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "mcubench.h"
#include "tensorflow/lite/experimental/microfrontend/lib/frontend.h"
#include "tflm_frontend_config.h"

#ifndef TFLM_WINDOW_MS
#define TFLM_WINDOW_MS 30
#endif
#ifndef TFLM_STEP_MS
#define TFLM_STEP_MS 10
#endif
#ifndef TFLM_NOISE_REDUCTION
#define TFLM_NOISE_REDUCTION 1
#endif
#ifndef TFLM_PCAN
#define TFLM_PCAN 1
#endif
#define HOP (16 * TFLM_STEP_MS)
#define CHANNELS TFLM_CHANNELS
#ifndef HEAP_BYTES
#define HEAP_BYTES 8192
#endif

int16_t bench_input[HOP] MCUBENCH_BUFFER;
uint16_t bench_output[CHANNELS] MCUBENCH_BUFFER;
static struct FrontendState state;

static uint8_t heap[HEAP_BYTES] __attribute__((aligned(8)));
uint32_t heap_used __attribute__((used));

void *_sbrk(ptrdiff_t incr)
{
    if (heap_used + (uint32_t)incr > HEAP_BYTES) {
        errno = ENOMEM;
        return (void *)-1;
    }
    void *p = &heap[heap_used];
    heap_used += (uint32_t)incr;
    return p;
}

void bench_init(void)
{
    struct FrontendConfig c;
    mcubench_tflm_config(&c, TFLM_WINDOW_MS, TFLM_STEP_MS, TFLM_NOISE_REDUCTION, TFLM_PCAN);
    FrontendPopulateState(&c, &state, 16000);
}

/* A hop's samples are fed until all are read: the window takes only what fills it, so
   with a hop longer than what is missing (micro_speech: 20 ms hop, 30 ms window) one call
   would leave the rest of the hop unread and the next window would skip it. */
int32_t bench_run(void)
{
    const int16_t *in = bench_input;
    size_t left = HOP;
    int32_t produced = 0;
    while (left) {
        size_t read = 0;
        struct FrontendOutput out = FrontendProcessSamples(&state, in, left, &read);
        in += read;
        left -= read;
        if (out.size == CHANNELS) {
            memcpy(bench_output, out.values, sizeof(bench_output));
            produced = (int32_t)out.size;
        }
    }
    if (!produced)
        memset(bench_output, 0, sizeof(bench_output));
    return produced;
}

/* What newlib's error paths (abort, fprintf to stderr) link to: a real chip would stop
   here; mcubench stops with a fault naming the function. */
void _exit(int status)
{
    (void)status;
    for (;;)
        __asm__ volatile("bkpt #0");
}

int _kill(int pid, int sig)
{
    (void)pid;
    (void)sig;
    _exit(1);
    return -1;
}

int _getpid(void) { return 1; }

/* The library reports set-up errors with fprintf(stderr, ...): newlib's stdio links these
   system calls. There is no console here; they do nothing. */
struct stat;
int _write(int fd, const char *buf, int len) { (void)fd; (void)buf; return len; }
int _read(int fd, char *buf, int len) { (void)fd; (void)buf; (void)len; return 0; }
int _close(int fd) { (void)fd; return -1; }
int _lseek(int fd, int off, int whence) { (void)fd; (void)off; (void)whence; return 0; }
int _fstat(int fd, struct stat *st) { (void)fd; (void)st; return -1; }
int _isatty(int fd) { (void)fd; return 1; }
