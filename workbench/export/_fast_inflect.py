"""Import ``inflect`` (sqlacodegen's pluraliser) without typeguard's import-time instrumentation.

Why: inflect decorates its functions with ``typeguard.typechecked``, which rewrites and
recompiles each one when the module is imported: 4.4 s of CPU here, paid by every
``workbench export`` and ``demo`` process, against 0.04 s without it. The checks only
guard inflect's own arguments, which sqlacodegen passes as plain strings. The decorator is
replaced by a pass-through for the duration of that one import and restored after.
"""

from __future__ import annotations

import sys
from typing import Any


def preload_inflect() -> None:
    if "inflect" in sys.modules:
        return
    try:
        import typeguard
    except ImportError:  # an inflect without typeguard needs nothing
        return
    original = typeguard.typechecked

    def passthrough(target: Any = None, **_options: Any) -> Any:
        return target if target is not None else (lambda f: f)

    typeguard.typechecked = passthrough  # type: ignore[assignment]
    try:
        import inflect  # noqa: F401
    finally:
        typeguard.typechecked = original
