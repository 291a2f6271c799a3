"""The result of a lint run and its renderings: DataFrame, HTML, text, JSON and SARIF.

Why one object with several renderers: a notebook wants a table it can filter,
a terminal wants ``file:line: rule-id message`` lines editors jump to, and code
review tools want SARIF 2.1.0. All of them render the same findings, and where
a finding's object is defined in the SQL sources is decided by a ``locate``
callable (see :mod:`workbench.lint.locate`) so the report itself stays pure.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from workbench.htmltable import code, table
from workbench.lint._core import SEVERITIES, Finding, Rule

if TYPE_CHECKING:
    import pandas as pd

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_COLOURS = {"error": "#b91c1c", "warning": "#b45309", "info": "#1d4ed8"}


@dataclass(frozen=True, slots=True)
class Location:
    """Where an object is defined: a file and a 1-based line (and column)."""

    path: str
    line: int
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


Locate = Callable[[Finding], Location | None]


@dataclass(frozen=True)
class LintReport:
    """Findings of one lint run plus the rules that ran (for SARIF rule metadata)."""

    findings: tuple[Finding, ...]
    rules: tuple[Rule, ...] = ()

    def __len__(self) -> int:
        return len(self.findings)

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def counts(self) -> dict[str, int]:
        """Number of findings per severity (every severity present, zeros included)."""
        c = Counter(f.severity for f in self.findings)
        return {s: c.get(s, 0) for s in SEVERITIES}

    def by_rule(self, rule_id: str) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.rule_id == rule_id)

    def summary(self) -> str:
        c = self.counts
        return f"{len(self.findings)} finding(s): {c['error']} error(s), {c['warning']} warning(s), {c['info']} info"

    # -- notebook ----------------------------------------------------------

    def to_frame(self) -> pd.DataFrame:
        """One row per finding (columns: severity, rule_id, object_kind, object_name, message, fix, table, column)."""
        import pandas as pd

        columns = [
            "severity",
            "rule_id",
            "object_kind",
            "object_name",
            "message",
            "fix",
            "table",
            "column",
        ]
        return pd.DataFrame([asdict(f) for f in self.findings], columns=columns)

    def _repr_html_(self) -> str:
        # inline styles only: an untrusted notebook drops <style> and right-aligns cells
        rows = [
            [
                f"<span style='color:{_COLOURS[f.severity]};font-weight:bold'>{f.severity}</span>",
                code(f.rule_id),
                html.escape(f.object_name),
                html.escape(f.message),
                code(f.fix),
            ]
            for f in self.findings
        ]
        if not rows:
            rows = [["no findings", "", "", "", ""]]
        head = ["severity", "rule", "object", "message", "fix"]
        return (
            f"<div><p><b>Lint:</b> {html.escape(self.summary())}</p>"
            f"{table(head, rows, align='nnn')}</div>"
        )

    # -- text ----------------------------------------------------------------

    def to_text(self, locate: Locate | None = None) -> str:
        """``file:line: rule-id message [severity]`` per finding (object name when not located),
        located findings in file order, then a summary line."""
        located: list[tuple[tuple, str]] = []
        for i, f in enumerate(self.findings):
            loc = locate(f) if locate else None
            where = str(loc) if loc else f.object_name
            key = (0, loc.path, loc.line, i) if loc else (1, "", 0, i)
            located.append((key, f"{where}: {f.rule_id} {f.message} [{f.severity}]"))
        lines = [text for _, text in sorted(located, key=lambda x: x[0])]
        lines.append(self.summary())
        return "\n".join(lines) + "\n"

    # -- machine-readable --------------------------------------------------------

    def to_json(self, locate: Locate | None = None, *, indent: int | None = 2) -> str:
        """``{"summary": {...}, "findings": [{..., "location": {...} | null}]}``."""
        items = []
        for f in self.findings:
            item: dict[str, Any] = asdict(f)
            loc = locate(f) if locate else None
            item["location"] = asdict(loc) if loc else None
            items.append(item)
        return (
            json.dumps(
                {"summary": self.counts, "findings": items}, indent=indent, ensure_ascii=False
            )
            + "\n"
        )

    def to_sarif(self, locate: Locate | None = None, *, indent: int | None = 2) -> str:
        """SARIF 2.1.0: one run, the rules that ran as ``tool.driver.rules``, one result per finding."""
        from workbench import __version__

        rules = list(self.rules) or _rules_of(self.findings)
        index = {r.id: i for i, r in enumerate(rules)}
        results = []
        for f in self.findings:
            result: dict[str, Any] = {
                "ruleId": f.rule_id,
                "level": _SARIF_LEVEL[f.severity],
                "message": {"text": f.message + (f" Fix: {f.fix}" if f.fix else "")},
                "locations": [_sarif_location(f, locate(f) if locate else None)],
            }
            if f.rule_id in index:
                result["ruleIndex"] = index[f.rule_id]
            results.append(result)
        doc = {
            "$schema": SARIF_SCHEMA,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "workbench-lint",
                            "version": __version__,
                            "rules": [_sarif_rule(r) for r in rules],
                        }
                    },
                    "results": results,
                }
            ],
        }
        return json.dumps(doc, indent=indent, ensure_ascii=False) + "\n"


def _rules_of(findings: tuple[Finding, ...]) -> list[Rule]:
    from workbench.lint._core import RULES

    seen = dict.fromkeys(f.rule_id for f in findings)
    return [RULES[r] for r in seen if r in RULES]


def _sarif_rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.split("-")),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.explanation},
        "help": {"text": rule.explanation},
        "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
        "properties": {"tags": [rule.family]},
    }


def _sarif_location(f: Finding, loc: Location | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "logicalLocations": [{"fullyQualifiedName": f.object_name, "kind": f.object_kind}],
    }
    if loc:
        out["physicalLocation"] = {
            "artifactLocation": {"uri": loc.path.replace("\\", "/")},
            "region": {"startLine": loc.line, "startColumn": loc.column},
        }
    return out
