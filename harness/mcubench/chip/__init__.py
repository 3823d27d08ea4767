"""Chips as data: memory regions, clock, flash wait states, multiplier, caches."""
