/* The DMA double buffer, its interrupt handler, the main loop and the smoothing that
   both seed applications share (see app_stream.h). */
#include "app_stream.h"

int16_t app_dma_buffer[2 * APP_HOP] __attribute__((used, aligned(4)));
volatile uint32_t app_dma_flags __attribute__((used));
volatile uint32_t app_overruns, app_frames;
static volatile uint32_t pending; /* 0: none, else 1 + the full half */

void app_dma_isr(void)
{
    uint32_t flags = app_dma_flags;
    app_dma_flags = 0; /* clear the flags we are handling */
    uint32_t half = (flags & APP_DMA_COMPLETE) ? 1u : 0u;
    if (pending)
        app_overruns++; /* the main loop never took the previous half */
    pending = 1u + half;
}

__attribute__((used, noinline)) int32_t app_poll(void)
{
    __asm__ volatile("cpsid i" ::: "memory"); /* take the pending half atomically */
    uint32_t p = pending;
    pending = 0;
    __asm__ volatile("cpsie i" ::: "memory");
    if (!p)
        return 0;
    app_process(&app_dma_buffer[(p - 1u) * APP_HOP]);
    app_frames++;
    return 1;
}

void app_ema_q15(const int8_t *probs, int16_t *ema, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        int32_t p = ((int32_t)probs[i] + 128) << 7; /* Q8 probability -> Q15 */
        ema[i] = (int16_t)(ema[i] + (((p - ema[i]) * (32768 - APP_EMA_ALPHA_Q15) + (1 << 14)) >> 15));
    }
}

int main(void)
{
    app_init();
    for (;;) {
        if (!app_poll())
            __asm__ volatile("wfi");
    }
}

/* The device interrupts after the 16 core vectors, up to and including the DMA's. */
extern void Default_Handler(void);
__attribute__((used, section(".vectors.irq")))
void (*const app_irq_vectors[APP_DMA_IRQN + 1])(void) = {
    [0 ... APP_DMA_IRQN - 1] = Default_Handler,
    [APP_DMA_IRQN] = app_dma_isr,
};
