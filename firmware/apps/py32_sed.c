/* py32_sed: the PY32F003 sound-event detector. Per 8 ms hop: the py32_1k log-mel front
   end (16 kHz, 32 mel), one step of a kilobyte-sized model (sed_model.c, chosen by its
   generated header), and EMA smoothing of the class probabilities. */
#include "app_stream.h"
#include "frontend.h"
#include "sed_model.h"
#include "sed_model_tables.h"

int16_t app_features[FE_NMELS] __attribute__((used, aligned(4)));  /* Q7.8 log-mel */
int8_t app_probs[SED_CLASSES] __attribute__((used, aligned(4)));
int16_t app_ema[SED_CLASSES] __attribute__((used, aligned(4)));    /* Q15 */

void app_init(void)
{
    fe_init();
    sed_init();
    for (uint32_t i = 0; i < SED_CLASSES; i++)
        app_ema[i] = 0;
}

void app_process(const int16_t *hop)
{
    fe_process(hop, app_features);
    sed_push(app_features);
    sed_classify(app_probs);
    app_ema_q15(app_probs, app_ema, SED_CLASSES);
}
