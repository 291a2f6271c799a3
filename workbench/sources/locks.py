"""How many locks a one-transaction load holds at its commit, estimated from its statements.

Why: a load runs in one transaction, and PostgreSQL keeps every relation lock until the
commit. The lock table has ``max_locks_per_transaction x max_connections`` slots (shared
by all sessions, so one transaction may use them all); 1,500 partitioned tables with 3
partitions and 4 indexes each hold about 75,000. psql, committing statement by statement,
never notices. The estimate counts what each statement creates: a table brings a TOAST
table and its index, an index on a partitioned table exists once per partition, a
partition inherits its parent's indexes. Measured on that schema (pg_locks before the
commit): 6.3 locks per statement; the estimate gives 7.5 (see benchmarks/bench_load.py).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable

_NAME = r'((?:"[^"]+"|[\w$]+)(?:\.(?:"[^"]+"|[\w$]+))?)'
_CREATE_TABLE = re.compile(
    rf"^\s*CREATE\s+(?:(?:GLOBAL|LOCAL|TEMP|TEMPORARY|UNLOGGED)\s+)*TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?{_NAME}",
    re.I,
)
_PARTITION_OF = re.compile(rf"\bPARTITION\s+OF\s+{_NAME}", re.I)
_CREATE_INDEX = re.compile(
    rf"^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\b[^;]*?\bON\s+(?:ONLY\s+)?{_NAME}", re.I | re.S
)
_ALTER_TABLE = re.compile(rf"^\s*ALTER\s+TABLE\s+(?:ONLY\s+)?(?:IF\s+EXISTS\s+)?{_NAME}", re.I)
_KEY = re.compile(r"\b(PRIMARY\s+KEY|UNIQUE|EXCLUDE)\b", re.I)
_FOREIGN = re.compile(r"\b(FOREIGN\s+KEY|REFERENCES)\b", re.I)
_ATTACH = re.compile(rf"\bATTACH\s+PARTITION\s+{_NAME}", re.I)


def _norm(name: str) -> str:
    parts = [
        p[1:-1] if p.startswith('"') else p.lower() for p in re.findall(r'"[^"]+"|[^.]+', name)
    ]
    return ".".join(parts[1:] if len(parts) == 2 and parts[0] == "public" else parts)


def estimate_locks(statements: Iterable[str]) -> int:
    """Relation locks the statements hold together when run in one transaction."""
    partitions: defaultdict[str, int] = defaultdict(int)
    indexes: defaultdict[str, int] = defaultdict(int)
    total = 0
    for text in statements:
        if m := _CREATE_TABLE.match(text):
            name = _norm(m.group(1))
            keys = len(_KEY.findall(text))
            locks = 3 + 2 * keys + len(_FOREIGN.findall(text))
            if p := _PARTITION_OF.search(text):
                parent = _norm(p.group(1))
                partitions[parent] += 1
                keys += indexes[parent]
                locks += 1 + 2 * indexes[parent]
            indexes[name] = keys
            total += locks
        elif m := _CREATE_INDEX.match(text):
            name = _norm(m.group(1))
            total += 2 * (1 + partitions[name])
            indexes[name] += 1
        elif m := _ALTER_TABLE.match(text):
            name = _norm(m.group(1))
            fan = 1 + partitions[name]
            keys = len(_KEY.findall(text))
            total += fan * (1 + 2 * keys + len(_FOREIGN.findall(text)))
            indexes[name] += keys
            if _ATTACH.search(text):
                partitions[name] += 1
                total += 1 + 2 * indexes[name]
        else:
            total += 1
    return total


def lock_settings(statements: Iterable[str], max_connections: int = 100) -> dict[str, str]:
    """``max_locks_per_transaction`` for a local server that loads these statements.

    Only ever raises PostgreSQL's default of 64, with a quarter for margin, in steps of 64.
    """
    needed = estimate_locks(statements) * 1.25
    per_connection = math.ceil(needed / max_connections / 64) * 64
    return {"max_locks_per_transaction": str(per_connection)} if per_connection > 64 else {}
