"""The built-in references' names: what a suite file may write as `reference = ...`.
Loading a suite checks against this list without importing the references themselves
(the model ones import the trainers); bench/references.py refuses to load if its table
and this list differ."""

REFERENCE_NAMES = (
    "fir_q15",
    "rfft_q15",
    "frontend",
    "cmsis_mfcc_q15",
    "sed_model",
    "genre_model",
    "tflm_frontend",
)
