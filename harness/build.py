"""Cross-compile C firmware for a target into an ELF, rebuilding only on change.

Every build links the shared startup and entry with the benchmark's sources under the
target's linker script, for Cortex-M0+ (-mcpu=cortex-m0plus -mthumb), -Os unless the
benchmark says otherwise, with section garbage collection. The output directory is
named by a hash of everything that goes in (sources, headers, the full command line,
linker script, compiler version), so an unchanged build is reused and a changed one never is. A
manifest.json beside the ELF records what went in.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BuildError
from .targets import FIRMWARE_DIR, Target
from .toolchain import gcc_version, tool

BUILD_DIR = Path(os.environ.get("MCUBENCH_BUILD_DIR", FIRMWARE_DIR.parent / "build"))
COMMON = FIRMWARE_DIR / "common"
INCLUDE = FIRMWARE_DIR / "include"
CPU_FLAGS = ["-mcpu=cortex-m0plus", "-mthumb", "-mfloat-abi=soft"]
BASE_CFLAGS = ["-std=c11", "-Wall", "-Wextra", "-ffunction-sections", "-fdata-sections",
               "-fno-common", "-g"]
LDFLAGS = ["-nostartfiles", "--specs=nano.specs", "-Wl,--gc-sections"]


@dataclass(frozen=True)
class BuildSpec:
    name: str
    sources: tuple[Path, ...]
    opt: str = "-Os"
    defines: tuple[str, ...] = ()
    cflags: tuple[str, ...] = ()
    include_dirs: tuple[Path, ...] = ()
    with_entry: bool = True  # link the shared startup + main; without it nothing roots
                             # the section GC, so every section is kept (unit-test snippets)


@dataclass
class BuildResult:
    elf: Path
    manifest: dict = field(default_factory=dict)
    cached: bool = False


def _inputs(spec: BuildSpec, target: Target) -> list[Path]:
    files = list(spec.sources) + [target.linker_script, COMMON / "mcubench_sections.ld"]
    if spec.with_entry:
        files += [COMMON / "startup.c", COMMON / "entry.c"]
    for d in {INCLUDE, *spec.include_dirs, *(s.parent for s in spec.sources)}:
        files += sorted(Path(d).glob("*.h"))
    return files


def command_lines(spec: BuildSpec, target: Target, elf: Path) -> list[str]:
    sources = [str(s) for s in spec.sources]
    if spec.with_entry:
        sources += [str(COMMON / "startup.c"), str(COMMON / "entry.c")]
    includes = [f"-I{d}" for d in (INCLUDE, *spec.include_dirs)]
    return ([tool("gcc"), *CPU_FLAGS, spec.opt, *BASE_CFLAGS, *spec.cflags,
             *(f"-D{d}" for d in spec.defines), *includes, *sources,
             f"-L{COMMON}", f"-T{target.linker_script}", *LDFLAGS,
             *([] if spec.with_entry else ["-Wl,--no-gc-sections", "-Wl,-e,0"]),
             f"-Wl,-Map={elf.with_suffix('.map')}", "-o", str(elf)])


def build(spec: BuildSpec, target: Target) -> BuildResult:
    for src in spec.sources:
        if not Path(src).is_file():
            raise BuildError(f"{spec.name}: source {src} not found")
    h = hashlib.sha256()
    for path in _inputs(spec, target):
        h.update(str(path).encode())
        h.update(Path(path).read_bytes())
    # the exact command (with a placeholder output) and the compiler version
    h.update(json.dumps([command_lines(spec, target, Path("OUT.elf")), gcc_version()]).encode())
    digest = h.hexdigest()[:16]
    out_dir = BUILD_DIR / target.name / f"{spec.name}-{digest}"
    elf = out_dir / "firmware.elf"
    manifest_path = out_dir / "manifest.json"
    if elf.is_file() and manifest_path.is_file():
        return BuildResult(elf, json.loads(manifest_path.read_text()), cached=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp_elf = out_dir / f"firmware.{os.getpid()}.elf"
    cmd = command_lines(spec, target, tmp_elf)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildError(f"{spec.name} for {target.name}: {_first_error(proc.stderr)}")
    os.replace(tmp_elf, elf)
    tmp_map = tmp_elf.with_suffix(".map")
    if tmp_map.exists():
        os.replace(tmp_map, elf.with_suffix(".map"))
    manifest = {"name": spec.name, "target": target.name, "toolchain": gcc_version(),
                "opt": spec.opt, "defines": list(spec.defines), "cflags": CPU_FLAGS + BASE_CFLAGS
                + list(spec.cflags), "ldflags": LDFLAGS, "sources": [str(s) for s in spec.sources],
                "hash": digest}
    manifest_path.write_text(json.dumps(manifest, indent=2))
    return BuildResult(elf, manifest)


def _first_error(stderr: str) -> str:
    """The one line that says why a build failed (an overflowing region first)."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    for ln in lines:
        if "overflowed by" in ln:
            return ln.split(": ", 1)[-1] if "ld" in ln else ln
    for ln in lines:
        if "error" in ln:
            return ln
    return lines[-1] if lines else "build failed"
