"""An app's firmware: its front end's and model's generated headers, the shared stream
code and its own sources, built for a chip (its own by default)."""

from __future__ import annotations

from pathlib import Path

from mcubench.apps.app import App
from mcubench.base.paths import FIRMWARE_DIR
from mcubench.build.compile import BuildSpec, build
from mcubench.chip.targets import load_target
from mcubench.dsp.frontend_tables import write_header
from mcubench.nn.registry import header_dir


def build_app(app: App, target_name: str | None = None) -> Path:
    """The application's ELF for a target (its own by default)."""
    target = load_target(target_name or app.target)
    includes = (
        *((write_header(app.frontend),) if app.frontend else ()),
        *((header_dir(app.model),) if app.model else ()),
        FIRMWARE_DIR / "apps",
        FIRMWARE_DIR / "dsp",
        FIRMWARE_DIR / "nn",
        *sorted({s.parent for s in app.sources}),
    )
    defines = (f"APP_EMA_ALPHA_Q15={app.alpha_q15}", f"APP_DMA_IRQN={app.dma_irqn}")
    if not app.frontend:
        defines += (f"APP_HOP={app.hop}",)
    spec = BuildSpec(
        app.name,
        app.sources,
        opt=app.opt,
        include_dirs=includes,
        bench_main=False,
        defines=defines + app.defines,
    )
    return build(spec, target).elf
