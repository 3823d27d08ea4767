/*
 * A streaming sound-event classifier built from the int8 kernels: sed_push() runs the
 * per-frame part on one hop's Q7.8 log-mel and appends it to a ring of SED_FRAMES
 * frames; sed_classify() runs the head on the ring and writes SED_CLASSES int8
 * probabilities (scale 1/256, zero point -128). The model's tables come from
 * build/gen/sed_<model>/sed_model_tables.h (harness/sed_quant.py).
 */
#ifndef SED_MODEL_H
#define SED_MODEL_H

#include <stdint.h>

void sed_init(void);
void sed_push(const int16_t *logmel_q8);
void sed_classify(int8_t *probs);

#endif
