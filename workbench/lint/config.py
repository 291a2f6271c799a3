"""Lint configuration: ``[tool.workbench.lint]`` in pyproject.toml and inline suppressions.

Why pyproject.toml: it is where ruff, pytest and mypy already read theirs, so a
team reviews lint settings in the same file. Why suppressions live in SQL
comments on the object (``COMMENT ON ... IS '... workbench-lint:
disable=rule-id'``): the reason for an exception belongs next to the object, it
survives introspection (comments are part of the model), and it shows up in
the generated documentation where the next reader will see it.

Example::

    [tool.workbench.lint]
    enable = ["table-comment-required"]          # opt-in rules ("all" for every rule)
    disable = ["char-column"]
    severity = { "missing-timestamp-columns" = "warning" }
    exclude = { "missing-timestamp-columns" = ["public.audit_log"],
                "plaintext-secret-column" = ["public.users.password_hash"] }
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from workbench.errors import WorkbenchError
from workbench.lint._core import RULES, SEVERITIES, Finding

#: ``workbench-lint: disable=rule-a, rule-b`` (or ``disable=all``) inside a comment.
SUPPRESSION = re.compile(r"workbench-lint:\s*disable\s*=\s*([A-Za-z0-9_,\- ]+)")

_KEYS = ("enable", "disable", "severity", "exclude")


class LintConfigError(WorkbenchError):
    """The lint configuration names an unknown rule or severity, or has the wrong shape."""


@dataclass(frozen=True)
class LintConfig:
    """Which rules run, at which severity, and what they leave alone.

    ``exclude`` maps a rule id (or ``"*"`` for every rule) to object patterns:
    ``public.audit_log`` (a table and everything in it), ``public.users.password_hash``
    (a column or a table-scoped object), shell wildcards allowed
    (``public.payment_p*``); the schema may be left out for ``public``
    (``audit_log``).
    """

    enable: frozenset[str] = frozenset()
    disable: frozenset[str] = frozenset()
    severity: Mapping[str, str] = field(default_factory=dict)
    exclude: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = "<defaults>"  # where the settings came from, for error messages

    def __post_init__(self) -> None:
        known = set(RULES)
        for where, ids in (
            ("enable", self.enable - {"all"}),
            ("disable", self.disable - {"all"}),
            ("severity", set(self.severity)),
            ("exclude", set(self.exclude) - {"*"}),
        ):
            unknown = sorted(set(ids) - known)
            if unknown:
                raise LintConfigError(
                    f"{self.source}: [tool.workbench.lint] {where} names unknown rule(s) "
                    f"{', '.join(unknown)}; known rules: {', '.join(sorted(known))}"
                )
        for rule_id, sev in self.severity.items():
            if sev not in SEVERITIES:
                raise LintConfigError(
                    f"{self.source}: [tool.workbench.lint] severity of {rule_id} is {sev!r}; "
                    f"use one of {', '.join(SEVERITIES)}"
                )

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, source: str = "<mapping>") -> LintConfig:
        """Build from the ``[tool.workbench.lint]`` table (already parsed)."""
        extra = sorted(set(data) - set(_KEYS))
        if extra:
            raise LintConfigError(
                f"{source}: [tool.workbench.lint] has unknown key(s) {', '.join(extra)}; "
                f"expected {', '.join(_KEYS)}"
            )
        return cls(
            enable=frozenset(_str_list(data.get("enable", []), "enable", source)),
            disable=frozenset(_str_list(data.get("disable", []), "disable", source)),
            severity=dict(_str_map(data.get("severity", {}), "severity", source)),
            exclude={
                k: tuple(_str_list(v, f"exclude.{k}", source))
                for k, v in _table(data.get("exclude", {}), "exclude", source).items()
            },
            source=source,
        )

    @classmethod
    def from_pyproject(cls, path: str | Path = "pyproject.toml") -> LintConfig:
        """Read ``[tool.workbench.lint]`` from ``path``; defaults when the table is absent."""
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise LintConfigError(
                f"{p}: no such file (pass --config PATH to a pyproject.toml)"
            ) from None
        except tomllib.TOMLDecodeError as exc:
            raise LintConfigError(f"{p}: not valid TOML: {exc}") from None
        section = data.get("tool", {}).get("workbench", {}).get("lint", {})
        return cls.from_mapping(section, source=str(p))

    # -- decisions ---------------------------------------------------------

    def is_enabled(self, rule_id: str) -> bool:
        rule = RULES[rule_id]
        if rule_id in self.disable or ("all" in self.disable and rule_id not in self.enable):
            return False
        return rule.default_enabled or rule_id in self.enable or "all" in self.enable

    def severity_of(self, rule_id: str) -> str:
        return self.severity.get(rule_id, RULES[rule_id].severity)

    def is_excluded(self, finding: Finding) -> bool:
        patterns = (*self.exclude.get(finding.rule_id, ()), *self.exclude.get("*", ()))
        if not patterns:
            return False
        names = _candidate_names(finding)
        return any(fnmatchcase(name, pattern) for pattern in patterns for name in names)


def suppressed_ids(comment: str | None) -> frozenset[str]:
    """Rule ids a comment disables (``all`` included verbatim)."""
    if not comment:
        return frozenset()
    ids: set[str] = set()
    for m in SUPPRESSION.finditer(comment):
        ids.update(part.strip() for part in m.group(1).split(",") if part.strip())
    return frozenset(ids)


def _candidate_names(finding: Finding) -> list[str]:
    names = [finding.object_name]
    if finding.table:
        names.append(finding.table)
        if finding.column:
            names.append(f"{finding.table}.{finding.column}")
    # "public." may be left out of a pattern.
    names += [n.removeprefix("public.") for n in names if n.startswith("public.")]
    return names


def _table(value: Any, key: str, source: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise LintConfigError(
            f"{source}: [tool.workbench.lint] {key} must be a table, got {value!r}"
        )
    return value


def _str_list(value: Any, key: str, source: str) -> Iterable[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LintConfigError(
            f"{source}: [tool.workbench.lint] {key} must be a list of strings, got {value!r}"
        )
    return value


def _str_map(value: Any, key: str, source: str) -> Mapping[str, str]:
    table = _table(value, key, source)
    if not all(isinstance(v, str) for v in table.values()):
        raise LintConfigError(
            f"{source}: [tool.workbench.lint] {key} values must be strings, got {dict(table)!r}"
        )
    return table
