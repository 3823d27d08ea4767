#!/usr/bin/env bash
# Install the Arm cross toolchain and newlib when missing (Debian/Ubuntu), or say in one line what to install.
set -euo pipefail
PKGS="gcc-arm-none-eabi libnewlib-arm-none-eabi"

have_toolchain() {
    command -v arm-none-eabi-gcc >/dev/null 2>&1 || return 1
    local libc
    libc=$(arm-none-eabi-gcc -mcpu=cortex-m0plus -mthumb -print-file-name=libc.a 2>/dev/null) || return 1
    [ -f "$libc" ]
}

have_toolchain && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "mcubench: arm-none-eabi-gcc with newlib is missing: install the packages $PKGS (or your distribution's equivalent)" >&2
    exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "mcubench: arm-none-eabi-gcc with newlib is missing: run 'sudo apt-get install $PKGS'" >&2
    exit 1
fi
echo "mcubench: installing $PKGS with apt-get" >&2
$SUDO apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $PKGS >/dev/null
have_toolchain || { echo "mcubench: apt-get ran but arm-none-eabi-gcc/newlib still missing: install $PKGS" >&2; exit 1; }
