"""From C to ELF: the cross toolchain, cached builds and third-party C sources."""
