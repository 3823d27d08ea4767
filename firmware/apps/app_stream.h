/*
 * The streaming skeleton the seed applications share, and a project's own apps can.
 *
 * Audio arrives by DMA into a double buffer of two hops (app_dma_buffer). The DMA
 * channel interrupts twice per buffer: half transfer (half 0 is full) and transfer
 * complete (half 1 is full). The handler, app_dma_isr(), reads and clears the channel's
 * status and hands the full half to the main loop; main() runs app_poll() and sleeps
 * (WFI) when nothing is pending. app_poll() runs the application's app_process() on the
 * half: front end, model, smoothing. The half must be processed before the DMA comes
 * back to it, one hop later: that is the real-time deadline.
 *
 * In the emulator the DMA's interrupt-status register is stood in for by app_dma_flags
 * (no peripheral is modelled): the harness, playing the DMA, copies a hop into a half,
 * sets the flag and runs app_dma_isr() as the interrupt would; then it runs the main
 * loop's app_poll(). APP_DMA_IRQN is the channel's device interrupt number, for the
 * vector table.
 */
#ifndef APP_STREAM_H
#define APP_STREAM_H

#include <stdint.h>

#ifndef APP_HOP /* an app without mcubench's front end defines its own hop (-DAPP_HOP=N) */
#include "fe_tables.h"
#define APP_HOP FE_HOP
#endif
#define APP_DMA_HALF 1u     /* half-transfer flag: half 0 is full */
#define APP_DMA_COMPLETE 2u /* transfer-complete flag: half 1 is full */

extern int16_t app_dma_buffer[2 * APP_HOP];
extern volatile uint32_t app_dma_flags;
extern volatile uint32_t app_overruns;  /* halves the main loop had not taken in time */
extern volatile uint32_t app_frames;    /* hops processed */

void app_dma_isr(void);
int32_t app_poll(void);  /* one pass of the main loop: 1 if it processed a hop */

/* Provided by each application. */
void app_init(void);
void app_process(const int16_t *hop);

/* Exponential moving average of int8 probabilities (scale 1/256, zero point -128) into
   Q15: ema += (p - ema) x (1 - alpha), alpha = APP_EMA_ALPHA_Q15 / 32768. */
void app_ema_q15(const int8_t *probs, int16_t *ema, uint32_t n);

#endif
