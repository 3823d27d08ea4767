"""Stack painting: the stack filled with a pattern before a call, the deepest changed
byte found after it.

SP tracking sees how far SP went; painting also sees a write below SP (a buffer that
overruns downwards, an interrupt frame). Reading the region back is once per call,
so it reads straight into a kept buffer and compares eight bytes at a time: on the
RP2040's ~250 KiB stack this is ~0.04 ms, where a bytes copy and a byte-wise compare
took ~0.5 ms, a visible share of a short call's wall time.
"""

from __future__ import annotations

import ctypes

import numpy as np
from unicorn.unicorn_py3 import unicorn as ucmod
from unicorn.unicorn_py3.unicorn import UcError

STACK_PAINT = 0xA5
_WORD = np.uint64(int.from_bytes(bytes([STACK_PAINT]) * 8, "little"))


class StackPaint:
    def __init__(self, uc, limit: int, top: int):
        self._uc, self.limit, self.top = uc, limit, top
        self._fill = bytes([STACK_PAINT]) * (top - limit)
        self._buf = np.empty((top - limit + 7) // 8 * 8, dtype=np.uint8)
        self._buf[top - limit :] = STACK_PAINT  # the tail past the stack stays paint

    def paint(self) -> None:
        self._uc.mem_write(self.limit, self._fill)

    def lowest_touched(self) -> int:
        """Address of the lowest byte no longer holding the paint (top when none)."""
        n = self.top - self.limit
        ptr = self._buf.ctypes.data_as(ctypes.POINTER(ctypes.c_char))
        err = ucmod.uclib.uc_mem_read(self._uc._uch, self.limit, ptr, n)
        if err:
            raise UcError(err)
        changed = self._buf.view(np.uint64) != _WORD
        i = int(np.argmax(changed))
        if not changed[i]:
            return self.top
        j = i * 8
        while self._buf[j] == STACK_PAINT:
            j += 1
        return self.limit + j
