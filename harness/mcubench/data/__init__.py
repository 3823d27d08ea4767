"""Inputs: test signals made in code, WAV files, and the synthesized datasets the
models are trained and tested on."""
