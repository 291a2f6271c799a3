"""Vectorised generation of one table's rows (pyarrow arrays, one per column).

Order inside a table: foreign keys (parent keys picked with Zipf skew, fan-out or
without replacement for one-to-one), key columns (sequences, uuids, unique strings),
then the other columns by name/type with CHECK hints, cross-column orderings
(``updated_at >= created_at``), composite-unique repair, self-references as trees,
nulls, and finally every CHECK is evaluated and violations repaired or reported.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from workbench.model import Column, Constraint, Schema, Table
from workbench.seed import columns as gen
from workbench.seed.checks import Hints, Unsupported, add_hints, compile_check
from workbench.seed.errors import SeedError, override_hint
from workbench.seed.plan import SeedPlan, TablePlan
from workbench.seed.shape import Sql, Weighted
from workbench.seed.shipped import Shipped
from workbench.seed.vocab import Pools

_TEMPORAL = ("timestamp with time zone", "timestamp without time zone", "date")
_TYPE_ALIASES = {"int4": "integer", "int8": "bigint", "int2": "smallint", "bpchar": "character"}


@dataclass
class TableData:
    """Generated rows of one table; ``sql_defaults`` are Sql overrides applied during COPY."""

    name: str
    columns: dict[str, pa.Array]
    rows: int
    sql_defaults: dict[str, str] = field(default_factory=dict)
    deferred: dict[str, pa.Array] = field(default_factory=dict)  # cycle-breaking FK columns
    #: rows the table held before the seed (kept; children may point at them)
    shipped: Shipped | None = None
    #: columns made slice by slice as they are sent (big tables; see :class:`LazyColumns`)
    lazy: LazyColumns | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """Every column the rows carry, in the table's order (the COPY column list)."""
        if self.lazy is None:
            return tuple(self.columns)
        made = set(self.lazy.columns)
        return tuple(c for c in self.lazy.table_order if c in self.columns or c in made)

    def batches(self) -> Iterator[dict[str, pa.Array]]:
        """The rows as column dicts of at most one slice each (all of them when not lazy).

        Why: a 3 M-row table of free text is ~1 GB of arrays; made and sent a slice at a
        time, a seed's memory stays flat at any scale. Slices are deterministic, so the
        rows can be iterated again (a binary COPY falling back to CSV does).
        """
        if self.lazy is None:
            yield self.columns
            return
        names = self.names
        for start in range(0, self.rows, self.lazy.slice_rows):
            stop = min(start + self.lazy.slice_rows, self.rows)
            made = self.lazy.make(start, stop)
            yield {
                c: made[c] if c in made else self.columns[c].slice(start, stop - start)
                for c in names
            }

    def materialized(self) -> TableData:
        """The same rows with every column whole (for callers that want arrays, not slices)."""
        if self.lazy is None:
            return self
        parts = list(self.batches())
        columns = {c: pa.concat_arrays([p[c] for p in parts]) for c in self.names}
        return TableData(
            self.name,
            columns,
            self.rows,
            dict(self.sql_defaults),
            dict(self.deferred),
            self.shipped,
        )

    @property
    def key_rows(self) -> int:
        """Rows a child's foreign key may pick from: shipped ones first, then generated."""
        return self.rows + (self.shipped.rows if self.shipped else 0)

    def key_column(self, name: str) -> pa.Array:
        """A referenced column over :attr:`key_rows` (shipped values, then generated)."""
        if not self.shipped:
            return self.columns[name]
        before = self.shipped.columns.get(name)
        if before is None:
            raise SeedError(f"the shipped rows' column {name} was not read", table=self.name)
        if not self.rows:
            return before
        return pa.concat_arrays([before.cast(self.columns[name].type), self.columns[name]])


@dataclass
class LazyColumns:
    """Columns of a big table that no other row depends on, made per slice of rows.

    ``make(start, stop)`` returns ``columns`` for rows ``start:stop`` (the same values
    every time it is asked); ``table_order`` is the order of every column of the table,
    so the eager ones (a cycle's foreign key, filled in later, too) fall in place.
    """

    columns: tuple[str, ...]
    table_order: tuple[str, ...]
    slice_rows: int
    make: Callable[[int, int], dict[str, pa.Array]]


#: rows per slice of a table's free columns; a table this size or smaller is made whole
SLICE_ROWS = 1 << 18

#: a row's creation time, by name, first found wins: the row's other dates follow it
_CREATED = ("created_at", "created_on", "created", "create_date", "inserted_at")
#: where no column says "created": the time the row's story starts (pagila's
#: ``rental_date`` before its ``return_date``)
_STARTED = (
    "registered_at",
    "signed_up_at",
    "signup_date",
    "joined_at",
    "opened_at",
    "issued_at",
    "ordered_at",
    "order_date",
    "rental_date",
    "invoice_date",
    "started_at",
    "start_date",
    "start_time",
)
#: dates that do not follow the row's creation (a person is born before signing up)
_NOT_EVENTS = re.compile(r"birth|^dob$|born|^since$|valid_from|effective_from")


def base_type(
    schema: Schema, column: Column
) -> tuple[str, tuple[Constraint, ...], tuple[str, ...] | None]:
    """(type without typmod with domains resolved, domain CHECKs, enum labels or None)."""
    checks: tuple[Constraint, ...] = ()
    type_name = column.type
    ref = column.type_ref
    for _ in range(5):
        if column.type_kind == "enum" or any(e.qualified_name == ref for e in schema.enums):
            labels = next((e.values for e in schema.enums if e.qualified_name == ref), None)
            return "enum", checks, labels
        domain = next((d for d in schema.domains if d.qualified_name == ref), None)
        if domain is None:
            break
        checks += domain.checks
        type_name, ref = domain.base_type, None
        for other in schema.domains + tuple(schema.enums):  # type: ignore[operator]
            if other.name == type_name.strip('"'):
                ref = other.qualified_name
    base = re.sub(r"\(.*\)", "", type_name).strip().removeprefix("public.")
    if column.is_array and not base.endswith("[]"):
        base += "[]"
    return _TYPE_ALIASES.get(base, base), checks, None


#: columns an address may be derived from (the person's name in the same row)
_NAME_SOURCES = ("display_name", "full_name", "contact_name", "user_name", "author", "name")


def domain_length(schema: Schema, column: Column) -> int | None:
    """The ``varchar(n)``/``char(n)`` length a column's domain (or its domain's domain) sets."""
    ref = column.type_ref
    for _ in range(5):
        domain = next((d for d in schema.domains if d.qualified_name == ref), None)
        if domain is None:
            return None
        m = re.search(
            r"(?:char(?:acter)?(?: varying)?|varchar|bpchar)\s*\((\d+)\)", domain.base_type
        )
        if m:
            return int(m.group(1))
        ref = next(
            (d.qualified_name for d in schema.domains if d.name == domain.base_type.strip('"')),
            None,
        )
    return None


def zipf_choice(rng: np.random.Generator, parents: int, n: int, skew: float) -> np.ndarray:
    """Parent row indices where a few parents get most children (rank^-skew over a permutation)."""
    if parents == 0:
        return np.zeros(0, np.int64)
    if skew <= 0:
        return rng.integers(0, parents, n)
    weights = 1.0 / np.arange(1, parents + 1) ** skew
    cdf = np.cumsum(weights)
    ranks = np.searchsorted(cdf, rng.random(n) * cdf[-1])
    return rng.permutation(parents)[np.minimum(ranks, parents - 1)]


def _unique_sets(table: Table, *, partial: bool = False) -> list[tuple[str, ...]]:
    """Column sets that must be unique: constraints and unique indexes on plain columns.

    ``partial=False``: the sets that hold for every row; ``partial=True``: the column
    sets of partial unique indexes (unique only where their predicate holds; see
    :func:`_partial_uniques`).
    """
    sets = (
        []
        if partial
        else [c.columns for c in table.constraints if c.kind in ("primary_key", "unique")]
    )
    for index in table.indexes:
        if index.unique and not index.constraint and bool(index.predicate) == partial:
            cols = tuple(c for c in index.columns if c) or tuple(
                c.name
                for c in table.columns
                if any(re.search(rf"\b{re.escape(c.name)}\b", k) for k in index.keys)
            )
            if cols:
                sets.append(cols)
    return list(dict.fromkeys(sets))


def _partial_uniques(table: Table) -> list[tuple[tuple[str, ...], str]]:
    """(columns, predicate) of each partial unique index."""
    out = []
    for index in table.indexes:
        if index.unique and not index.constraint and index.predicate:
            cols = tuple(c for c in index.columns if c)
            if cols and len(cols) == len(index.columns):
                out.append((cols, index.predicate))
    return out


def _letters(nums: np.ndarray) -> pa.Array:
    """Distinct fixed-width lowercase strings for distinct non-negative ints (base 26).

    A suffix for columns whose CHECK admits no digit (``^[a-z]+$``).
    """
    n = len(nums)
    top = int(nums.max()) if n else 0
    width = 1
    while 26**width <= top:
        width += 1
    digits = np.empty((n, width), np.uint8)
    rest = nums.astype(np.int64).copy()
    for i in range(width - 1, -1, -1):
        digits[:, i] = 97 + rest % 26
        rest //= 26
    return (
        pa.FixedSizeBinaryArray.from_buffers(
            pa.binary(width), n, [None, pa.py_buffer(digits.tobytes())]
        )
        .cast(pa.binary())
        .cast(pa.string())
    )


def _digits(nums: np.ndarray) -> pa.Array:
    """Distinct fixed-width (zero-padded) decimal strings for distinct non-negative ints."""
    width = len(str(int(nums.max()))) if len(nums) else 1
    return pc.utf8_lpad(pc.cast(pa.array(nums.astype(np.int64)), pa.string()), width, "0")


def with_nulls(values: pa.Array, mask: np.ndarray) -> pa.Array:
    """``values`` with NULL where ``mask`` is set, sharing the data buffers.

    Why not ``if_else``: it copies the whole column (a 3 M-row text column is hundreds
    of MB); only the validity bitmap needs to change.
    """
    if (
        isinstance(values, pa.ChunkedArray)
        or values.offset
        or pa.types.is_nested(values.type)
        or pa.types.is_dictionary(values.type)
    ):
        return pc.if_else(pa.array(mask), pa.scalar(None, values.type), values)
    valid = ~mask
    if values.null_count:
        valid &= values.is_valid().to_numpy(zero_copy_only=False)
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little").tobytes())
    return pa.Array.from_buffers(values.type, len(values), [bitmap, *values.buffers()[1:]])


def _put(values: pa.Array, rows: np.ndarray, replacement: pa.Array) -> pa.Array:
    """``values`` with the entries at ``rows`` replaced by ``replacement`` (in order)."""
    mask = np.zeros(len(values), bool)
    mask[rows] = True
    where = np.full(len(values), 0, np.int64)
    where[rows] = np.arange(len(rows))
    spread = replacement.take(pa.array(where))
    return pc.if_else(pa.array(mask), spread, values)


def _rank_in_group(codes: np.ndarray) -> np.ndarray:
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    starts = np.r_[0, np.flatnonzero(sorted_codes[1:] != sorted_codes[:-1]) + 1]
    run_start = np.repeat(starts, np.diff(np.r_[starts, len(codes)]))
    rank = np.empty(len(codes), np.int64)
    rank[order] = np.arange(len(codes)) - run_start
    return rank


def _codes(arrays: list[pa.Array]) -> np.ndarray:
    if not arrays:
        return np.zeros(0, np.int64)
    n = len(arrays[0])
    code = np.zeros(n, np.int64)
    for arr in arrays:
        enc = (
            pc.dictionary_encode(arr).combine_chunks()
            if isinstance(arr, pa.ChunkedArray)
            else pc.dictionary_encode(arr)
        )
        idx = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64) + 1
        code = code * (len(enc.dictionary) + 1) + idx
        _, code = np.unique(code, return_inverse=True)
    return code


class TableGenerator:
    """Generates one planned table; parents' key columns come from ``done``."""

    def __init__(
        self,
        schema: Schema,
        seed_plan: SeedPlan,
        tp: TablePlan,
        done: dict[str, TableData],
        pools: Pools,
        seed: int,
        shipped: Shipped | None = None,
        top_up: bool = False,
        *,
        referenced: frozenset[str] = frozenset(),
        slice_rows: int = SLICE_ROWS,
    ):
        self.schema, self.plan, self.tp, self.done, self.pools = schema, seed_plan, tp, done, pools
        self.shipped, self.top_up = shipped, top_up
        self.seed, self.slice_rows = seed, max(int(slice_rows), 1)
        self.referenced = referenced  # columns children's foreign keys copy from
        self.table = tp.table
        self.shape = seed_plan.shape
        self.rng = np.random.Generator(np.random.PCG64([seed, *tp.name.encode()]))
        self.hints = Hints()
        self.checks: list[tuple[Constraint, str | None]] = []
        for check in self.table.check_constraints:
            self.checks.append((check, None))
            if check.expression:
                add_hints(self.hints, check.expression)
        self.types: dict[str, tuple[str, tuple[str, ...] | None]] = {}
        for col in self.table.columns:
            base, domain_checks, labels = base_type(schema, col)
            self.types[col.name] = (base, labels)
            limit = domain_length(schema, col)
            if limit is not None and limit < self.hints.max_length.get(col.name, limit + 1):
                self.hints.max_length[col.name] = limit
            for check in domain_checks:
                self.checks.append((check, col.name))
                if check.expression:
                    add_hints(self.hints, check.expression, value_column=col.name)
        self.unique_sets = _unique_sets(self.table)
        self.partial = _partial_uniques(self.table)
        self._compiled: list[tuple[Constraint, Any, frozenset[str]]] | None = None
        self.single_unique = {s[0] for s in self.unique_sets if len(s) == 1}
        self.unique_by_construction: set[str] = set()

    # -- helpers ------------------------------------------------------------------------
    def _err(
        self, message: str, column: str | None = None, constraint: str | None = None
    ) -> SeedError:
        return SeedError(
            message,
            table=self.tp.name,
            column=column,
            constraint=constraint,
            hint=override_hint(self.tp.name, column),
        )

    def _ctx(self, col: Column, unique: bool = False) -> gen.Ctx:
        base, labels = self.types[col.name]
        return gen.Ctx(
            self.tp.name,
            col,
            base,
            self.hints,
            self.pools,
            self.rng,
            self.shape.window,
            unique,
            labels,
        )

    def _override(self, col: Column, n: int) -> pa.Array | None:
        ov = self.shape.override(self.tp.name, col.name)
        if ov is None or isinstance(ov, Sql):
            return None
        if isinstance(ov, Weighted):
            p = None
            if ov.weights:
                w = np.asarray(ov.weights, float)
                p = w / w.sum()
            idx = self.rng.choice(len(ov.values), n, p=p)
            values = [ov.values[i] for i in idx]
        else:
            values = ov(self.rng, n)
        arr = (
            values
            if isinstance(values, pa.Array)
            else pa.array(list(values) if not isinstance(values, np.ndarray) else values)
        )
        if len(arr) != n:
            raise self._err(f"override returned {len(arr)} values, expected {n}", col.name)
        return arr

    # -- the stages -----------------------------------------------------------------------
    def row_count(self) -> tuple[int, np.ndarray | None, str | None]:
        ts = self.tp.shape
        if self.shipped is not None and not self.top_up:
            return 0, None, None  # the shipped rows are left as they are
        if ts.per is None:
            have = self.shipped.rows if self.shipped else 0
            return max(self.tp.rows - have, 0), None, None
        parent = self.plan.table(ts.per).name
        parent_rows = self.done[parent].key_rows
        counts = self.rng.integers(ts.min, ts.max + 1, parent_rows)
        return int(counts.sum()), np.repeat(np.arange(parent_rows), counts), parent

    def generate(self) -> TableData:
        n, fanout_idx, fanout_parent = self.row_count()
        data: dict[str, pa.Array] = {}
        parent_idx: dict[str, np.ndarray] = {}
        out = TableData(self.tp.name, data, n, shipped=self.shipped)
        fk_columns = {c for fk in self.tp.foreign_keys for c in fk.columns}
        self_fks = [fk for fk in self.tp.foreign_keys if fk.ref_table == self.tp.name]

        # 1. foreign keys to other tables
        for fk in self.tp.foreign_keys:
            if fk.ref_table == self.tp.name:
                continue
            parent = self.done.get(fk.ref_table)
            deferred = (self.tp.name, fk.name) in self.plan.deferred
            if deferred:
                continue  # filled by fill_deferred() once the parent exists
            if parent is None:
                raise self._err(
                    f"parent table {fk.ref_table} has no generated rows", fk.columns[0], fk.name
                )
            n = min(n, self._cap_for_fk(fk, parent.key_rows)) if fanout_idx is None else n
            if parent.key_rows == 0 and not all(self.table.column(c).nullable for c in fk.columns):
                n = 0  # a parent asked to stay empty: so do its required children
            idx = self._parent_rows(
                fk, parent.key_rows, n, fanout_idx if fk.ref_table == fanout_parent else None
            )
            parent_idx[fk.name] = idx
        for name in parent_idx:  # a later FK may have lowered the count
            parent_idx[name] = parent_idx[name][:n]
        self._redraw_duplicate_pairs(parent_idx, fk_columns, fanout_parent)
        for fk in self.tp.foreign_keys:
            if fk.name in parent_idx:
                parent = self.done[fk.ref_table]
                idx = pa.array(parent_idx[fk.name])
                for c, rc in zip(fk.columns, fk.ref_columns, strict=False):
                    data[c] = parent.key_column(rc).take(idx)
        out.rows = n
        if fanout_idx is not None and len(fanout_idx) != n:
            raise self._err(
                "fan-out and a one-to-one foreign key disagree; give the table a row count instead"
            )
        # junction-like composite keys made only of FK columns: drop duplicate pairs
        self._dedupe(data, n, only_fk=True, fk_columns=fk_columns, out=out)
        n = out.rows

        # 2. the other columns
        pending = [
            c
            for c in self.table.columns
            if c.name not in data and c.generated is None and c.name not in fk_columns
        ]
        ordered = self._order_columns(pending)
        free = self._free_columns(ordered, fk_columns)
        for col in ordered:
            ov = self.shape.override(self.tp.name, col.name)
            if isinstance(ov, Sql):
                out.sql_defaults[col.name] = ov.expression
                continue
            if col.name in free:
                continue  # made last, per slice of rows (step 7)
            values = self._override(col, n)
            if values is None:
                values = self._column_values(col, n, data)
            if values is None:
                if col.default is not None or col.nullable or col.identity:
                    continue  # PostgreSQL fills it (default) or it stays NULL
                raise self._err(f"type {col.type!r} is beyond the generator", col.name)
            data[col.name] = values
        # composite uniques with a free column: make that column unique within its group
        self._unique_within_groups(data, fk_columns)
        self._dedupe(data, n, only_fk=False, fk_columns=fk_columns, out=out)
        n = out.rows

        # 3. nulls (coupled columns: exactly one of num_nonnulls(a, b) = 1)
        self._apply_nulls(data, n, fk_columns)
        # 4. every CHECK holds, or we say which one does not
        self._enforce_checks(data, n)
        # 5. partial unique indexes, among the rows their predicate selects; what a
        #    repair could not make unique (and any rare suffix collision) is dropped
        touched = self._repair_partial_uniques(data)
        if touched:
            self._enforce_checks(data, n, only=touched)
        self._drop_shipped_collisions(data, out)
        n = out.rows
        self._dedupe(data, n, only_fk=False, fk_columns=fk_columns, out=out, final=touched)
        n = out.rows

        # 6. self-references as trees: a row's parent is an earlier row
        for fk in self_fks:
            nullable = any(self.table.column(c).nullable for c in fk.columns)
            idx = (self.rng.random(n) * np.arange(n)).astype(np.int64)
            roots = self.rng.random(n) < 0.35 if nullable else np.zeros(n, bool)
            if n:
                roots[0] = nullable
            if not nullable and n:
                idx[0] = 0
            for c, rc in zip(fk.columns, fk.ref_columns, strict=False):
                data[c] = pc.if_else(
                    pa.array(roots), pa.scalar(None, data[rc].type), data[rc].take(pa.array(idx))
                )
        if self_fks:
            self._enforce_checks(data, n, only={c for fk in self_fks for c in fk.columns})

        # 7. the free columns: no other row depends on them, so they can be made a slice
        #    at a time (a big table's text never sits in memory whole)
        free_cols = [c for c in ordered if c.name in free]
        if free_cols and n <= self.slice_rows:
            data.update(self._free_slice(free_cols, data, n, fk_columns))
        elif free_cols:
            out.lazy = self._lazy(free_cols, data, n, fk_columns)
        out.columns = {c.name: data[c.name] for c in self.table.columns if c.name in data}
        return out

    def _lazy(
        self, free_cols: list[Column], data: dict[str, pa.Array], n: int, fk_columns: set[str]
    ) -> LazyColumns:
        """The free columns of a big table as a deterministic per-slice maker.

        Slice ``i`` draws from its own stream (``seed``, table, ``i``), so any slice can be
        made again, in any order, on another thread (the COPY's), giving the same rows.
        The first slice is made here, at once: a column beyond the generator or a CHECK
        it cannot meet is reported before any row is sent.
        """
        eager = dict(data)
        first = self._slice_maker(free_cols, eager, fk_columns)
        made = first(0, min(self.slice_rows, n))
        cache: dict[int, dict[str, pa.Array]] = {0: made}

        def make(start: int, stop: int) -> dict[str, pa.Array]:
            if start == 0 and cache:
                return cache.pop(0)  # made above; later passes make it again
            return first(start, stop)

        order = tuple(c.name for c in self.table.columns)
        return LazyColumns(tuple(made), order, self.slice_rows, make)

    def _slice_maker(
        self, free_cols: list[Column], data: dict[str, pa.Array], fk_columns: set[str]
    ) -> Callable[[int, int], dict[str, pa.Array]]:
        def make(start: int, stop: int) -> dict[str, pa.Array]:
            worker = copy.copy(self)  # its own random stream; the rest is read-only
            worker.rng = np.random.Generator(
                np.random.PCG64([self.seed, *self.tp.name.encode(), 1 + start // self.slice_rows])
            )
            rows = {c: a.slice(start, stop - start) for c, a in data.items()}
            return worker._free_slice(free_cols, rows, stop - start, fk_columns)

        return make

    def _free_slice(
        self, free_cols: list[Column], data: dict[str, pa.Array], n: int, fk_columns: set[str]
    ) -> dict[str, pa.Array]:
        """Values, NULLs and CHECK repairs of the free columns for ``n`` rows.

        ``data`` holds the same rows' other columns (a free column may follow one:
        ``updated_at`` after ``created_at``, an address from the name).
        """
        rows = dict(data)
        names = {c.name for c in free_cols}
        for col in free_cols:
            values = self._override(col, n)
            if values is None:
                values = self._column_values(col, n, rows)
            if values is None:
                if col.default is not None or col.nullable or col.identity:
                    continue  # PostgreSQL fills it (default) or it stays NULL
                raise self._err(f"type {col.type!r} is beyond the generator", col.name)
            rows[col.name] = values
        self._apply_nulls(rows, n, fk_columns, only=names)
        self._enforce_checks(rows, n, only=names)
        return {c: rows[c] for c in names if c in rows}

    def _free_columns(self, ordered: list[Column], fk_columns: set[str]) -> set[str]:
        """Columns no other row constrains and no structural column depends on.

        Structural: foreign keys and what children copy from, every column of a full or
        partial unique key (and its predicate), exclusion constraints, the partition key,
        user overrides (a callable is asked for the whole column), and, closed over, every
        column a CHECK ties to a structural one, an ordering's lesser side, the creation
        time of a structural timestamp and the name an address is made from. The rest are
        row-local: made per slice, each slice's CHECKs proven on its own.
        """
        keep: set[str] = set(fk_columns) | set(self.referenced)
        keep.update(c for cols in self.unique_sets for c in cols)
        for cols, predicate in self.partial:
            keep.update(cols)
            try:
                keep.update(compile_check(predicate)[1])
            except Unsupported:
                return set()  # a predicate beyond us: the table is made whole
        for con in self.table.constraints:
            if con.kind == "exclude":
                keep.update(con.columns)
        names = [c.name for c in self.table.columns]
        key = self.table.partition_key or ""
        keep.update(c for c in names if re.search(rf"\b{re.escape(c)}\b", key))
        keep.update(c for c in names if self.shape.override(self.tp.name, c) is not None)
        ties: list[frozenset[str]] = []
        for check, value_column in self.checks:
            try:
                ties.append(compile_check(check.expression or "", value_column=value_column)[1])
            except Unsupported:
                ties.append(frozenset(check.columns or ((value_column,) if value_column else ())))
        ties += [frozenset(g) for g in self.hints.exactly_one]
        while True:
            before = len(keep)
            for tie in ties:
                if tie & keep:
                    keep |= tie
            keep.update(lesser for greater, lesser, _strict in self.hints.order if greater in keep)
            creation = self._creation_column()
            if creation and any(
                self.types.get(c, ("",))[0] in _TEMPORAL and c != creation for c in keep
            ):
                keep.add(creation)
            if any("mail" in c for c in keep):
                keep.update(("first_name", "last_name", *_NAME_SOURCES))
            if len(keep) == before:
                return {c.name for c in ordered} - keep

    def _redraw_duplicate_pairs(
        self, parent_idx: dict[str, np.ndarray], fk_columns: set[str], fanout_parent: str | None
    ) -> None:
        """Junction-like keys (a UNIQUE made of foreign keys) get the row count asked for.

        Skewed picks repeat popular pairs (a popular task with a popular tag), and each
        repeat would be dropped, leaving the table well short of its count (150,000 task
        tags asked, 104,717 kept). Rows whose pair was seen before draw their parents
        again: skewed at first, uniformly after a few rounds, so that a nearly full pair
        space still fills; whatever still repeats after that is dropped by ``_dedupe``.
        The fan-out parent, if any, keeps its rows (its counts are the shape).
        """
        for cols in self.unique_sets:
            if len(cols) < 2 or not set(cols) <= fk_columns:
                continue
            fks = [fk for fk in self.tp.foreign_keys if fk.name in parent_idx]
            fks = [fk for fk in fks if set(fk.columns) <= set(cols)]
            if {c for fk in fks for c in fk.columns} != set(cols):
                continue  # a column of the key comes from elsewhere (self-reference, deferred)
            redraw = [fk for fk in fks if fk.ref_table != fanout_parent]
            radix = [self.done[fk.ref_table].key_rows for fk in fks]
            if not redraw or int(np.prod(radix, dtype=object)) >= 2**62:
                continue  # pairs as one int64 code; beyond that, repeats are just dropped

            def codes(rows: Any, fks: list[Any] = fks, radix: list[int] = radix) -> np.ndarray:
                code = np.zeros(len(parent_idx[fks[0].name][rows]), np.int64)
                for fk, size in zip(fks, radix, strict=True):
                    code = code * size + parent_idx[fk.name][rows]
                return code

            code = codes(slice(None))
            repeated = np.ones(len(code), bool)
            repeated[np.unique(code, return_index=True)[1]] = False
            seen = np.unique(code)  # sorted; only the rows drawn again are checked against it
            for attempt in range(16):
                todo = np.flatnonzero(repeated)
                if not len(todo):
                    break
                if attempt == 15:
                    if len(redraw) == len(fks):
                        self._fill_from_unused_pairs(parent_idx, fks, radix, seen, todo)
                    break
                skew = self.shape.skew if attempt < 4 else 0.0
                for fk in redraw:
                    rows = self.done[fk.ref_table].key_rows
                    parent_idx[fk.name][todo] = zipf_choice(self.rng, rows, len(todo), skew)
                new = codes(todo)
                at = np.minimum(np.searchsorted(seen, new), len(seen) - 1)
                fresh = np.zeros(len(new), bool)
                fresh[np.unique(new, return_index=True)[1]] = True
                fresh &= seen[at] != new
                repeated[todo[fresh]] = False
                added = np.sort(new[fresh])
                seen = np.insert(seen, np.searchsorted(seen, added), added)

    def _fill_from_unused_pairs(
        self,
        parent_idx: dict[str, np.ndarray],
        fks: list[Any],
        radix: list[int],
        seen: np.ndarray,
        todo: np.ndarray,
    ) -> None:
        """A nearly full pair space: give the repeated rows pairs nobody has, while any are left."""
        if int(np.prod(radix, dtype=object)) > 20_000_000:
            return  # a space this big does not fill up; the rare repeat is dropped
        free = np.setdiff1d(np.arange(int(np.prod(radix))), seen, assume_unique=True)
        take = min(len(free), len(todo))
        chosen = self.rng.choice(free, take, replace=False)
        for fk, rows in reversed(list(zip(fks, radix, strict=True))):
            parent_idx[fk.name][todo[:take]] = chosen % rows
            chosen = chosen // rows

    def _cap_for_fk(self, fk: Any, parent_rows: int) -> int:
        if tuple(fk.columns) in [tuple(s) for s in self.unique_sets] or (
            len(fk.columns) == 1 and fk.columns[0] in self.single_unique
        ):
            return parent_rows
        return 1 << 62

    def _parent_rows(
        self, fk: Any, parent_rows: int, n: int, fanout: np.ndarray | None
    ) -> np.ndarray:
        if fanout is not None:
            return fanout
        if parent_rows == 0:
            if n == 0 or all(self.table.column(c).nullable for c in fk.columns):
                return np.zeros(n, np.int64)
            raise self._err(
                f"parent {fk.ref_table} has no rows but the foreign key is NOT NULL",
                fk.columns[0],
                fk.name,
            )
        if self._cap_for_fk(fk, parent_rows) == parent_rows:
            return self.rng.permutation(parent_rows)[:n]
        return zipf_choice(self.rng, parent_rows, n, self.shape.skew)

    def fill_deferred(self, out: TableData, done: dict[str, TableData]) -> None:
        for fk in self.tp.foreign_keys:
            if (self.tp.name, fk.name) not in self.plan.deferred:
                continue
            parent = done[fk.ref_table]
            idx = zipf_choice(self.rng, parent.key_rows, out.rows, self.shape.skew)
            nulls = pa.array(self.rng.random(out.rows) < self.shape.null_fraction)
            for c, rc in zip(fk.columns, fk.ref_columns, strict=False):
                values = parent.key_column(rc).take(pa.array(idx))
                if self.table.column(c).nullable:
                    values = pc.if_else(nulls, pa.scalar(None, values.type), values)
                out.deferred[c] = values
                out.columns[c] = values
            out.columns = {
                c.name: out.columns[c.name] for c in self.table.columns if c.name in out.columns
            }

    def _order_columns(self, cols: list[Column]) -> list[Column]:
        """Columns another column is compared with (CHECK a > b, created_at) come first."""
        first = {lesser for _, lesser, _ in self.hints.order} | {self._creation_column()}
        names = {"first_name", "last_name", *_NAME_SOURCES}
        return sorted(cols, key=lambda c: 0 if c.name in first else 1 if c.name in names else 2)

    def _creation_column(self) -> str | None:
        """The temporal column that says when the row began (its other dates follow it)."""
        if not hasattr(self, "_creation"):
            temporal = {c for c, (base, _labels) in self.types.items() if base in _TEMPORAL}
            self._creation = next((c for c in (*_CREATED, *_STARTED) if c in temporal), None)
        return self._creation

    def _created(self, data: dict[str, pa.Array]) -> pa.Array | None:
        creation = self._creation_column()
        return data.get(creation) if creation else None

    def _column_values(self, col: Column, n: int, data: dict[str, pa.Array]) -> pa.Array | None:
        base = self.types[col.name][0]
        is_key_seq = col.identity is not None or (col.default or "").startswith("nextval(")
        unique = col.name in self.single_unique
        if base in ("smallint", "integer", "bigint") and (
            is_key_seq or (unique and not self.hints.low.get(col.name))
        ):
            self.unique_by_construction.add(col.name)
            start = 1
            before = self.shipped.columns.get(col.name) if self.shipped else None
            if before is not None and len(before) and pa.types.is_integer(before.type):
                start = max(int(pc.max(before).as_py() or 0) + 1, 1)  # clear of shipped keys
            return pa.array(np.arange(start, start + n, dtype=np.int64))
        ctx = self._ctx(col, unique)
        # orderings: greater = lesser + positive delta
        for greater, lesser, strict in self.hints.order:
            if greater == col.name and lesser in data:
                return self._after(data[lesser], base, strict, n)
        temporal = base in ("timestamp with time zone", "timestamp without time zone", "date")
        created = self._created(data)
        partition_values = self._partition_values(col, base, n)
        if partition_values is not None:
            return partition_values
        if (
            temporal
            and created is not None
            and col.name != self._creation_column()
            and col.name not in _CREATED
            and not _NOT_EVENTS.search(col.name)
        ):
            return self._after(created, base, strict=col.name.startswith("expire"), n=n)
        values = gen.base_values(ctx, n)
        if values is None:
            return None
        if "mail" in col.name and pa.types.is_string(values.type):
            values = self._address_from_name(col, values, data)
        if base == "uuid" and ctx.enum_values is None and col.name not in self.hints.values:
            self.unique_by_construction.add(col.name)  # 122 random bits
        if (
            pa.types.is_string(values.type)
            and base not in ("uuid", "jsonb", "json", "enum")
            and not col.is_array
        ):
            tail = 0
            if unique or self._needs_unique_text(col):
                # distinct tails, placed where the column's CHECKs allow them
                fixed = self._suffixed(col.name, values, self.rng.permutation(n), data, None)
                if fixed is not None:
                    self.unique_by_construction.add(col.name)
                    return fixed
                values = gen.join(values, gen.suffix(n, self.rng))  # the CHECK will say why
                tail = len(str(n))
            if "mail" in col.name and not tail:
                return gen.fit_address(values, ctx.max_length)
            values = gen.fit_length(
                values, ctx.max_length, keep_tail=tail if ctx.max_length and tail else 0
            )
        return values

    def _address_from_name(
        self, col: Column, values: pa.Array, data: dict[str, pa.Array]
    ) -> pa.Array:
        """An address whose local part is the person's name in the same row.

        ``Anna Lee`` in ``display_name`` gives ``anna.lee@<domain>``: a row reads as one
        person. Kept only when every CHECK on the column holds for it (else the pool's
        address stays); no name column in the row, no change.
        """
        if self.shape.override(self.tp.name, col.name) is not None or col.name in self.hints.values:
            return values
        name = None
        if "first_name" in data and "last_name" in data:
            name = gen.join(data["first_name"], " ", data["last_name"])
        else:
            for source in _NAME_SOURCES:
                if source in data and pa.types.is_string(data[source].type):
                    name = data[source]
                    break
        if name is None or not pc.all(pc.match_substring(values, "@")).as_py():
            return values
        local = pc.replace_substring_regex(pc.utf8_lower(name), "[^a-z0-9]+", ".")
        local = pc.utf8_trim(local, ".")
        local = pc.if_else(pc.equal(local, ""), "user", local)
        domain = pc.list_element(pc.split_pattern(values, "@", max_splits=1), 1)
        derived = gen.fit_address(
            gen.join(pc.fill_null(local, "user"), "@", domain),
            self._ctx(col).max_length,
        )
        return derived if self._holds(col.name, derived, None, data) else values

    def _needs_unique_text(self, col: Column) -> bool:
        return False

    def _after(self, lesser: pa.Array, base: str, strict: bool, n: int) -> pa.Array:
        if pa.types.is_timestamp(lesser.type) or pa.types.is_date(lesser.type):
            us = (
                lesser.cast(pa.timestamp("us", tz="UTC"))
                .cast(pa.int64())
                .to_numpy(zero_copy_only=False)
            )
            us = np.nan_to_num(us, nan=0).astype(np.int64) if us.dtype.kind == "f" else us
            delta = (
                self.rng.exponential(20 * 86400, n).astype(np.int64)
                + (86400 if strict or base == "date" else 0)
            ) * gen.US
            result = pa.array(us + delta, pa.timestamp("us", tz="UTC"))
            if base == "date":
                result = pa.array(((us + delta) // (86400 * gen.US)).astype(np.int32)).cast(
                    pa.date32()
                )
            return pc.if_else(pc.is_null(lesser), pa.scalar(None, result.type), result)
        values = lesser.cast(pa.float64()).to_numpy(zero_copy_only=False)
        return pa.array(values + self.rng.integers(1, 10, n)).cast(lesser.type, safe=False)

    def _partition_values(self, col: Column, base: str, n: int) -> pa.Array | None:
        key = self.table.partition_key or ""
        m = re.match(r"RANGE \((\w+)\)$", key)
        if not m or m.group(1) != col.name or not self.tp.partitions:
            return None
        bounds = []
        for part in self.tp.partitions:
            b = re.match(
                r"FOR VALUES FROM \('([^']+)'\) TO \('([^']+)'\)", part.partition_bound or ""
            )
            if b:
                bounds.append((b.group(1), b.group(2)))
        if not bounds:
            return None
        lo = (
            pa.array([b[0] for b in bounds])
            .cast(pa.timestamp("us", tz="UTC"))
            .cast(pa.int64())
            .to_numpy()
        )
        hi = (
            pa.array([b[1] for b in bounds])
            .cast(pa.timestamp("us", tz="UTC"))
            .cast(pa.int64())
            .to_numpy()
        )
        which = self.rng.integers(0, len(bounds), n)
        secs = (
            (lo[which] + (self.rng.random(n) * (hi[which] - lo[which] - gen.US))).astype(np.int64)
            // gen.US
            * gen.US
        )
        return pa.array(secs, pa.timestamp("us", tz="UTC"))

    def _unique_within_groups(self, data: dict[str, pa.Array], fk_columns: set[str]) -> None:
        """Composite uniques with a free column: that column made unique within its group.

        A free text column gets a distinct tail (placed where its CHECKs allow, see
        :meth:`_suffixed`); a free integer column becomes a line number within the group
        (``PRIMARY KEY (order_id, line)``: 1, 2, 3 ... from the column's lower bound).
        """
        for cols in self.unique_sets:
            if (
                len(cols) < 2
                or any(c in self.single_unique for c in cols)
                or not all(c in data for c in cols)
            ):
                continue
            free = [c for c in cols if c not in fk_columns and pa.types.is_string(data[c].type)]
            if free:
                target = free[0]
                others = [data[c] for c in cols if c != target]
                rank = _rank_in_group(_codes([*others, data[target]]))
                group_rank = _rank_in_group(_codes(others)) if others else rank
                dup = np.flatnonzero(rank > 0)
                if not len(dup):
                    continue
                fixed = self._suffixed(
                    target, data[target].take(pa.array(dup)), group_rank[dup] + 1, data, dup
                )
                if fixed is not None:
                    data[target] = _put(data[target], dup, fixed)
                continue  # else: the duplicates are dropped by _dedupe
            ints = [
                c
                for c in cols
                if c not in fk_columns
                and pa.types.is_integer(data[c].type)
                and self.shape.override(self.tp.name, c) is None
            ]
            if ints:
                target = ints[0]
                others = [data[c] for c in cols if c != target]
                group_rank = _rank_in_group(_codes(others))
                low = self.hints.low.get(target)
                start = 1
                if low is not None and not isinstance(low[0], (str, dt.date)):
                    start = int(np.floor(low[0])) + (
                        0 if low[1] and float(low[0]).is_integer() else 1
                    )
                values = start + group_rank
                high = self.hints.high.get(target)
                if high is not None and not isinstance(high[0], (str, dt.date)):
                    top = int(np.ceil(high[0])) - (
                        0 if high[1] and float(high[0]).is_integer() else 1
                    )
                    old = data[target].to_numpy(zero_copy_only=False)
                    values = np.where(values <= top, values, old)  # dropped if still repeated
                data[target] = pa.array(values).cast(data[target].type, safe=False)

    # -- uniqueness repairs, proven against the column's CHECKs ------------------------------
    def _checks_on(self, column: str) -> list[tuple[Constraint, Any, frozenset[str]]]:
        if self._compiled is None:
            self._compiled = []
            for check, value_column in self.checks:
                if not check.expression:
                    continue
                try:
                    evaluate, cols = compile_check(check.expression, value_column=value_column)
                except Unsupported:
                    continue
                self._compiled.append((check, evaluate, cols))
        return [c for c in self._compiled if column in c[2]]

    def _holds(
        self,
        column: str,
        candidate: pa.Array,
        rows: np.ndarray | None,
        data: dict[str, pa.Array],
    ) -> bool:
        """Every CHECK on ``column`` holds for ``candidate`` (its values for ``rows``, or all)."""
        limit = self._ctx(self.table.column(column)).max_length
        if limit and len(candidate) and (pc.max(pc.utf8_length(candidate)).as_py() or 0) > limit:
            return False
        if (
            self.hints.case.get(column) == "lower"
            and not pc.all(pc.equal(candidate, pc.utf8_lower(candidate))).as_py()
        ):
            return False
        idx = None if rows is None else pa.array(rows)
        for _check, evaluate, cols in self._checks_on(column):
            if any(c not in data for c in cols if c != column):
                continue  # a default fills the other column; the load proves it
            sub = {
                c: (candidate if c == column else data[c] if idx is None else data[c].take(idx))
                for c in cols
            }
            if not pc.all(pc.fill_null(evaluate(sub), True)).as_py():
                return False
        return True

    def _suffixed(
        self,
        column: str,
        values: pa.Array,
        nums: np.ndarray,
        data: dict[str, pa.Array],
        rows: np.ndarray | None,
    ) -> pa.Array | None:
        """``values`` made distinct by a tail per distinct ``nums``, placed where CHECKs allow.

        Tried in order: digits (then letters, for CHECKs that admit no digit) inside an
        address's local part (``anna.lee7@x.org``: never after the domain, which a format
        CHECK rejects), after the value with ``-``, nothing, ``_`` or a space, then before
        it. Every tail has the same width, so distinct tails give distinct values, and the
        tail survives the cut to the column's length. Each candidate is proven against
        every CHECK on the column (with the row's other columns); None when none holds.
        """
        if not len(values):
            return values
        limit = self._ctx(self.table.column(column)).max_length
        letters = _letters(nums)
        tails = [_digits(nums), letters, pc.utf8_upper(letters)]
        has_at = bool(pc.all(pc.match_substring(values, "@")).as_py())

        def candidates(tail: pa.Array) -> Iterator[pa.Array]:
            width = len(tail[0].as_py())
            if has_at:
                parts = pc.split_pattern(values, "@", max_splits=1)
                local, domain = pc.list_element(parts, 0), pc.list_element(parts, 1)
                if limit:
                    longest = pc.max(pc.utf8_length(domain)).as_py() or 0
                    local = pc.utf8_slice_codeunits(local, 0, max(limit - width - 2 - longest, 1))
                yield gen.join(local, tail, "@", domain)
                yield gen.join(local, "+", tail, "@", domain)
            for sep in ("-", "", "_", " ", "."):
                joined = gen.join(values, sep, tail)
                yield gen.fit_length(joined, limit, keep_tail=width + len(sep)) if limit else joined
            for sep in ("-", "_", ""):
                front = gen.join(tail, sep, values)
                yield pc.utf8_slice_codeunits(front, 0, limit) if limit else front
            for keep in (8, 4, 2):  # a CHECK that bounds the length ({3,12}): a shorter head
                yield gen.join(pc.utf8_slice_codeunits(values, 0, keep), tail)

        for tail in tails:
            for candidate in candidates(tail):  # built one at a time: the first usually holds
                if self._holds(column, candidate, rows, data):
                    return candidate
        return None

    def _repair_partial_uniques(self, data: dict[str, pa.Array]) -> set[str]:
        """Partial unique indexes: unique only among the rows their predicate selects.

        ``UNIQUE (organisation_id, email) WHERE accepted_at IS NULL AND revoked_at IS NULL``
        lets accepted and revoked invitations repeat an address; only pending ones need
        a distinct one. Their free text column gets a tail (:meth:`_suffixed`). Returns
        the columns it changed.
        """
        changed: set[str] = set()
        for cols, predicate in self.partial:
            if not all(c in data for c in cols):
                continue
            selected = self._selected(predicate, data)
            if selected is None:
                continue
            valid = selected.copy()
            for c in cols:
                valid &= data[c].is_valid().to_numpy(zero_copy_only=False)
            rows = np.flatnonzero(valid)
            if len(rows) < 2:
                continue
            idx = pa.array(rows)
            rank = _rank_in_group(_codes([data[c].take(idx) for c in cols]))
            dup = rows[rank > 0]
            if not len(dup):
                continue
            free = [
                c
                for c in cols
                if pa.types.is_string(data[c].type)
                and not any(c in fk.columns for fk in self.tp.foreign_keys)
            ]
            if not free:
                continue  # dropped by the final _dedupe
            target = free[-1]
            others = [c for c in cols if c != target]
            sub = pa.array(rows)
            group_rank = (
                _rank_in_group(_codes([data[c].take(sub) for c in others]))
                if others
                else np.arange(len(rows))
            )
            fixed = self._suffixed(
                target, data[target].take(pa.array(dup)), group_rank[rank > 0] + 1, data, dup
            )
            if fixed is not None:
                data[target] = _put(data[target], dup, fixed)
                changed.add(target)
        return changed

    def _selected(self, predicate: str, data: dict[str, pa.Array]) -> np.ndarray | None:
        """Rows a partial index's predicate selects (true, not NULL); None if beyond us."""
        try:
            evaluate, cols = compile_check(predicate)
        except Unsupported:
            n = len(next(iter(data.values()))) if data else 0
            return np.ones(n, bool)  # unknown predicate: unique among all rows (safe)
        if any(c not in data for c in cols):
            n = len(next(iter(data.values()))) if data else 0
            return np.ones(n, bool)
        return pc.fill_null(evaluate(data), False).to_numpy(zero_copy_only=False)

    def _dedupe(
        self,
        data: dict[str, pa.Array],
        n: int,
        *,
        only_fk: bool,
        fk_columns: set[str],
        out: TableData,
        final: set[str] | None = None,
    ) -> None:
        """Drop rows that repeat a unique key (NULLs never collide).

        ``final``: the last pass, after NULLs and CHECK repairs (which only make keys
        rarer): partial unique indexes, and full keys holding a column changed since
        the first pass (given as ``final``).
        """
        keep = np.ones(n, bool)
        for cols in self.unique_sets:
            if not all(c in data for c in cols) or (
                only_fk and not all(c in fk_columns for c in cols)
            ):
                continue
            if final is not None and not set(cols) & final:
                continue
            if len(cols) == 1 and cols[0] in self.unique_by_construction:
                continue  # a sequence, a random uuid or a suffixed string: no duplicates
            codes = _codes([data[c] for c in cols])
            keep &= (_rank_in_group(codes) == 0) | ~self._all_valid(data, cols)
        if final is not None:
            for cols, predicate in self.partial:
                if not all(c in data for c in cols):
                    continue
                selected = self._selected(predicate, data)
                if selected is None:
                    continue
                rows = np.flatnonzero(selected & self._all_valid(data, cols))
                if len(rows) < 2:
                    continue
                idx = pa.array(rows)
                rank = _rank_in_group(_codes([data[c].take(idx) for c in cols]))
                keep[rows[rank > 0]] = False
        if keep.all():
            return
        mask = pa.array(keep)
        for c in list(data):
            data[c] = data[c].filter(mask)
        out.rows = int(keep.sum())

    def _drop_shipped_collisions(self, data: dict[str, pa.Array], out: TableData) -> None:
        """Generated rows whose unique key a shipped row already has are dropped."""
        if not self.shipped or not self.shipped.rows or not out.rows:
            return
        keep = np.ones(out.rows, bool)
        for cols in self.unique_sets:
            if not all(c in data and c in self.shipped.columns for c in cols):
                continue
            try:
                both = [
                    pa.concat_arrays([self.shipped.columns[c].cast(data[c].type), data[c]])
                    for c in cols
                ]
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
                continue  # a type the shipped text does not cast to: PostgreSQL will say
            codes = _codes(both)
            taken = codes[: self.shipped.rows]
            keep &= ~np.isin(codes[self.shipped.rows :], taken)
        if keep.all():
            return
        mask = pa.array(keep)
        for c in list(data):
            data[c] = data[c].filter(mask)
        out.rows = int(keep.sum())

    @staticmethod
    def _all_valid(data: dict[str, pa.Array], cols: tuple[str, ...]) -> np.ndarray:
        """Rows where every column of the key is non-NULL (NULLs never collide)."""
        valid = np.ones(len(data[cols[0]]), bool)
        for c in cols:
            valid &= data[c].is_valid().to_numpy(zero_copy_only=False)
        return valid

    def _couple_nulls(
        self, data: dict[str, pa.Array], n: int, *, only: set[str] | None = None
    ) -> set[str]:
        """``num_nonnulls(a, b) = 1``: per row, one column of the group keeps its value.

        The others are NULLed (a NOT NULL column of the group is always the one kept);
        returns the columns so handled, which random NULLs then leave alone.
        """
        coupled: set[str] = set()
        for group in self.hints.exactly_one:
            present = [c for c in group if c in data]
            if not present or n == 0 or (only is not None and not set(present) <= only):
                continue
            required = [c for c in present if not self.table.column(c).nullable]
            if len(required) > 1:
                continue  # impossible; the CHECK names it
            keeper = (
                np.full(n, present.index(required[0]))
                if required
                else self.rng.integers(0, len(present), n)
            )
            for i, c in enumerate(present):
                if self.table.column(c).nullable:
                    data[c] = pc.if_else(
                        pa.array(keeper != i), pa.scalar(None, data[c].type), data[c]
                    )
            coupled.update(present)
        return coupled

    def _apply_nulls(
        self,
        data: dict[str, pa.Array],
        n: int,
        fk_columns: set[str],
        *,
        only: set[str] | None = None,
    ) -> None:
        """Random NULLs (the shape's fraction) on the nullable columns (``only`` these)."""
        nulls = self.tp.shape.nulls
        keys = {c for s in self.unique_sets for c in s if len(s) == 1}
        coupled = self._couple_nulls(data, n, only=only)
        for col in self.table.columns:
            if col.name not in data or not col.nullable or col.name in coupled:
                continue
            if only is not None and col.name not in only:
                continue
            if (
                col.name in self.shape.columns
                or f"{self.table.name}.{col.name}" in self.shape.columns
            ):
                continue
            if any(
                fk.ref_table == self.tp.name and col.name in fk.columns
                for fk in self.tp.foreign_keys
            ):
                continue
            fraction = nulls.get(col.name)
            if fraction is None:
                if col.name in keys and col.name not in fk_columns:
                    continue
                fraction = self.shape.null_fraction
                if re.search(
                    r"(deleted|archived|revoked|accepted|completed|cancelled|canceled)_(at|on)$",
                    col.name,
                ):
                    fraction = 0.7
            if fraction > 0:
                data[col.name] = with_nulls(data[col.name], self.rng.random(n) < fraction)

    def _enforce_checks(
        self, data: dict[str, pa.Array], n: int, only: set[str] | None = None
    ) -> None:
        """Every CHECK (or, with ``only``, those on these columns) holds, or SeedError."""
        for check, value_column in self.checks:
            if not check.expression or n == 0:
                continue
            try:
                evaluate, cols = compile_check(check.expression, value_column=value_column)
                if only is not None and not cols & only:
                    continue
            except Unsupported as exc:
                involved = check.columns or ((value_column,) if value_column else ())
                if any(self.shape.override(self.tp.name, c) is not None for c in involved):
                    continue  # the user took over that column: trust them
                raise self._err(
                    f"CHECK {check.expression} is beyond the generator ({exc})",
                    involved[0] if involved else None,
                    check.name,
                ) from None
            if any(c not in data for c in cols):
                missing = [c for c in cols if c not in data]
                if all(
                    self.table.column(c).nullable
                    or self.shape.override(self.tp.name, c) is not None
                    for c in missing
                ):
                    continue  # NULL (or the user's SQL) decides
                continue
            for _ in range(len(cols) + 1):
                result = evaluate(data)
                bad = pc.fill_null(pc.invert(result), False)
                if not pc.any(bad).as_py():
                    break
                nullable = [c for c in sorted(cols) if self.table.column(c).nullable and c in data]
                # repair: null the last nullable column involved in the violating rows
                if not nullable:
                    count = pc.sum(bad).as_py()
                    raise self._err(
                        f"{count} generated rows violate CHECK {check.expression} and no nullable column can absorb it",
                        sorted(cols)[0] if cols else None,
                        check.name,
                    )
                target = nullable[-1]
                data[target] = pc.if_else(bad, pa.scalar(None, data[target].type), data[target])
