"""The one exception the peripheral models raise."""

from __future__ import annotations


class PeripheralFault(Exception):
    """An access a real chip would fault on or that mcubench does not model: machine.py
    turns it into a FirmwareFault with the PC and backtrace."""
