/* The streaming classifier (see sed_model.h) for the models harness/sed_models.py
   and harness/sed_gru.py define; which one is chosen by the generated header. */
#include "sed_model.h"
#include "nn_int8.h"
#include "sed_model_tables.h"

#define RQ(name) ((const nn_requant_t *)(const void *)(name))

#if defined(SED_MODEL_GRU)
#include "nn_rnn.h"

/* The recurrent state (Q15) and the step's work words. */
int16_t sed_h[SED_HIDDEN] __attribute__((aligned(4)));
int32_t sed_work[3 * SED_HIDDEN];
int8_t sed_arena[SED_ARENA_BYTES] __attribute__((aligned(4)));

static const nn_rnn_t sed_cell = {SED_FRAME0_IN, SED_HIDDEN, sed_gru_wx, sed_gru_wh, sed_gru_bx, sed_gru_bh,
                                  {SED_RQX_MULT, SED_RQX_SHIFT}, {SED_RQH_MULT, SED_RQH_SHIFT}, sed_sigmoid, sed_tanh};

void sed_init(void)
{
    for (uint32_t i = 0; i < SED_HIDDEN; i++)
        sed_h[i] = 0;
}

void sed_push(const int16_t *logmel_q8)
{
    nn_quantize_int16(logmel_q8, SED_FRAME0_IN, SED_IN_MULT, SED_IN_SHIFT, SED_IN_ZP, sed_arena);
    nn_gru_step(&sed_cell, sed_arena, sed_h, sed_work);
}

void sed_classify(int8_t *probs)
{
    int8_t *h8 = sed_arena, logits[SED_CLASSES];
    for (uint32_t i = 0; i < SED_HIDDEN; i++) { /* Q15 -> int8, scale 1/128 */
        int32_t v = sed_h[i] >> 8;
        h8[i] = (int8_t)(v > 127 ? 127 : v < -128 ? -128 : v);
    }
    nn_fully_connected(h8, SED_HIDDEN, sed_out_w, sed_out_bias, SED_CLASSES, RQ(sed_out_rq), &sed_out_out, logits);
    nn_softmax(logits, SED_CLASSES, sed_softmax_lut, probs);
}

#elif defined(SED_MODEL_TCN)

/* Per layer: a ring of its last span input frames (in the generated header); here the
   gathered taps, the newest output of the last layer and the quantised input. */
int8_t sed_arena[SED_TAPS_BYTES + SED_LAST_WIDTH + SED_FRAME0_IN] __attribute__((aligned(4)));

void sed_init(void)
{
    for (uint32_t l = 0; l < SED_LAYERS; l++) {
        const sed_tcn_layer_t *L = &sed_tcn_layers[l];
        for (uint32_t i = 0; i < L->span * L->c_in; i++)
            L->ring[i] = (int8_t)L->zp;
    }
    for (uint32_t i = 0; i < SED_LAST_WIDTH; i++)
        sed_arena[SED_TAPS_BYTES + i] = (int8_t)sed_tcn_layers[SED_LAYERS - 1].out.out_zp;
}

void sed_push(const int16_t *logmel_q8)
{
    int8_t *taps = sed_arena, *last = sed_arena + SED_TAPS_BYTES, *x = last + SED_LAST_WIDTH;
    nn_quantize_int16(logmel_q8, SED_FRAME0_IN, SED_IN_MULT, SED_IN_SHIFT, SED_IN_ZP, x);
    for (uint32_t l = 0; l < SED_LAYERS; l++) {
        const sed_tcn_layer_t *L = &sed_tcn_layers[l];
        uint32_t c = L->c_in, span = L->span;
        for (uint32_t i = 0; i + c < span * c; i++) /* shift the ring one frame */
            L->ring[i] = L->ring[i + c];
        for (uint32_t i = 0; i < c; i++)
            L->ring[(span - 1) * c + i] = x[i];
        for (uint32_t k = 0; k < L->kernel; k++) { /* tap k: (kernel - 1 - k) * dilation back */
            const int8_t *src = L->ring + (span - 1 - (L->kernel - 1 - k) * L->dilation) * c;
            for (uint32_t i = 0; i < c; i++)
                taps[k * c + i] = src[i];
        }
        nn_fully_connected(taps, L->kernel * c, L->w, L->bias, L->c_out, L->rq, &L->out, last);
        x = last;
    }
}

void sed_classify(int8_t *probs)
{
    int8_t logits[SED_CLASSES];
    nn_fully_connected(sed_arena + SED_TAPS_BYTES, SED_LAST_WIDTH, sed_head_w, sed_head_bias, SED_CLASSES,
                       RQ(sed_head_rq), &sed_head_out, logits);
    nn_softmax(logits, SED_CLASSES, sed_softmax_lut, probs);
}

#else

/* The ring: the last SED_FRAMES frames of the per-frame part, oldest first. */
int8_t sed_ring[SED_FRAMES * SED_RING_WIDTH] __attribute__((aligned(4)));
/* Everything else that lives only within a call (planned by the exporter). */
int8_t sed_arena[SED_ARENA_BYTES] __attribute__((aligned(4)));

void sed_init(void)
{
    for (uint32_t i = 0; i < sizeof sed_ring; i++)
        sed_ring[i] = (int8_t)SED_RING_ZP;
}

void sed_push(const int16_t *logmel_q8)
{
    int8_t *x = sed_arena;
    nn_quantize_int16(logmel_q8, SED_FRAME0_IN, SED_IN_MULT, SED_IN_SHIFT, SED_IN_ZP, x);
    uint32_t *w = (uint32_t *)(void *)sed_ring; /* shift the ring one frame, a word at a time */
    for (uint32_t i = 0; i < (SED_FRAMES - 1) * SED_RING_WIDTH / 4; i++)
        w[i] = w[i + SED_RING_WIDTH / 4];
    nn_fully_connected(x, SED_FRAME0_IN, sed_frame0_w, sed_frame0_bias, SED_FRAME0_OUT, RQ(sed_frame0_rq),
                       &sed_frame0_out, sed_ring + (SED_FRAMES - 1) * SED_RING_WIDTH);
}

void sed_classify(int8_t *probs)
{
#if defined(SED_MODEL_DCT_MLP)
    int8_t *d = sed_arena + SED_OFF_D, *h = sed_arena + SED_OFF_H, *l = sed_arena + SED_OFF_L;
    nn_time_project(sed_ring, SED_FRAMES, SED_RING_WIDTH, sed_time_w, sed_time_bias, SED_TIME_K,
                    RQ(sed_time_rq), &sed_time_out, d);
    nn_fully_connected(d, SED_HEAD0_IN, sed_head0_w, sed_head0_bias, SED_HEAD0_OUT, RQ(sed_head0_rq), &sed_head0_out, h);
    nn_fully_connected(h, SED_HEAD1_IN, sed_head1_w, sed_head1_bias, SED_HEAD1_OUT, RQ(sed_head1_rq), &sed_head1_out, l);
#else
    int8_t *z = sed_arena + SED_OFF_Z, *l = sed_arena + SED_OFF_L;
    nn_fully_connected(sed_ring, SED_HEAD0_IN, sed_head0_w, sed_head0_bias, SED_HEAD0_OUT, RQ(sed_head0_rq), &sed_head0_out, z);
    nn_fully_connected(z, SED_HEAD1_IN, sed_head1_w, sed_head1_bias, SED_HEAD1_OUT, RQ(sed_head1_rq), &sed_head1_out, l);
#endif
    nn_softmax(l, SED_CLASSES, sed_softmax_lut, probs);
}
#endif
