"""The kilobyte-sized models: bit-exact twins of the int8 and recurrent kernels,
quantisers and header exporters, numpy trainers, and the registry of models by name."""
