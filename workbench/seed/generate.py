"""Vectorised generation of one table's rows (pyarrow arrays, one per column).

Order inside a table: foreign keys (parent keys picked with Zipf skew, fan-out or
without replacement for one-to-one), key columns (sequences, uuids, unique strings),
then the other columns by name/type with CHECK hints, cross-column orderings
(``updated_at >= created_at``), composite-unique repair, self-references as trees,
nulls, and finally every CHECK is evaluated and violations repaired or reported.
"""

from __future__ import annotations

import re
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
from workbench.seed.vocab import Pools

_TYPE_ALIASES = {"int4": "integer", "int8": "bigint", "int2": "smallint", "bpchar": "character"}


@dataclass
class TableData:
    """Generated rows of one table; ``sql_defaults`` are Sql overrides applied during COPY."""

    name: str
    columns: dict[str, pa.Array]
    rows: int
    sql_defaults: dict[str, str] = field(default_factory=dict)
    deferred: dict[str, pa.Array] = field(default_factory=dict)  # cycle-breaking FK columns


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


def _unique_sets(table: Table) -> list[tuple[str, ...]]:
    sets = [c.columns for c in table.constraints if c.kind in ("primary_key", "unique")]
    for index in table.indexes:
        if index.unique and not index.constraint:
            cols = tuple(c for c in index.columns if c) or tuple(
                c.name
                for c in table.columns
                if any(re.search(rf"\b{re.escape(c.name)}\b", k) for k in index.keys)
            )
            if cols:
                sets.append(cols)
    return list(dict.fromkeys(sets))


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
    ):
        self.schema, self.plan, self.tp, self.done, self.pools = schema, seed_plan, tp, done, pools
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
            for check in domain_checks:
                self.checks.append((check, col.name))
                if check.expression:
                    add_hints(self.hints, check.expression, value_column=col.name)
        self.unique_sets = _unique_sets(self.table)
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
        if ts.per is None:
            return self.tp.rows, None, None
        parent = self.plan.table(ts.per).name
        parent_rows = self.done[parent].rows
        counts = self.rng.integers(ts.min, ts.max + 1, parent_rows)
        return int(counts.sum()), np.repeat(np.arange(parent_rows), counts), parent

    def generate(self) -> TableData:
        n, fanout_idx, fanout_parent = self.row_count()
        data: dict[str, pa.Array] = {}
        parent_idx: dict[str, np.ndarray] = {}
        out = TableData(self.tp.name, data, n)
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
            n = min(n, self._cap_for_fk(fk, parent.rows)) if fanout_idx is None else n
            idx = self._parent_rows(
                fk, parent.rows, n, fanout_idx if fk.ref_table == fanout_parent else None
            )
            parent_idx[fk.name] = idx
        self._redraw_duplicate_pairs(parent_idx, fk_columns, fanout_parent)
        for fk in self.tp.foreign_keys:
            if fk.name in parent_idx:
                parent = self.done[fk.ref_table]
                idx = pa.array(parent_idx[fk.name])
                for c, rc in zip(fk.columns, fk.ref_columns, strict=False):
                    data[c] = parent.columns[rc].take(idx)
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
        for col in ordered:
            ov = self.shape.override(self.tp.name, col.name)
            if isinstance(ov, Sql):
                out.sql_defaults[col.name] = ov.expression
                continue
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

        # 3. self-references as trees: a row's parent is an earlier row
        for fk in self_fks:
            nullable = any(self.table.column(c).nullable for c in fk.columns)
            idx = (self.rng.random(n) * np.arange(n)).astype(np.int64)
            roots = self.rng.random(n) < 0.35 if nullable else np.zeros(n, bool)
            roots[0] = nullable
            if not nullable:
                idx[0] = 0
            for c, rc in zip(fk.columns, fk.ref_columns, strict=False):
                data[c] = pc.if_else(
                    pa.array(roots), pa.scalar(None, data[rc].type), data[rc].take(pa.array(idx))
                )

        # 4. nulls
        self._apply_nulls(data, n, fk_columns)
        # 5. every CHECK holds, or we say which one does not
        self._enforce_checks(data, n)
        out.columns = {c.name: data[c.name] for c in self.table.columns if c.name in data}
        return out

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
            radix = [self.done[fk.ref_table].rows for fk in fks]
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
                    rows = self.done[fk.ref_table].rows
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
            if all(self.table.column(c).nullable for c in fk.columns):
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
            idx = zipf_choice(self.rng, parent.rows, out.rows, self.shape.skew)
            nulls = pa.array(self.rng.random(out.rows) < self.shape.null_fraction)
            for c, rc in zip(fk.columns, fk.ref_columns, strict=False):
                values = parent.columns[rc].take(pa.array(idx))
                if self.table.column(c).nullable:
                    values = pc.if_else(nulls, pa.scalar(None, values.type), values)
                out.deferred[c] = values
                out.columns[c] = values
            out.columns = {
                c.name: out.columns[c.name] for c in self.table.columns if c.name in out.columns
            }

    def _order_columns(self, cols: list[Column]) -> list[Column]:
        """Columns another column is compared with (CHECK a > b, created_at) come first."""
        first = {lesser for _, lesser, _ in self.hints.order} | {
            "created_at",
            "created_on",
            "create_date",
            "created",
        }
        return sorted(cols, key=lambda c: 0 if c.name in first else 1)

    def _created(self, data: dict[str, pa.Array]) -> pa.Array | None:
        for name in ("created_at", "created_on", "created", "create_date", "inserted_at"):
            if name in data:
                return data[name]
        return None

    def _column_values(self, col: Column, n: int, data: dict[str, pa.Array]) -> pa.Array | None:
        base = self.types[col.name][0]
        is_key_seq = col.identity is not None or (col.default or "").startswith("nextval(")
        unique = col.name in self.single_unique
        if base in ("smallint", "integer", "bigint") and (
            is_key_seq or (unique and not self.hints.low.get(col.name))
        ):
            self.unique_by_construction.add(col.name)
            return pa.array(np.arange(1, n + 1, dtype=np.int64))
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
            and col.name not in ("created_at", "created_on", "created", "create_date")
        ):
            return self._after(created, base, strict=col.name.startswith("expire"), n=n)
        values = gen.base_values(ctx, n)
        if values is None:
            return None
        if base == "uuid" and ctx.enum_values is None and col.name not in self.hints.values:
            self.unique_by_construction.add(col.name)  # 122 random bits
        if (
            pa.types.is_string(values.type)
            and base not in ("uuid", "jsonb", "json", "enum")
            and not col.is_array
        ):
            tail = 0
            if unique or self._needs_unique_text(col):
                # distinct suffixes, kept when cut to length (not so for emails)
                if "mail" not in col.name or not ctx.max_length:
                    self.unique_by_construction.add(col.name)
                tail_values = gen.suffix(n, self.rng)
                sep = (
                    "-"
                    if any("-" in p for p, _ in self.hints.regex.get(col.name, []))
                    or "slug" in col.name
                    else ""
                )
                if "mail" in col.name:
                    parts = pc.split_pattern(values, "@", max_splits=1)
                    values = gen.join(
                        pc.list_element(parts, 0), tail_values, "@", pc.list_element(parts, 1)
                    )
                    return gen.fit_length(values, ctx.max_length)
                values = (
                    gen.join(values, sep + "" if sep else "", tail_values)
                    if sep
                    else gen.join(values, tail_values)
                )
                tail = len(str(n)) + len(sep)
            values = gen.fit_length(
                values, ctx.max_length, keep_tail=tail if ctx.max_length and tail else 0
            )
        return values

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
        for cols in self.unique_sets:
            if (
                len(cols) < 2
                or any(c in self.single_unique for c in cols)
                or not all(c in data for c in cols)
            ):
                continue
            free = [c for c in cols if c not in fk_columns and pa.types.is_string(data[c].type)]
            if not free:
                continue
            target = free[0]
            others = [data[c] for c in cols if c != target]
            rank = _rank_in_group(_codes([*others, data[target]]))
            group_rank = _rank_in_group(_codes(others)) if others else rank
            dup = rank > 0
            if not dup.any():
                continue
            limit = self._ctx(self.table.column(target)).max_length
            sep = "-" if "slug" in target or self.hints.regex.get(target) else " "
            fixed = gen.join(data[target], sep, pc.cast(pa.array(group_rank + 1), pa.string()))
            tail = len(str(int(group_rank.max()) + 1)) + 1
            fixed = gen.fit_length(fixed, limit, keep_tail=tail if limit else 0)
            data[target] = pc.if_else(pa.array(dup), fixed, data[target])

    def _dedupe(
        self,
        data: dict[str, pa.Array],
        n: int,
        *,
        only_fk: bool,
        fk_columns: set[str],
        out: TableData,
    ) -> None:
        keep = np.ones(n, bool)
        for cols in self.unique_sets:
            if not all(c in data for c in cols) or (
                only_fk and not all(c in fk_columns for c in cols)
            ):
                continue
            if len(cols) == 1 and cols[0] in self.unique_by_construction:
                continue  # a sequence, a random uuid or a suffixed string: no duplicates
            codes = _codes([data[c] for c in cols])
            keep &= _rank_in_group(codes) == 0
        if keep.all():
            return
        mask = pa.array(keep)
        for c in list(data):
            data[c] = data[c].filter(mask)
        out.rows = int(keep.sum())

    def _apply_nulls(self, data: dict[str, pa.Array], n: int, fk_columns: set[str]) -> None:
        nulls = self.tp.shape.nulls
        keys = {c for s in self.unique_sets for c in s if len(s) == 1}
        for col in self.table.columns:
            if col.name not in data or not col.nullable:
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
                mask = pa.array(self.rng.random(n) < fraction)
                data[col.name] = pc.if_else(
                    mask, pa.scalar(None, data[col.name].type), data[col.name]
                )

    def _enforce_checks(self, data: dict[str, pa.Array], n: int) -> None:
        for check, value_column in self.checks:
            if not check.expression or n == 0:
                continue
            try:
                evaluate, cols = compile_check(check.expression, value_column=value_column)
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
