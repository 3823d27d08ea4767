"""A project's own Python, named in its files as "package.module:function".

References and input generators may live in the user's repository. They are imported
with the project's python_path folders on sys.path; anything that goes wrong while
importing (a missing module, a syntax error, a name that is not a function) is one line
naming the file and key that asked for it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from mcubench.base.errors import ConfigError
from mcubench.base.project import current


def is_function_spec(text: str) -> bool:
    return ":" in text


def load_function(spec: str, where: str) -> Callable:
    """The function `spec` ("package.module:function") names, or a one-line error."""
    module, _, name = spec.partition(":")
    if not module or not name or not all(p.isidentifier() for p in (*module.split("."), *name.split("."))):
        raise ConfigError(f"{where}: {spec!r} is not 'package.module:function'")
    current().import_path()
    try:
        obj = importlib.import_module(module)
        for part in name.split("."):
            obj = getattr(obj, part)
    except AttributeError:
        raise ConfigError(f"{where}: module {module!r} has no {name!r}") from None
    except Exception as exc:  # the user's module failed to import: say how, in one line
        raise ConfigError(f"{where}: cannot import {module!r} ({type(exc).__name__}: {exc})") from None
    if not callable(obj):
        raise ConfigError(f"{where}: {spec!r} is not a function")
    return obj
