"""Design lint: review a schema the way an experienced reviewer would.

Entry point: ``lint(schema, *, config=None) -> LintReport``. Pure: it reads only
the :class:`~workbench.model.Schema` (no database, no files), so it runs the
same in a notebook cell, in the CLI and in CI. Each rule is a function with its
documentation (``workbench/lint/rules_*.py``); ``LintConfig`` decides which run,
at which severity, and which objects they skip; ``workbench-lint: disable=...``
in a COMMENT on an object (or its table or column) silences rules for it.
"""

from __future__ import annotations

from dataclasses import replace

from workbench.lint._core import RULES, SEVERITY_RANK, Finding, Rule
from workbench.lint.config import LintConfig, LintConfigError, suppressed_ids
from workbench.lint.registry import all_rules, get_rule
from workbench.lint.report import LintReport, Location
from workbench.model import Schema


def lint(schema: Schema, *, config: LintConfig | None = None) -> LintReport:
    """Run every enabled rule over ``schema`` and return the findings, errors first."""
    config = config or LintConfig()
    comments = _comments(schema)
    ran: list[Rule] = []
    findings: list[Finding] = []
    for rule in all_rules():
        if not config.is_enabled(rule.id):
            continue
        ran.append(rule)
        severity = config.severity_of(rule.id)
        for finding in rule.check(schema, config):
            if severity != finding.severity:
                finding = replace(finding, severity=severity)
            if config.is_excluded(finding) or _suppressed(finding, comments):
                continue
            findings.append(finding)
    findings.sort(key=lambda f: (SEVERITY_RANK[f.severity], f.object_name, f.rule_id, f.message))
    return LintReport(tuple(findings), tuple(ran))


def _comments(schema: Schema) -> dict[tuple[str, str], str]:
    """Every object's comment, keyed (kind, name) the way findings name objects."""
    out: dict[tuple[str, str], str] = {}

    def put(kind: str, name: str, comment: str | None) -> None:
        if comment:
            out[(kind, name)] = comment

    for t in schema.tables:
        q = t.qualified_name
        put("table", q, t.comment)
        for c in t.columns:
            put("column", f"{q}.{c.name}", c.comment)
        for con in t.constraints:
            put("constraint", f"{q}.{con.name}", con.comment)
        for fk in t.foreign_keys:
            put("constraint", f"{q}.{fk.name}", fk.comment)
        for i in t.indexes:
            put("index", f"{t.schema}.{i.name}", i.comment)
        for tr in t.triggers:
            put("trigger", f"{q}.{tr.name}", tr.comment)
        for p in t.policies:
            put("policy", f"{q}.{p.name}", p.comment)
    for v in schema.views:
        put("view", v.qualified_name, v.comment)
        put("table", v.qualified_name, v.comment)
        for c in v.columns:
            put("column", f"{v.qualified_name}.{c.name}", c.comment)
    for e in schema.enums:
        put("enum", e.qualified_name, e.comment)
    for d in schema.domains:
        put("domain", d.qualified_name, d.comment)
    for n in schema.namespaces:
        put("schema", n.name, n.comment)
    return out


def _suppressed(finding: Finding, comments: dict[tuple[str, str], str]) -> bool:
    kind = "constraint" if finding.object_kind == "foreign_key" else finding.object_kind
    keys = [(kind, finding.object_name)]
    if finding.table:
        keys.append(("table", finding.table))
        if finding.column:
            keys.append(("column", f"{finding.table}.{finding.column}"))
    for key in keys:
        ids = suppressed_ids(comments.get(key))
        if finding.rule_id in ids or "all" in ids:
            return True
    return False


__all__ = [
    "RULES",
    "Finding",
    "LintConfig",
    "LintConfigError",
    "LintReport",
    "Location",
    "Rule",
    "all_rules",
    "get_rule",
    "lint",
]
