"""Turn the rows of the catalog queries into model objects (no I/O here)."""

from __future__ import annotations

import collections.abc as abc
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from workbench.export._sql import quote_ident, quote_literal
from workbench.model import (
    Cast,
    Collation,
    Column,
    CompositeType,
    Constraint,
    Domain,
    Enum,
    Extension,
    ForeignKey,
    Function,
    Grant,
    Index,
    Namespace,
    Operator,
    Policy,
    RangeType,
    Rule,
    Schema,
    Sequence,
    Table,
    TextSearchConfig,
    TextSearchDictionary,
    TextSearchMapping,
    Trigger,
    View,
)

Row = Mapping[str, Any]

_TYPTYPE = {
    "b": "base",
    "c": "composite",
    "d": "domain",
    "e": "enum",
    "p": "pseudo",
    "r": "range",
    "m": "multirange",
}
_IDENTITY = {"a": "ALWAYS", "d": "BY DEFAULT"}
_FK_ACTION = {
    "a": "NO ACTION",
    "r": "RESTRICT",
    "c": "CASCADE",
    "n": "SET NULL",
    "d": "SET DEFAULT",
}
_FK_MATCH = {"s": "SIMPLE", "f": "FULL", "p": "PARTIAL"}
_CONSTRAINT_KIND = {"p": "primary_key", "u": "unique", "c": "check", "x": "exclude"}
_POLICY_CMD = {"*": "ALL", "r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE"}
_PROKIND = {"f": "function", "p": "procedure", "a": "aggregate", "w": "window"}
_INT_RANGE = {
    "smallint": (-32768, 32767),
    "integer": (-2147483648, 2147483647),
    "bigint": (-9223372036854775808, 9223372036854775807),
}
_VARCHAR_OIDS = {1042, 1043}  # bpchar, varchar
_NUMERIC_OID = 1700


def build_schema(
    namespaces: Iterable[Row], rows: Mapping[str, abc.Sequence[Row]], *, server_version: str
) -> Schema:
    """Assemble a :class:`Schema` from the rows of every ``queries/*.sql`` file."""
    columns = _group(rows["columns"], _column)
    constraints = _group(rows["constraints"], _constraint)
    fks = _group(rows["foreign_keys"], _foreign_key)
    indexes = _group(rows["indexes"], _index)
    triggers = _group(rows["triggers"], _trigger)
    policies = _group(rows["policies"], _policy)
    names = {r["oid"]: f"{r['schema']}.{r['name']}" for r in rows["tables"]}

    def with_table(items: list[Any], oid: int) -> tuple[Any, ...]:
        # Indexes, triggers and policies name their table; fill it in here.
        return tuple(_replace_table(item, names[oid]) for item in items)

    tables = tuple(
        Table(
            schema=r["schema"],
            name=r["name"],
            columns=tuple(columns.get(r["oid"], ())),
            constraints=tuple(constraints.get(r["oid"], ())),
            foreign_keys=tuple(fks.get(r["oid"], ())),
            indexes=with_table(indexes.get(r["oid"], []), r["oid"]),
            triggers=with_table(triggers.get(r["oid"], []), r["oid"]),
            policies=with_table(policies.get(r["oid"], []), r["oid"]),
            rls_enabled=r["rls_enabled"],
            rls_forced=r["rls_forced"],
            kind="partitioned" if r["relkind"] == "p" else "table",
            partition_key=r["partition_key"],
            partition_of=r["partition_of"],
            partition_bound=r["partition_bound"],
            unlogged=r["unlogged"],
            comment=r["comment"],
            inherits=tuple(r["inherits"]),
            options=tuple(r["options"]),
        )
        for r in rows["tables"]
    )
    views = tuple(
        View(
            schema=r["schema"],
            name=r["name"],
            definition=r["definition"],
            columns=tuple(columns.get(r["oid"], ())),
            materialized=r["materialized"],
            indexes=tuple(
                _replace_table(i, f"{r['schema']}.{r['name']}") for i in indexes.get(r["oid"], [])
            ),
            depends_on=tuple(r["depends_on"]),
            comment=r["comment"],
            options=tuple(r["options"]),
            triggers=tuple(
                _replace_table(t, f"{r['schema']}.{r['name']}") for t in triggers.get(r["oid"], [])
            ),
        )
        for r in rows["views"]
    )
    return Schema(
        namespaces=tuple(Namespace(r["name"], r["comment"]) for r in namespaces),
        extensions=tuple(
            Extension(r["name"], r["schema"], r["version"]) for r in rows["extensions"]
        ),
        enums=tuple(
            Enum(r["schema"], r["name"], tuple(r["values"]), r["comment"]) for r in rows["enums"]
        ),
        domains=tuple(_domain(r) for r in rows["domains"]),
        sequences=tuple(_sequence(r) for r in rows["sequences"]),
        tables=tables,
        views=views,
        functions=tuple(_function(r) for r in rows["functions"]),
        server_version=server_version,
        composites=tuple(
            CompositeType(r["schema"], r["name"], tuple(columns.get(r["oid"], ())), r["comment"])
            for r in rows["composites"]
        ),
        ranges=tuple(_range(r) for r in rows["ranges"]),
        collations=tuple(Collation(**r) for r in rows["collations"]),
        operators=tuple(Operator(**r) for r in rows["operators"]),
        ts_dictionaries=tuple(TextSearchDictionary(**r) for r in rows["ts_dictionaries"]),
        ts_configs=tuple(
            TextSearchConfig(
                schema=r["schema"],
                name=r["name"],
                parser=r["parser"],
                mappings=tuple(
                    TextSearchMapping(m["token"], tuple(m["dictionaries"])) for m in r["mappings"]
                ),
                comment=r["comment"],
            )
            for r in rows["ts_configs"]
        ),
        casts=tuple(_cast(r) for r in rows["casts"]),
        rules=tuple(Rule(**r) for r in rows["rules"]),
        grants=_grants(rows["grants"]),
    )


_CAST_METHOD = {"f": "function", "i": "inout", "b": "binary"}
_CAST_CONTEXT = {"e": "explicit", "a": "assignment", "i": "implicit"}


def _range(r: Row) -> RangeType:
    name = r["name"]
    default = (
        name[: name.rindex("range")] + "multirange" + name[name.rindex("range") + 5 :]
        if "range" in name
        else name + "_multirange"
    )
    multirange = None
    if r["multirange_name"] is not None and (
        r["multirange_schema"] != r["schema"] or r["multirange_name"] != default
    ):
        multirange = f"{r['multirange_schema']}.{r['multirange_name']}"
    return RangeType(
        schema=r["schema"],
        name=name,
        subtype=r["subtype"],
        subtype_opclass=r["subtype_opclass"],
        collation=r["collation"],
        canonical=r["canonical"],
        subtype_diff=r["subtype_diff"],
        multirange=multirange,
        comment=r["comment"],
    )


def _cast(r: Row) -> Cast:
    return Cast(
        source=r["source"],
        target=r["target"],
        method=_CAST_METHOD[r["castmethod"]],
        function=r["function"],
        context=_CAST_CONTEXT[r["castcontext"]],
        comment=r["comment"],
    )


def _grants(rows: Iterable[Row]) -> tuple[Grant, ...]:
    """Group one-privilege rows into one :class:`Grant` per object, column, grantee and option."""
    grouped: dict[tuple[Any, ...], list[str]] = {}
    for r in rows:
        key = (
            r["object_type"],
            r["object"],
            r["column"],
            r["grantee"],
            r["grantable"],
            r["revoked"],
        )
        grouped.setdefault(key, []).append(r["privilege"])
    return tuple(
        Grant(
            object_type=key[0],
            object=key[1],
            grantee=key[3],
            privileges=tuple(sorted(set(privs))),
            column=key[2],
            grantable=key[4],
            revoked=key[5],
        )
        for key, privs in sorted(grouped.items(), key=lambda kv: tuple(str(k) for k in kv[0]))
    )


def _group(rows: Iterable[Row], make: Any) -> dict[int, list[Any]]:
    """Group rows by their ``rel`` oid, keeping the query's order."""
    out: dict[int, list[Any]] = defaultdict(list)
    for r in rows:
        out[r["rel"]].append(make(r))
    return out


def _replace_table(item: Any, table: str) -> Any:
    return replace(item, table=table)


def _column(r: Row) -> Column:
    typmod = r["typmod"]
    elem = r["elem_oid"]
    max_length = typmod - 4 if elem in _VARCHAR_OIDS and typmod > 4 else None
    precision = scale = None
    if elem == _NUMERIC_OID and typmod >= 4:
        precision = ((typmod - 4) >> 16) & 0xFFFF
        scale = (((typmod - 4) & 0x7FF) ^ 1024) - 1024
    return Column(
        name=r["name"],
        type=r["type"],
        nullable=r["nullable"],
        default=r["default"],
        identity=_IDENTITY.get(r["identity"]),
        generated=r["generated"],
        generated_virtual=bool(r["generated_virtual"]),
        collation=r["collation"],
        comment=r["comment"],
        type_kind=_TYPTYPE.get(r["elem_typtype"], "base"),
        type_ref=r["type_ref"],
        is_array=r["is_array"],
        max_length=max_length,
        numeric_precision=precision,
        numeric_scale=scale,
        identity_options=_identity_options(r) if r["identity"] else None,
    )


def _identity_options(r: Row) -> str | None:
    """Sequence options of an identity column that differ from PostgreSQL's defaults."""
    if r["seqstart"] is None:
        return None  # a partition's identity column uses its parent's sequence
    lo, hi = _INT_RANGE.get(r["seqtype"], _INT_RANGE["bigint"])
    increment = r["seqincrement"]
    default_min, default_max = (1, hi) if increment > 0 else (lo, -1)
    default_start = default_min if increment > 0 else default_max
    parts = []
    if r["seqstart"] != default_start:
        parts.append(f"START WITH {r['seqstart']}")
    if increment != 1:
        parts.append(f"INCREMENT BY {increment}")
    if r["seqmin"] != default_min:
        parts.append(f"MINVALUE {r['seqmin']}")
    if r["seqmax"] != default_max:
        parts.append(f"MAXVALUE {r['seqmax']}")
    if r["seqcache"] != 1:
        parts.append(f"CACHE {r['seqcache']}")
    if r["seqcycle"]:
        parts.append("CYCLE")
    return " ".join(parts) or None


def _constraint(r: Row) -> Constraint:
    return Constraint(
        name=r["name"],
        kind=_CONSTRAINT_KIND[r["contype"]],
        columns=tuple(r["columns"]),
        definition=r["definition"],
        expression=r["expression"],
        deferrable=r["deferrable"],
        initially_deferred=r["initially_deferred"],
        validated=r["validated"],
        nulls_not_distinct=r["nulls_not_distinct"],
        comment=r["comment"],
    )


def _foreign_key(r: Row) -> ForeignKey:
    return ForeignKey(
        name=r["name"],
        table=r["table"],
        columns=tuple(r["columns"]),
        ref_table=r["ref_table"],
        ref_columns=tuple(r["ref_columns"]),
        on_delete=_FK_ACTION[r["confdeltype"]],
        on_update=_FK_ACTION[r["confupdtype"]],
        match=_FK_MATCH[r["confmatchtype"]],
        deferrable=r["deferrable"],
        initially_deferred=r["initially_deferred"],
        validated=r["validated"],
        definition=r["definition"],
        comment=r["comment"],
    )


def _index(r: Row) -> Index:
    nkeys = r["nkeys"]
    keys = []
    for keydef, option in zip(r["keydefs"][:nkeys], r["options"], strict=False):
        desc, nulls_first = bool(option & 1), bool(option & 2)
        suffix = ""
        if desc:
            suffix = " DESC" if nulls_first else " DESC NULLS LAST"
        elif nulls_first:
            suffix = " NULLS FIRST"
        keys.append(keydef + suffix)
    return Index(
        name=r["name"],
        table="",
        keys=tuple(keys),
        columns=tuple(r["attnames"][:nkeys]),
        include=tuple(r["attnames"][nkeys:]),
        unique=r["unique"],
        method=r["method"],
        predicate=r["predicate"],
        constraint=r["constraint"],
        definition=r["definition"],
        nulls_not_distinct=r["nulls_not_distinct"],
        comment=r["comment"],
    )


def _trigger(r: Row) -> Trigger:
    tgtype = r["tgtype"]
    timing = "INSTEAD OF" if tgtype & 64 else "BEFORE" if tgtype & 2 else "AFTER"
    events = tuple(
        name
        for bit, name in ((4, "INSERT"), (16, "UPDATE"), (8, "DELETE"), (32, "TRUNCATE"))
        if tgtype & bit
    )
    return Trigger(
        name=r["name"],
        table="",
        timing=timing,
        events=events,
        level="ROW" if tgtype & 1 else "STATEMENT",
        function=r["function"],
        definition=r["definition"],
        enabled=r["enabled"],
        comment=r["comment"],
    )


def _policy(r: Row) -> Policy:
    return Policy(
        name=r["name"],
        table="",
        command=_POLICY_CMD[r["polcmd"]],
        permissive=r["permissive"],
        roles=tuple(r["roles"]),
        using=r["using"],
        with_check=r["with_check"],
        comment=r["comment"],
    )


def _check_expression(definition: str) -> str | None:
    text = definition.removesuffix(" NOT VALID")
    if text.startswith("CHECK (") and text.endswith(")"):
        return text[len("CHECK (") : -1]
    return None


def _domain(r: Row) -> Domain:
    checks = tuple(
        Constraint(
            name=c["name"],
            kind="check",
            columns=(),
            definition=c["definition"],
            expression=_check_expression(c["definition"]),
            validated=c["validated"],
            comment=c["comment"],
        )
        for c in r["checks"]
    )
    return Domain(
        schema=r["schema"],
        name=r["name"],
        base_type=r["base_type"],
        not_null=r["not_null"],
        default=r["default"],
        checks=checks,
        collation=r["collation"],
        comment=r["comment"],
    )


def _sequence(r: Row) -> Sequence:
    lo, hi = _INT_RANGE.get(r["data_type"], _INT_RANGE["bigint"])
    default_min, default_max = (1, hi) if r["increment"] > 0 else (lo, -1)
    return Sequence(
        schema=r["schema"],
        name=r["name"],
        data_type=r["data_type"],
        start=r["start"],
        increment=r["increment"],
        min_value=None if r["min_value"] == default_min else r["min_value"],
        max_value=None if r["max_value"] == default_max else r["max_value"],
        cache=r["cache"],
        cycle=r["cycle"],
        owned_by=r["owned_by"],
        comment=r["comment"],
    )


def _function(r: Row) -> Function:
    kind = _PROKIND[r["prokind"]]
    definition = r["definition"] if kind != "aggregate" else aggregate_definition(r)
    return Function(
        schema=r["schema"],
        name=r["name"],
        arguments=r["arguments"],
        returns=r["returns"],
        language=r["language"],
        definition=definition,
        kind=kind,
        comment=r["comment"],
    )


def aggregate_definition(r: Row) -> str:
    """Write CREATE AGGREGATE from pg_aggregate's columns (pg_get_functiondef refuses aggregates)."""
    args = r["full_arguments"] or "*"
    if r["aggkind"] in ("o", "h"):
        # Ordered-set / hypothetical: direct args ORDER BY aggregated args.
        parts = [a.strip() for a in (r["full_arguments"] or "").split(",")]
        n = r["aggnumdirectargs"]
        direct, aggregated = ", ".join(parts[:n]), ", ".join(parts[n:])
        args = f"{direct} ORDER BY {aggregated}"
    opts: list[str] = [f"SFUNC = {r['sfunc']}", f"STYPE = {r['stype']}"]
    if r["sspace"]:
        opts.append(f"SSPACE = {r['sspace']}")
    if r["finalfunc"]:
        opts.append(f"FINALFUNC = {r['finalfunc']}")
        if r["finalfunc_extra"]:
            opts.append("FINALFUNC_EXTRA")
    if r["combinefunc"]:
        opts.append(f"COMBINEFUNC = {r['combinefunc']}")
    if r["serialfunc"]:
        opts.append(f"SERIALFUNC = {r['serialfunc']}")
    if r["deserialfunc"]:
        opts.append(f"DESERIALFUNC = {r['deserialfunc']}")
    if r["initcond"] is not None:
        opts.append(f"INITCOND = {quote_literal(r['initcond'])}")
    if r["msfunc"]:
        opts.append(f"MSFUNC = {r['msfunc']}")
        opts.append(f"MINVFUNC = {r['minvfunc']}")
        opts.append(f"MSTYPE = {r['mstype']}")
        if r["msspace"]:
            opts.append(f"MSSPACE = {r['msspace']}")
        if r["mfinalfunc"]:
            opts.append(f"MFINALFUNC = {r['mfinalfunc']}")
            if r["mfinalfunc_extra"]:
                opts.append("MFINALFUNC_EXTRA")
        if r["minitcond"] is not None:
            opts.append(f"MINITCOND = {quote_literal(r['minitcond'])}")
    if r["sortop"]:
        opts.append(f"SORTOP = {r['sortop'].split('(')[0]}")
    if r["parallel"] == "s":
        opts.append("PARALLEL = SAFE")
    elif r["parallel"] == "r":
        opts.append("PARALLEL = RESTRICTED")
    if r["aggkind"] == "h":
        opts.append("HYPOTHETICAL")
    name = f"{quote_ident(r['schema'])}.{quote_ident(r['name'])}"
    body = ",\n".join(f"    {o}" for o in opts)
    return f"CREATE AGGREGATE {name}({args}) (\n{body}\n);"
