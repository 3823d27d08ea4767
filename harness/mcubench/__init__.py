"""mcubench: measure audio DSP/ML firmware on emulated Cortex-M0+ microcontrollers.

Subpackages are layers, each importing only the ones before it: base -> chip ->
build -> emu -> dsp -> data -> nn -> apps -> results -> bench -> report -> cli (and
the pytest plugin beside it). The data path is ELF -> Machine -> figures -> results
-> gate, and WAV -> stream -> app.
"""

__version__ = "0.1.0"
