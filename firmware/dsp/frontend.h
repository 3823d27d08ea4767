/*
 * Q15 log-mel / MFCC front end for Cortex-M0+, one hop per call.
 *
 * fe_process() takes FE_HOP new int16 samples, forms the frame (the FE_WIN - FE_HOP
 * samples kept from before, then the new ones), and writes FE_NMELS log-mel values:
 *   dB in Q7.8 (int16; 256 = 1 dB) of the mel energies of the frame scaled to [-1, 1),
 *   Hann-windowed (periodic), FFT size FE_N, power spectrum, mel filterbank;
 *   floor FE_LOG_FLOOR_Q8 (-100 dB, librosa's amin = 1e-10).
 * fe_mfcc() turns FE_NMELS log-mel values into FE_NMFCC coefficients (DCT-II, ortho),
 * in Q10.5 dB units (32 = 1 dB; c0 is sqrt(FE_NMELS) x the mean log-mel, so it needs
 * the range), saturated to int16.
 * The hop buffer must be 4-byte aligned (samples are read two per word).
 * RAM: fe_history (the audio kept between frames) and fe_work (the FFT buffer, reused
 * for the power spectrum in place); nothing else lives across calls.
 */
#ifndef FRONTEND_H
#define FRONTEND_H

#include <stdint.h>

void fe_init(void);
void fe_process(const int16_t *hop, int16_t *logmel_q8);
void fe_mfcc(const int16_t *logmel_q8, int16_t *mfcc_q5);

#endif
