"""The Q15 audio front end on the host: configurations, the tables they imply (written
as C headers) and the bit-exact twin of the firmware with its float reference."""
