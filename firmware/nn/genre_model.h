/*
 * The streaming genre classifier (model 5, harness/genre_lstm.py): genre_push() takes
 * one hop's GENRE_NMFCC MFCC (Q10.5 dB, from fe_mfcc), applies the z-score bridge and
 * steps the LSTM; genre_classify() runs dense + softmax on h and writes GENRE_CLASSES
 * int8 probabilities (scale 1/256, zero point -128). The tables come from
 * build/gen/genre_lstm/genre_model_tables.h.
 */
#ifndef GENRE_MODEL_H
#define GENRE_MODEL_H

#include <stdint.h>

void genre_init(void);
void genre_push(const int16_t *mfcc_q5);
void genre_classify(int8_t *probs);

#endif
