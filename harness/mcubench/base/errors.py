"""Errors that end as one line on stderr and exit code 2, never a traceback.

Every failure the user can cause (a bad ELF, a firmware fault, a malformed suite
file) is a McubenchError whose str() is the one line to print.
"""


class McubenchError(Exception):
    """A user-facing error: str(err) is the complete one-line message."""


class ElfError(McubenchError):
    """The file is not an ELF mcubench can run (broken, foreign, wrong target)."""


class BuildError(McubenchError):
    """The cross-compiler or linker failed."""


class ConfigError(McubenchError):
    """A target, suite or benchmark file is malformed or names something unknown."""


class FirmwareFault(McubenchError):
    """The emulated firmware did something a Cortex-M0+ would fault or hang on.

    kind: 'unmapped read', 'unaligned access', 'stack overflow', 'cycle limit', ...
    pc, where ('func+0x12'), address (of the data access, if any), backtrace (list of
    'func+off' strings, innermost first), detail (extra words for the message).
    """

    def __init__(self, kind, pc, where, address=None, backtrace=(), detail=""):
        self.kind = kind
        self.pc = pc
        self.where = where
        self.address = address
        self.backtrace = list(backtrace)
        self.detail = detail
        super().__init__(self._format())

    def _format(self):
        parts = [f"firmware fault: {self.kind}"]
        if self.detail:
            parts[0] += f" {self.detail}"
        parts.append(f"at pc=0x{self.pc:08x} ({self.where})")
        if self.address is not None:
            parts.append(f"address=0x{self.address:08x}")
        if self.backtrace:
            parts.append("backtrace: " + " <- ".join(self.backtrace))
        return ", ".join(parts)


class Interrupted(McubenchError):
    """A run stopped (Ctrl-C, SIGTERM, --timeout) before every job finished; `finished`
    holds what did, and the command exits with `exit_code` after writing it."""

    def __init__(self, message: str, finished: list, exit_code: int):
        super().__init__(message)
        self.finished, self.exit_code = finished, exit_code
