"""Where the example schema (``sql/``) and its queries (``queries/``) are.

One copy is maintained: the repository's ``sql/`` and ``queries/``. A built
package carries them as ``workbench/_example/{sql,queries}``, copied there by the
build step in ``setup.py``, so ``workbench demo`` works from any folder after
``pip install``. An editable install or a source checkout has no such copy and
reads the repository's folders beside the package.
"""

from __future__ import annotations

from pathlib import Path

from workbench.errors import WorkbenchError

#: The folders the example consists of, as the repository and the package name them.
PARTS = ("sql", "queries")
PACKAGED = Path(__file__).with_name("_example")
REPOSITORY = Path(__file__).resolve().parent.parent


def example_dir(part: str) -> Path:
    """The example's ``sql`` or ``queries`` folder: the packaged copy, else the repository's."""
    if part not in PARTS:
        raise ValueError(f"no example part {part!r}; known: {', '.join(PARTS)}")
    for candidate in (PACKAGED / part, REPOSITORY / part):
        if candidate.is_dir() and any(candidate.glob("*.sql")):
            return candidate
    raise WorkbenchError(
        f"the example schema is not installed ({PACKAGED / part} and {REPOSITORY / part} are "
        "missing); reinstall the workbench, or pass --sql DIR"
    )
