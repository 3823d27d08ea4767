"""The emulated Cortex-M0+: ELF loading, the memory map, the ARMv6-M decoder, the cycle
table, the counters (native hook and Python twin), faults, the Machine, sizes."""
