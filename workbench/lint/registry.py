"""Every rule, loaded once: importing the rule modules registers them in :data:`RULES`."""

from __future__ import annotations

from workbench.lint import (  # noqa: F401 - imported for their @rule registrations
    rules_conventions,
    rules_keys,
    rules_relations,
    rules_security,
    rules_types,
)
from workbench.lint._core import RULES, Rule

#: The order rule families appear in the catalogue and in reports.
FAMILIES = ("keys", "types", "conventions", "naming", "security", "relations", "documentation")


def all_rules() -> tuple[Rule, ...]:
    """Every registered rule, by family then registration order."""
    order = {f: i for i, f in enumerate(FAMILIES)}
    return tuple(sorted(RULES.values(), key=lambda r: order.get(r.family, len(order))))


def get_rule(rule_id: str) -> Rule:
    """The rule called ``rule_id`` (KeyError lists the known ids)."""
    try:
        return RULES[rule_id]
    except KeyError:
        raise KeyError(f"no lint rule {rule_id!r}; known: {', '.join(sorted(RULES))}") from None
