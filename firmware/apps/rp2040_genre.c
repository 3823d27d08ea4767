/* rp2040_genre: the RP2040 genre classifier. Per hop (160 samples at 22,050 Hz): the
   genre22k front end (320-sample window, N=512, 32 HTK mel) and its 18 MFCC (Q10.5),
   the z-score bridge and one LSTM step (genre_model.c), softmax, EMA smoothing. */
#include "app_stream.h"
#include "frontend.h"
#include "genre_model.h"
#include "genre_model_tables.h"

static int16_t logmel[FE_NMELS] __attribute__((aligned(4)));
int16_t app_features[FE_NMFCC] __attribute__((used, aligned(4)));  /* Q10.5 MFCC */
int8_t app_probs[GENRE_CLASSES] __attribute__((used, aligned(4)));
int16_t app_ema[GENRE_CLASSES] __attribute__((used, aligned(4)));  /* Q15 */

void app_init(void)
{
    fe_init();
    genre_init();
    for (uint32_t i = 0; i < GENRE_CLASSES; i++)
        app_ema[i] = 0;
}

void app_process(const int16_t *hop)
{
    fe_process(hop, logmel);
    fe_mfcc(logmel, app_features);
    genre_push(app_features);
    genre_classify(app_probs);
    app_ema_q15(app_probs, app_ema, GENRE_CLASSES);
}
