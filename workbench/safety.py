"""What each migration statement costs a live database, and the safe forms that cost less.

Outages during migrations come from locks, not from SQL errors: a statement
waits for (or holds) a strong lock and every query queues behind it. So every
statement :meth:`workbench.diff.SchemaDiff.migration_sql` writes is classified
here, from the statement alone and PostgreSQL's documentation ("Explicit
Locking", table-level lock modes, and the notes of ``ALTER TABLE``):

- ``metadata``: a catalog change, instant whatever the table's size;
- ``rewrite``: the table (and its indexes) is rewritten under the lock;
- ``scan``: the table is read in full while the lock is held;
- ``destructive``: data can be lost (also a rewrite or metadata for its cost).

and with the lock mode it takes on the table it names. The classification is
static (what PostgreSQL documents); :mod:`workbench.rehearse` measures it on
seeded data and its tests check the two agree.

Safe forms (:func:`safe_statements`), applied unless ``--unsafe``:

- ``CREATE INDEX`` → ``CREATE INDEX CONCURRENTLY`` (SHARE UPDATE EXCLUSIVE
  instead of SHARE: writes continue), and ``DROP INDEX`` likewise; both run
  outside a transaction block (the loader, ``psql -f`` in its default
  autocommit mode and Alembic's ``autocommit_block()`` all do that);
- ``ADD CONSTRAINT ... FOREIGN KEY`` / ``CHECK`` → ``NOT VALID`` (no scan) then
  ``VALIDATE CONSTRAINT`` (scans under SHARE UPDATE EXCLUSIVE, which blocks
  neither reads nor writes);
- ``ADD CONSTRAINT ... UNIQUE (cols)`` / ``PRIMARY KEY`` → a unique index built
  concurrently, then ``ADD CONSTRAINT ... USING INDEX`` (metadata);
- ``SET NOT NULL`` → a ``CHECK (col IS NOT NULL) NOT VALID``, validated, then
  ``SET NOT NULL`` (PostgreSQL 12+ skips the scan given the valid check), then
  the check dropped;
- ``SET lock_timeout`` / ``statement_timeout`` before every statement that takes
  a lock stronger than SHARE UPDATE EXCLUSIVE, ``RESET`` after it, so a
  statement that cannot get its lock fails fast instead of queueing every query
  behind it; retrying the migration is then safe (every form above is).

Statements on tables created by the same migration stay plain: nobody else can
be using them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Lock modes by strength (PostgreSQL's table-level lock modes, weakest first).
LOCK_MODES = (
    "ACCESS SHARE",
    "ROW SHARE",
    "ROW EXCLUSIVE",
    "SHARE UPDATE EXCLUSIVE",
    "SHARE",
    "SHARE ROW EXCLUSIVE",
    "EXCLUSIVE",
    "ACCESS EXCLUSIVE",
)
#: Locks that block plain reads (SELECT takes ACCESS SHARE).
BLOCKS_READS = {"ACCESS EXCLUSIVE"}
#: Locks that block writes (INSERT/UPDATE/DELETE take ROW EXCLUSIVE).
BLOCKS_WRITES = {"SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"}

#: Default timeouts of the safe form.
LOCK_TIMEOUT = "5s"
STATEMENT_TIMEOUT = "5min"

_NAME = r'(?:"(?:[^"]|"")+"|[\w$]+)'
_QNAME = rf"{_NAME}(?:\.{_NAME})?"


@dataclass(frozen=True, slots=True)
class Cost:
    """The documented cost of one statement."""

    lock: str  # strongest table lock mode taken on ``table`` ('' when none on a table)
    table: str  # the table the lock is on (as written in the statement), '' when none
    rewrite: bool = False
    scan: bool = False
    destructive: bool = False
    outside_transaction: bool = False
    note: str = ""

    @property
    def category(self) -> str:
        """'destructive' | 'rewrite' | 'scan' | 'metadata' (the worst that applies)."""
        if self.destructive:
            return "destructive"
        if self.rewrite:
            return "rewrite"
        if self.scan:
            return "scan"
        return "metadata"

    @property
    def blocks(self) -> str:
        """What the lock blocks while held: 'reads and writes', 'writes' or 'nothing'."""
        if self.lock in BLOCKS_READS:
            return "reads and writes"
        if self.lock in BLOCKS_WRITES:
            return "writes"
        return "nothing"

    def comment(self) -> str:
        what = {
            "metadata": "metadata-only",
            "rewrite": "table rewrite",
            "scan": "full scan",
            "destructive": "destructive",
        }[self.category]
        if self.category == "destructive" and self.rewrite:
            what += ", table rewrite"
        lock = f"; {self.lock} on {self.table}" if self.lock and self.table else ""
        blocks = f" (blocks {self.blocks})" if self.lock and self.table else ""
        note = f"; {self.note}" if self.note else ""
        outside = "; outside a transaction" if self.outside_transaction else ""
        return f"-- {what}{lock}{blocks}{outside}{note}"


def unquote(name: str) -> str:
    """``public."Users"`` → ``public.Users`` (for comparing with model names)."""
    return ".".join(p[1:-1].replace('""', '"') if p.startswith('"') else p for p in _split(name))


def _split(name: str) -> list[str]:
    return re.findall(r'"(?:[^"]|"")+"|[^.]+', name)


def _norm(stmt: str) -> str:
    """The statement without leading comments, on one line."""
    lines = [ln for ln in stmt.strip().splitlines() if not ln.strip().startswith("--")]
    return re.sub(r"\s+", " ", " ".join(lines)).strip()


# --- types: which changes PostgreSQL makes without a rewrite -------------------------------

_INTS = {"smallint": 2, "integer": 4, "bigint": 8}
_FLOATS = {"real": 4, "double precision": 8}


def _type(t: str) -> tuple[str, tuple[int, ...] | None]:
    t = re.sub(r"\s+", " ", t.strip().lower())
    t = {"int": "integer", "int4": "integer", "int8": "bigint", "int2": "smallint"}.get(t, t)
    t = re.sub(r"^varchar\b", "character varying", t)
    t = re.sub(r"^decimal\b", "numeric", t)
    m = re.fullmatch(r"(.*?)\s*\(([\d,\s]+)\)", t)
    if m:
        return m.group(1), tuple(int(x) for x in m.group(2).split(","))
    return t, None


def type_change(old: str, new: str) -> tuple[bool, bool, str]:
    """``(rewrite, lossy, why)`` of ``ALTER COLUMN ... TYPE`` from ``old`` to ``new``.

    No rewrite: varchar(n) → varchar(m ≥ n), varchar or text; text ↔ varchar;
    numeric(p, s) → numeric(p' ≥ p, s) or unconstrained numeric (PostgreSQL
    relabels binary-coercible types without touching rows). A wider integer or
    float is a rewrite that keeps every value; a narrower one, or any other
    change, is treated as lossy (values may be truncated or rejected).
    """
    (a, am), (b, bm) = _type(old), _type(new)
    texty = {"character varying", "text"}
    if a in texty and b in texty:
        if b == "text" or bm is None:
            return False, False, "widening, no rewrite"
        if a == "text" or am is None or bm[0] < am[0]:
            return True, True, f"narrowing to {new}: longer values are cut"
        return False, False, "widening, no rewrite"
    if a == b == "numeric":
        if bm is None:
            return False, False, "widening, no rewrite"
        if am is not None and len(am) == len(bm) and bm[0] >= am[0] and am[1:] == bm[1:]:
            return False, False, "widening, no rewrite"
        return True, True, f"precision or scale to {new}: values may be rounded or rejected"
    for sizes in (_INTS, _FLOATS):
        if a in sizes and b in sizes:
            if sizes[b] >= sizes[a]:
                return True, False, "widening, rewrites the table"
            return True, True, f"narrowing to {new}: large values are rejected"
    if a in _INTS and b in {*_FLOATS, "numeric"}:
        return True, False, "widening, rewrites the table"
    return True, True, f"type {old} -> {new}"


# --- classification ----------------------------------------------------------------------


def classify(stmt: str, *, old_type: str | None = None) -> Cost:
    """The documented cost of one statement (see the module docstring).

    ``old_type`` is the column's type before an ``ALTER COLUMN ... TYPE`` (the
    statement alone does not say whether it widens).
    """
    s = _norm(stmt)
    u = s.upper()

    def table(pattern: str) -> str:
        m = re.match(pattern, s, re.I)
        return m.group(1) if m else ""

    if u.startswith(("SET ", "RESET ", "COMMENT ON ", "GRANT ", "REVOKE ")) or not s:
        return Cost("", "")
    if re.match(r"CREATE (UNIQUE )?INDEX CONCURRENTLY", u):
        t = table(
            rf"CREATE (?:UNIQUE )?INDEX CONCURRENTLY (?:IF NOT EXISTS )?{_NAME} ON (?:ONLY )?({_QNAME})"
        )
        return Cost("SHARE UPDATE EXCLUSIVE", t, scan=True, outside_transaction=True,
                    note="builds the index while writes continue")  # fmt: skip
    if re.match(r"CREATE (UNIQUE )?INDEX", u):
        t = table(rf"CREATE (?:UNIQUE )?INDEX (?:IF NOT EXISTS )?{_NAME} ON (?:ONLY )?({_QNAME})")
        return Cost("SHARE", t, scan=True, note="builds the index")
    if u.startswith("DROP INDEX CONCURRENTLY"):
        return Cost("SHARE UPDATE EXCLUSIVE", table(rf"DROP INDEX CONCURRENTLY (?:IF EXISTS )?({_QNAME})"),
                    outside_transaction=True)  # fmt: skip
    if u.startswith("DROP INDEX"):
        return Cost("ACCESS EXCLUSIVE", table(rf"DROP INDEX (?:IF EXISTS )?({_QNAME})"))
    if u.startswith("DROP TABLE"):
        return Cost("ACCESS EXCLUSIVE", table(rf"DROP TABLE (?:IF EXISTS )?({_QNAME})"),
                    destructive=True, note="drops the table and its rows")  # fmt: skip
    if re.match(r"DROP (SEQUENCE|MATERIALIZED VIEW|EXTENSION|DOMAIN|TYPE)\b", u) or u.startswith(
        "-- MANUAL"
    ):
        return Cost("", "", destructive=True)
    if re.match(r"ALTER TYPE .* ADD VALUE", u):
        return Cost("", "", outside_transaction=True,
                    note="the new value is usable once committed")  # fmt: skip
    if re.match(r"ALTER TYPE .* (DROP|ALTER) ATTRIBUTE", u):
        return Cost("", "", destructive=True)
    if re.match(r"INSERT INTO", u):
        t = table(rf"INSERT INTO ({_QNAME})")
        return Cost("ROW EXCLUSIVE", t, scan=True, note="copies rows")
    if re.match(r"UPDATE ", u):
        t = table(rf"UPDATE (?:ONLY )?({_QNAME})")
        return Cost("ROW EXCLUSIVE", t, scan=True, note="updates every row")
    if re.match(r"CREATE TABLE", u):
        t = table(rf"CREATE (?:UNLOGGED )?TABLE (?:IF NOT EXISTS )?({_QNAME})")
        return Cost("ACCESS EXCLUSIVE", t, note="a new table: nobody waits for it")
    if not u.startswith("ALTER TABLE"):
        return Cost("", "")
    t = table(rf"ALTER TABLE (?:IF EXISTS )?(?:ONLY )?({_QNAME})")
    if " VALIDATE CONSTRAINT " in u:
        return Cost("SHARE UPDATE EXCLUSIVE", t, scan=True,
                    note="checks existing rows while reads and writes continue")  # fmt: skip
    if " ADD CONSTRAINT " in u and " FOREIGN KEY " in u:
        if u.endswith(" NOT VALID;") or u.endswith(" NOT VALID"):
            return Cost("SHARE ROW EXCLUSIVE", t, note="existing rows checked by VALIDATE")
        return Cost("SHARE ROW EXCLUSIVE", t, scan=True, note="checks every existing row")
    if re.search(r" ADD CONSTRAINT \S+ (UNIQUE|PRIMARY KEY) USING INDEX ", u):
        return Cost("ACCESS EXCLUSIVE", t, note="adopts the index built concurrently")
    if re.search(r" ADD CONSTRAINT \S+ (UNIQUE|PRIMARY KEY|EXCLUDE)\b", u):
        return Cost("ACCESS EXCLUSIVE", t, scan=True, note="builds the index under the lock")
    if re.search(r" ADD CONSTRAINT \S+ CHECK\b", u):
        if u.rstrip(";").endswith(" NOT VALID"):
            return Cost("ACCESS EXCLUSIVE", t, note="existing rows checked by VALIDATE")
        return Cost("ACCESS EXCLUSIVE", t, scan=True, note="checks every existing row")
    if " DROP COLUMN " in u:
        return Cost("ACCESS EXCLUSIVE", t, destructive=True, note="drops the column's data")
    if re.search(r" ALTER COLUMN \S+ (SET DATA )?TYPE ", u):
        m = re.search(r"\bTYPE (.+?)(?: COLLATE \S+)?(?: USING .*)?;?$", s, re.I)
        new = m.group(1) if m else ""
        if old_type:
            rewrite, lossy, why = type_change(old_type, new)
        else:
            rewrite, lossy, why = True, True, f"type -> {new}"
        return Cost("ACCESS EXCLUSIVE", t, rewrite=rewrite, destructive=lossy, note=why)
    if re.search(r" ALTER COLUMN \S+ SET NOT NULL", u):
        return Cost("ACCESS EXCLUSIVE", t, scan=True,
                    note="checks every row unless a valid CHECK (col IS NOT NULL) exists")  # fmt: skip
    if " ADD COLUMN " in u:
        m = re.search(r" DEFAULT (.+?)(?: NOT NULL| NULL| CHECK .*| REFERENCES .*)?;?$", s, re.I)
        if m and _volatile(m.group(1)):
            return Cost("ACCESS EXCLUSIVE", t, rewrite=True,
                        note="a volatile default is computed for every row")  # fmt: skip
        if re.search(r" GENERATED ALWAYS AS \(.*\) STORED", u):
            return Cost("ACCESS EXCLUSIVE", t, rewrite=True, note="stored generated column")
        return Cost("ACCESS EXCLUSIVE", t)
    if re.search(r" (ENABLE|DISABLE|FORCE|NO FORCE) ROW LEVEL SECURITY", u):
        return Cost("ACCESS EXCLUSIVE", t)
    if " SET LOGGED" in u or " SET UNLOGGED" in u:
        return Cost("ACCESS EXCLUSIVE", t, rewrite=True)
    if re.search(r" (INHERIT|NO INHERIT) ", u):
        return Cost("ACCESS EXCLUSIVE", t)
    if re.search(r" SET \(|RESET \(", u):
        return Cost("SHARE UPDATE EXCLUSIVE", t)
    if re.search(r" (ENABLE|DISABLE) TRIGGER ", u):
        return Cost("SHARE ROW EXCLUSIVE", t)
    # RENAME, DROP CONSTRAINT, SET/DROP DEFAULT, DROP NOT NULL, SET GENERATED, ...
    return Cost("ACCESS EXCLUSIVE", t)


#: Functions whose value differs per row (PostgreSQL evaluates a volatile default per row,
#: so ADD COLUMN with one rewrites the table; a stable or immutable default is stored once).
_VOLATILE = re.compile(
    r"\b(random|gen_random_uuid|uuid_generate_v[14]|clock_timestamp|timeofday|nextval"
    r"|txid_current|setseed|uuidv[47])\s*\(",
    re.I,
)


def _volatile(default: str) -> bool:
    return bool(_VOLATILE.search(default))


# --- safe forms --------------------------------------------------------------------------


def safe_statements(
    stmt: str, *, new_tables: frozenset[str], partitioned: frozenset[str]
) -> list[str]:
    """The statements that do what ``stmt`` does with weaker or shorter locks.

    ``new_tables`` (created by this migration) and ``partitioned`` hold unquoted
    qualified names; statements on either stay as they are (CONCURRENTLY and
    NOT VALID foreign keys do not apply to partitioned tables).
    """
    s = _norm(stmt)
    text = stmt.strip()
    cost = classify(stmt)
    name = unquote(cost.table) if cost.table else ""
    if "." not in name and name:
        name = f"public.{name}"
    if not name or name in new_tables or name in partitioned:
        return [text]
    m = re.match(rf"(CREATE (?:UNIQUE )?INDEX) ({_NAME} ON .*)$", s, re.I | re.S)
    if m and " CONCURRENTLY " not in s.upper():
        return [f"{m.group(1)} CONCURRENTLY {m.group(2)}"]
    m = re.match(rf"DROP INDEX ({_QNAME});$", s, re.I)
    if m:
        return [f"DROP INDEX CONCURRENTLY {m.group(1)};"]
    m = re.match(
        rf"(ALTER TABLE (?:ONLY )?{_QNAME}) ADD CONSTRAINT ({_NAME}) ((?:FOREIGN KEY|CHECK)\b.*?);$",
        s,
        re.I,
    )
    if m and not m.group(3).upper().endswith("NOT VALID"):
        head, cname, body = m.groups()
        return [
            f"{head} ADD CONSTRAINT {cname} {body} NOT VALID;",
            f"{head} VALIDATE CONSTRAINT {cname};",
        ]
    m = re.match(
        rf"(ALTER TABLE (?:ONLY )?({_QNAME})) ADD CONSTRAINT ({_NAME}) (UNIQUE|PRIMARY KEY) (\([^()]*\));$",
        s,
        re.I,
    )
    if m:
        head, tbl, cname, kind, cols = m.groups()
        return [
            f"CREATE UNIQUE INDEX CONCURRENTLY {cname} ON {tbl} {cols};",
            f"{head} ADD CONSTRAINT {cname} {kind.upper()} USING INDEX {cname};",
        ]
    m = re.match(
        rf"(ALTER TABLE (?:ONLY )?({_QNAME})) ALTER COLUMN ({_NAME}) SET NOT NULL;$", s, re.I
    )
    if m:
        head, tbl, col = m.groups()
        check = _check_name(unquote(tbl).rsplit(".", 1)[-1], unquote(col))
        return [
            f"{head} ADD CONSTRAINT {check} CHECK ({col} IS NOT NULL) NOT VALID;",
            f"{head} VALIDATE CONSTRAINT {check};",
            f"{head} ALTER COLUMN {col} SET NOT NULL;",
            f"{head} DROP CONSTRAINT {check};",
        ]
    return [text]


def _check_name(table: str, column: str) -> str:
    from workbench.export._sql import quote_ident

    return quote_ident(f"wb_not_null_{table}_{column}"[:63])


def needs_timeouts(cost: Cost) -> bool:
    """Whether a statement gets ``lock_timeout``/``statement_timeout`` around it."""
    return bool(cost.table) and cost.lock in BLOCKS_WRITES


def timeouts(
    lock_timeout: str = LOCK_TIMEOUT, statement_timeout: str = STATEMENT_TIMEOUT
) -> tuple[str, str]:
    """The statements before and after a locking statement (values as PostgreSQL reads them)."""
    for value in (lock_timeout, statement_timeout):
        if not re.fullmatch(r"\d+\s*(us|ms|s|min|h|d)?", value.strip()):
            from workbench.errors import WorkbenchError

            raise WorkbenchError(
                f"timeout {value!r}: expected a number with a unit, e.g. 5s or 2min"
            )
    return (
        f"SET lock_timeout = '{lock_timeout}'; SET statement_timeout = '{statement_timeout}';",
        "RESET lock_timeout; RESET statement_timeout;",
    )


__all__ = [
    "BLOCKS_READS",
    "BLOCKS_WRITES",
    "LOCK_MODES",
    "Cost",
    "classify",
    "needs_timeouts",
    "safe_statements",
    "timeouts",
    "type_change",
    "unquote",
]
