"""Cross-compile C firmware for a target into an ELF, rebuilding only on change.

Every build links the shared startup and entry with the benchmark's sources under the
target's linker script, for Cortex-M0+ (-mcpu=cortex-m0plus -mthumb), -Os unless the
benchmark says otherwise, with section garbage collection. The output directory is
named by a hash of everything that goes in (sources, headers, the full command line,
linker script, compiler version), so an unchanged build is reused and a changed one never is. A
manifest.json beside the ELF records what went in. Each source compiles to its own
object, cached by content, flags and headers, so a large shared source (CMSIS-DSP's
tables) is compiled once for every benchmark that links it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from mcubench.base.errors import BuildError
from mcubench.base.paths import FIRMWARE_DIR
from mcubench.base.project import Project, current
from mcubench.build.stack_usage import STACK_FILE, merge_su
from mcubench.build.toolchain import gcc_version, tool
from mcubench.chip.targets import Target

COMMON = FIRMWARE_DIR / "common"
INCLUDE = FIRMWARE_DIR / "include"
CPU_FLAGS = ["-mcpu=cortex-m0plus", "-mthumb", "-mfloat-abi=soft"]
BASE_CFLAGS = ["-std=c11", "-Wall", "-Wextra", "-ffunction-sections", "-fdata-sections", "-fno-common", "-g"]
# Analysis only (the code is the same with or without it): each object's .su file, the
# frames `mcubench inspect --all` reports. Not part of the recorded flags.
ANALYSIS_FLAGS = ["-fstack-usage"]
CXX_SUFFIXES = (".cc", ".cpp")
CXX_FLAGS = ["-fno-exceptions", "-fno-rtti", "-fno-threadsafe-statics", "-fno-use-cxa-atexit"]
LDFLAGS = ["-nostartfiles", "--specs=nano.specs", "-Wl,--gc-sections", "-lm"]


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
    bench_main: bool = True  # the shared main() of the benchmark contract (apps bring their own)


@dataclass
class BuildResult:
    elf: Path
    manifest: dict = field(default_factory=dict)
    cached: bool = False

    @property
    def warnings(self) -> list[str]:
        return self.manifest.get("warnings", [])


def _headers(spec: BuildSpec) -> list[Path]:
    files = []
    for d in sorted({INCLUDE, COMMON, *spec.include_dirs, *(Path(s).parent for s in spec.sources)}):
        files += sorted(Path(d).glob("*.h"))
    return files


def _compile_flags(spec: BuildSpec) -> list[str]:
    includes = [f"-I{d}" for d in (INCLUDE, *spec.include_dirs)]
    return [*CPU_FLAGS, spec.opt, *BASE_CFLAGS, *spec.cflags, *(f"-D{d}" for d in spec.defines), *includes]


def _digest(*parts) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else str(part).encode())
        h.update(b"\0")
    return h.hexdigest()[:16]


def _compile(src: Path, flags: list[str], headers_digest: str, build_dir: Path) -> Path:
    """One object, cached by the source, the flags, the headers and the compiler. C++
    sources (third-party ones: the TFLite Micro front end) get g++ without exceptions
    or RTTI, as firmware builds them."""
    src = Path(src)
    compiler = "gcc"
    if src.suffix in CXX_SUFFIXES:
        compiler = "g++"
        flags = [("-std=c++17" if f == "-std=c11" else f) for f in flags] + CXX_FLAGS
    key = _digest(src, src.read_bytes(), json.dumps(flags + ANALYSIS_FLAGS), headers_digest, gcc_version())
    obj = build_dir / "obj" / f"{src.stem}-{key}.o"
    if obj.is_file() and obj.with_suffix(".warn").is_file():
        return obj
    obj.parent.mkdir(parents=True, exist_ok=True)
    tmp = obj.with_suffix(f".{os.getpid()}.tmp.o")
    proc = subprocess.run(
        [tool(compiler), *flags, *ANALYSIS_FLAGS, "-c", str(src), "-o", str(tmp)],
        capture_output=True,
        text=True,
    )
    su = tmp.with_name(tmp.stem + ".su")  # gcc names it after the object: x.PID.tmp.su
    if proc.returncode != 0:
        tmp.unlink(missing_ok=True)
        su.unlink(missing_ok=True)
        raise BuildError(f"{src.name}: {_first_error(proc.stderr)}")
    if su.exists():
        os.replace(su, obj.with_suffix(".su"))
    # kept beside the object, so a cached build reports its warnings too
    warnings = [ln for ln in proc.stderr.splitlines() if ": warning: " in ln]
    obj.with_suffix(".warn").write_text("".join(w + "\n" for w in warnings))
    os.replace(tmp, obj)
    return obj


def warnings_of(objects) -> list[str]:
    """The compiler's warning lines for these objects, as file:line: warning: text."""
    out = []
    for obj in objects:
        warn = Path(obj).with_suffix(".warn")
        if warn.is_file():
            out += warn.read_text().splitlines()
    return out


def build(spec: BuildSpec, target: Target, project: Project | None = None) -> BuildResult:
    """The ELF, in `project`'s build folder (by default the current project's)."""
    build_dir = (project or current()).build_dir
    for src in spec.sources:
        if not Path(src).is_file():
            raise BuildError(f"{spec.name}: source {src} not found")
    flags = _compile_flags(spec)
    headers_digest = _digest(*[p.read_bytes() for p in _headers(spec)])
    sources = list(spec.sources)
    if spec.with_entry:
        sources += [COMMON / "startup.c"] + ([COMMON / "entry.c"] if spec.bench_main else [])
    objects = [_compile(src, flags, headers_digest, build_dir) for src in sources]
    link = [
        *CPU_FLAGS,
        f"-L{COMMON}",
        f"-T{target.linker_script}",
        *LDFLAGS,
        *([] if spec.with_entry else ["-Wl,--no-gc-sections", "-Wl,-e,0"]),
    ]
    digest = _digest(
        *[o.name for o in objects],
        json.dumps(link),
        gcc_version(),
        target.linker_script.read_bytes(),
        (COMMON / "mcubench_sections.ld").read_bytes(),
    )
    out_dir = build_dir / target.name / f"{spec.name}-{digest}"
    elf = out_dir / "firmware.elf"
    manifest_path = out_dir / "manifest.json"
    if elf.is_file() and manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text())
        if "warnings" in manifest:
            return BuildResult(elf, manifest, cached=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp_elf = out_dir / f"firmware.{os.getpid()}.elf"
    proc = subprocess.run(
        [
            tool("gcc"),
            *map(str, objects),
            *link,
            f"-Wl,-Map={tmp_elf.with_suffix('.map')}",
            "-o",
            str(tmp_elf),
        ],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise _link_error(spec, target, proc.stderr)
    os.replace(tmp_elf, elf)
    tmp_map = tmp_elf.with_suffix(".map")
    if tmp_map.exists():
        os.replace(tmp_map, elf.with_suffix(".map"))
    manifest = {
        "name": spec.name,
        "target": target.name,
        "toolchain": gcc_version(),
        "opt": spec.opt,
        "defines": list(spec.defines),
        "cflags": CPU_FLAGS + BASE_CFLAGS + list(spec.cflags),
        "ldflags": LDFLAGS,
        "sources": [str(s) for s in spec.sources],
        "hash": digest,
        "warnings": warnings_of(objects),
    }
    manifest_path.write_text(json.dumps(manifest, indent=2))
    (out_dir / STACK_FILE).write_text(json.dumps(merge_su(objects), indent=1))
    return BuildResult(elf, manifest)


class DoesNotFit(BuildError):
    """The linker ran out of a memory region: a measured figure, not a crash."""

    def __init__(self, message: str, target: str, region: str, over_bytes: int):
        super().__init__(message)
        self.target, self.region, self.over_bytes = target, region, over_bytes


def _link_error(spec: BuildSpec, target: Target, stderr: str) -> BuildError:
    m = re.search(r"region `?(\w+)'? overflowed by (\d+) bytes", stderr)
    if m:
        region = {"FLASH": "flash", "RAM": "RAM"}.get(m.group(1), m.group(1))
        return DoesNotFit(
            f"{spec.name} does not fit {target.name}: {m.group(2)} bytes over {region}",
            target.name,
            region,
            int(m.group(2)),
        )
    return BuildError(f"{spec.name} for {target.name}: {_first_error(stderr)}")


def _first_error(stderr: str) -> str:
    """The one line that says why a build failed (an overflowing region first)."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    for ln in lines:
        if "overflowed by" in ln:
            return ln.split(": ", 1)[-1] if "ld" in ln else ln
    for ln in lines:
        if "undefined reference" in ln:
            return ln.split(": ", 1)[-1] if ": " in ln else ln
    for ln in lines:
        if "error" in ln:
            return ln
    return lines[-1] if lines else "build failed"
