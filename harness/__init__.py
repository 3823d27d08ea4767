"""mcubench: measure audio DSP/ML firmware on emulated Cortex-M0+ microcontrollers.

Layers, each in its own module: toolchain/build (ELF from C) -> elf_image (what was
built) -> machine (Unicorn + memory map + cycle model) -> commands (exec, inspect,
perf, run) -> report/results.
"""

__version__ = "0.1.0"
