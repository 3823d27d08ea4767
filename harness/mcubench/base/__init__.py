"""The floor every other layer stands on: errors, paths, file writing, TOML reading, C arrays."""
