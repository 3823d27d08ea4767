/* Model 5 (see genre_model.h): z-score bridge -> LSTM -> dense -> softmax. */
#include "genre_model.h"
#include "genre_model_tables.h"
#include "nn_int8.h"
#include "nn_rnn.h"

#define RQ(name) ((const nn_requant_t *)(const void *)(name))

/* The recurrent state (h Q15, c Q12), the step's work words, and the int8 input or h. */
int16_t genre_h[GENRE_HIDDEN] __attribute__((aligned(4)));
int16_t genre_c[GENRE_HIDDEN] __attribute__((aligned(4)));
int32_t genre_work[4 * GENRE_HIDDEN];
#define GENRE_WIDEST (GENRE_HIDDEN > GENRE_NMFCC ? GENRE_HIDDEN : GENRE_NMFCC)
int8_t genre_arena[(GENRE_WIDEST + 3) & ~3] __attribute__((aligned(4)));

static const nn_rnn_t genre_cell = {GENRE_NMFCC, GENRE_HIDDEN, genre_wx, genre_wh, genre_bx, genre_bh,
                                    {GENRE_RQX_MULT, GENRE_RQX_SHIFT}, {GENRE_RQH_MULT, GENRE_RQH_SHIFT},
                                    genre_sigmoid, genre_tanh};

void genre_init(void)
{
    for (uint32_t i = 0; i < GENRE_HIDDEN; i++)
        genre_h[i] = genre_c[i] = 0;
}

void genre_push(const int16_t *mfcc_q5)
{
    nn_zscore_int16(mfcc_q5, GENRE_NMFCC, genre_mean_q5, RQ(genre_bridge_rq), GENRE_IN_ZP, genre_arena);
    nn_lstm_step(&genre_cell, genre_arena, genre_h, genre_c, genre_work);
}

void genre_classify(int8_t *probs)
{
    int8_t *h8 = genre_arena, logits[GENRE_CLASSES];
    for (uint32_t i = 0; i < GENRE_HIDDEN; i++) { /* Q15 -> int8, scale 1/128 */
        int32_t v = genre_h[i] >> 8;
        h8[i] = (int8_t)(v > 127 ? 127 : v < -128 ? -128 : v);
    }
    nn_fully_connected(h8, GENRE_HIDDEN, genre_out_w, genre_out_bias, GENRE_CLASSES, RQ(genre_out_rq),
                       &genre_out_out, logits);
    nn_softmax(logits, GENRE_CLASSES, genre_softmax_lut, probs);
}
