"""What ``workbench export`` wrote, what failed and what it warns about.

Why a result and not an exception: the exports are independent files. A
failure in one (the document's sample seeding, Alembic, sqlacodegen, Graphviz)
must not cost the others, so :func:`workbench.export.doc_collect.write_all`
runs each artifact on its own, records a located :class:`ArtifactFailure`
(which artifact, why) and goes on. The CLI prints every path written, then
raises :class:`ExportIncomplete` (exit 2) naming the failures.

Other checks join by appending to :attr:`ExportResult.warnings` (for example
objects the schema holds that no export can carry): warnings are printed but do
not change the exit code.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from workbench.errors import WorkbenchError


@dataclass(frozen=True, slots=True)
class ArtifactFailure:
    """One artifact (``models.py``, ``schema.md: Sample Data``, ...) that could not be made."""

    artifact: str
    reason: str

    def __str__(self) -> str:
        return f"{self.artifact}: {self.reason}"


@dataclass
class ExportResult:
    """Paths written, artifacts that failed, and warnings, in the order they happened."""

    written: list[Path] = field(default_factory=list)
    failures: list[ArtifactFailure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def __iter__(self) -> Iterator[Path]:
        """Iterate the written paths (what ``write_all`` returned before it had failures)."""
        return iter(self.written)

    def __len__(self) -> int:
        return len(self.written)

    def fail(self, artifact: str, exc: BaseException | str) -> ArtifactFailure:
        """Record that ``artifact`` failed because of ``exc`` (one line, the exception's type)."""
        failure = ArtifactFailure(artifact, describe(exc))
        self.failures.append(failure)
        return failure

    def raise_for_failures(self) -> None:
        if self.failures:
            raise ExportIncomplete(self.failures)


class ExportIncomplete(WorkbenchError):
    """Some artifacts of ``workbench export`` failed; the others were written."""

    def __init__(self, failures: list[ArtifactFailure]) -> None:
        self.failures = list(failures)
        names = ", ".join(f.artifact for f in self.failures)
        count = len(self.failures)
        lines = [
            f"{count} export artifact{'' if count == 1 else 's'} failed ({names}); "
            "everything else was written:"
        ]
        lines += [f"  {f}" for f in self.failures]
        super().__init__("\n".join(lines))


def describe(exc: BaseException | str) -> str:
    """One readable line: ``TypeName: message`` (PostgreSQL's primary message, SQLSTATE, hint)."""
    if isinstance(exc, str):
        return exc
    diag = getattr(exc, "diag", None)
    text = " ".join(str(exc).split())
    if diag is not None and getattr(diag, "message_primary", None):
        text = diag.message_primary
        if getattr(diag, "context", None):
            text += f" (context: {' '.join(diag.context.split())})"
        if getattr(diag, "message_hint", None):
            text += f"; hint: {diag.message_hint}"
        if getattr(diag, "sqlstate", None):
            text += f" [SQLSTATE {diag.sqlstate}]"
    if isinstance(exc, WorkbenchError):
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


__all__ = ["ArtifactFailure", "ExportIncomplete", "ExportResult", "describe"]
