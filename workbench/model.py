"""The one schema model that every output reads.

Why frozen dataclasses with tuples and qualified-name references: two
introspections of equal schemas must compare equal with ``==`` (that is how the
DDL round trip is proven), the model must serialise to JSON and back without
losing anything, and no renderer may mutate what another renderer reads.

Conventions used throughout:

* Qualified names are ``"schema.name"`` strings (``"public.users"``); objects
  refer to each other by qualified name, never by Python reference.
* Columns keep PostgreSQL's ``attnum`` order. Constraints, indexes, triggers and
  policies are sorted by name, so output is stable.
* SQL fragments (defaults, CHECK expressions, index definitions) are stored as
  PostgreSQL prints them (``pg_get_expr``, ``pg_get_constraintdef``, ...), which
  makes them directly reusable in generated DDL.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def qualify(schema: str, name: str) -> str:
    """Return the model's qualified name for an object."""
    return f"{schema}.{name}"


def split_qualified(qualified: str) -> tuple[str, str]:
    """Split ``"schema.name"`` into its parts (names may contain dots after the first)."""
    schema, _, name = qualified.partition(".")
    return schema, name


@dataclass(frozen=True, slots=True)
class Column:
    """A table, view or materialised-view column, in definition order."""

    name: str
    type: str  # format_type(): 'character varying(20)', 'numeric(10,2)', 'task_status', 'integer[]'
    nullable: bool = True
    default: str | None = None  # pg_get_expr of the default; None for identity/generated columns
    identity: str | None = None  # 'ALWAYS' | 'BY DEFAULT' | None
    generated: str | None = None  # expression of a GENERATED ALWAYS AS (...) STORED column
    # True for a PostgreSQL 18 VIRTUAL generated column (computed when read, not stored)
    generated_virtual: bool = False
    collation: str | None = None  # only when it differs from the type's default collation
    comment: str | None = None
    # 'base' | 'enum' | 'domain' | 'composite' | 'range' | 'multirange' | 'pseudo'
    type_kind: str = "base"
    type_ref: str | None = None  # qualified name of a user-defined type (enum, domain, ...)
    is_array: bool = False
    max_length: int | None = None  # varchar(n) / char(n)
    numeric_precision: int | None = None  # numeric(p, s)
    numeric_scale: int | None = None
    # Identity columns only: the sequence options that differ from the defaults, as
    # PostgreSQL accepts them inside GENERATED ... AS IDENTITY (...), e.g.
    # 'START WITH 1000 INCREMENT BY 10'; None when every option is the default.
    identity_options: str | None = None


@dataclass(frozen=True, slots=True)
class Constraint:
    """A PRIMARY KEY, UNIQUE, CHECK or EXCLUDE constraint (foreign keys have their own class)."""

    name: str
    kind: str  # 'primary_key' | 'unique' | 'check' | 'exclude'
    columns: tuple[str, ...]  # columns the constraint covers (for a CHECK: the columns it mentions)
    definition: str  # pg_get_constraintdef(), e.g. 'CHECK ((priority >= 1) AND (priority <= 5))'
    expression: str | None = None  # CHECK only: the boolean expression without 'CHECK (...)'
    deferrable: bool = False
    initially_deferred: bool = False
    validated: bool = True  # False for NOT VALID constraints
    nulls_not_distinct: bool = False  # UNIQUE NULLS NOT DISTINCT (PostgreSQL 15+)
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class ForeignKey:
    """A FOREIGN KEY, read from pg_constraint.conkey/confkey (never parsed from text)."""

    name: str
    table: str  # qualified name of the referencing table
    columns: tuple[str, ...]
    ref_table: str  # qualified name of the referenced table
    ref_columns: tuple[str, ...]
    # 'NO ACTION' | 'RESTRICT' | 'CASCADE' | 'SET NULL' | 'SET DEFAULT'
    on_delete: str = "NO ACTION"
    on_update: str = "NO ACTION"
    match: str = "SIMPLE"  # 'SIMPLE' | 'FULL' | 'PARTIAL'
    deferrable: bool = False
    initially_deferred: bool = False
    validated: bool = True
    definition: str = ""  # pg_get_constraintdef()
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Index:
    """An index, including the ones that back PRIMARY KEY / UNIQUE / EXCLUDE constraints."""

    name: str
    table: str  # qualified name of the table or materialised view
    # each key as PostgreSQL prints it: 'email', 'lower(email)', 'created_at DESC'
    keys: tuple[str, ...]
    columns: tuple[str | None, ...]  # per key: the plain column name, or None for an expression key
    include: tuple[str, ...] = ()  # INCLUDE (...) columns
    unique: bool = False
    method: str = "btree"
    predicate: str | None = None  # WHERE clause of a partial index
    constraint: str | None = None  # name of the constraint this index backs, if any
    definition: str = ""  # pg_get_indexdef()
    nulls_not_distinct: bool = False
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Trigger:
    name: str
    table: str  # qualified name
    timing: str  # 'BEFORE' | 'AFTER' | 'INSTEAD OF'
    events: tuple[str, ...]  # ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE') in that order
    level: str  # 'ROW' | 'STATEMENT'
    function: str  # qualified name of the trigger function
    definition: str  # pg_get_triggerdef()
    enabled: bool = True
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    """A row-level-security policy."""

    name: str
    table: str  # qualified name
    command: str = "ALL"  # 'ALL' | 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE'
    permissive: bool = True
    roles: tuple[str, ...] = ("public",)
    using: str | None = None
    with_check: str | None = None
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Table:
    schema: str
    name: str
    columns: tuple[Column, ...] = ()
    constraints: tuple[Constraint, ...] = ()  # PK, UNIQUE, CHECK, EXCLUDE sorted by name
    foreign_keys: tuple[ForeignKey, ...] = ()  # sorted by name
    indexes: tuple[Index, ...] = ()  # sorted by name
    triggers: tuple[Trigger, ...] = ()  # sorted by name
    policies: tuple[Policy, ...] = ()  # sorted by name
    rls_enabled: bool = False
    rls_forced: bool = False
    kind: str = "table"  # 'table' | 'partitioned'
    partition_key: str | None = None  # pg_get_partkeydef(), e.g. 'RANGE (payment_date)'
    partition_of: str | None = None  # qualified parent name when this table is a partition
    partition_bound: str | None = None  # e.g. "FOR VALUES FROM ('2022-01-01') TO ('2022-02-01')"
    unlogged: bool = False
    comment: str | None = None
    # Parents named by INHERITS (...), in pg_inherits.inhseqno order (partitions use partition_of)
    inherits: tuple[str, ...] = ()
    # Storage parameters as PostgreSQL stores them ('fillfactor=70'); TOAST ones as 'toast.x=y'
    options: tuple[str, ...] = ()

    @property
    def qualified_name(self) -> str:
        return qualify(self.schema, self.name)

    def column(self, name: str) -> Column:
        """Return the column called ``name`` (KeyError names the table when missing)."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"table {self.qualified_name} has no column {name!r}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def primary_key(self) -> Constraint | None:
        return next((c for c in self.constraints if c.kind == "primary_key"), None)

    @property
    def unique_constraints(self) -> tuple[Constraint, ...]:
        return tuple(c for c in self.constraints if c.kind == "unique")

    @property
    def check_constraints(self) -> tuple[Constraint, ...]:
        return tuple(c for c in self.constraints if c.kind == "check")


@dataclass(frozen=True, slots=True)
class Enum:
    schema: str
    name: str
    values: tuple[str, ...]  # in enumsortorder
    comment: str | None = None

    @property
    def qualified_name(self) -> str:
        return qualify(self.schema, self.name)


@dataclass(frozen=True, slots=True)
class Domain:
    schema: str
    name: str
    base_type: str  # format_type of the underlying type
    not_null: bool = False
    default: str | None = None
    checks: tuple[Constraint, ...] = ()  # kind='check'
    collation: str | None = None
    comment: str | None = None

    @property
    def qualified_name(self) -> str:
        return qualify(self.schema, self.name)


@dataclass(frozen=True, slots=True)
class Sequence:
    """A sequence that is not an identity column's internal sequence."""

    schema: str
    name: str
    data_type: str = "bigint"
    start: int = 1
    increment: int = 1
    min_value: int | None = None
    max_value: int | None = None
    cache: int = 1
    cycle: bool = False
    owned_by: str | None = None  # 'schema.table.column' for serial-style sequences
    comment: str | None = None

    @property
    def qualified_name(self) -> str:
        return qualify(self.schema, self.name)


@dataclass(frozen=True, slots=True)
class View:
    schema: str
    name: str
    definition: str  # pg_get_viewdef()
    columns: tuple[Column, ...] = ()
    materialized: bool = False
    indexes: tuple[Index, ...] = ()  # materialised views only
    depends_on: tuple[str, ...] = ()  # qualified names of relations it reads
    comment: str | None = None
    # reloptions: 'security_barrier=true', 'security_invoker=true', 'check_option=local'
    # (WITH [LOCAL|CASCADED] CHECK OPTION is stored as check_option); matviews: storage ones
    options: tuple[str, ...] = ()
    triggers: tuple[Trigger, ...] = ()  # INSTEAD OF / statement triggers on a view, by name

    @property
    def qualified_name(self) -> str:
        return qualify(self.schema, self.name)


@dataclass(frozen=True, slots=True)
class Function:
    """A function, procedure or aggregate; trigger functions have returns == 'trigger'."""

    schema: str
    name: str
    arguments: str  # pg_get_function_identity_arguments(): 'integer, text'
    returns: str  # pg_get_function_result()
    language: str
    # pg_get_functiondef() (CREATE OR REPLACE ...); for aggregates, CREATE AGGREGATE text
    definition: str
    kind: str = "function"  # 'function' | 'procedure' | 'aggregate' | 'window'
    comment: str | None = None

    @property
    def qualified_name(self) -> str:
        return qualify(self.schema, self.name)

    @property
    def signature(self) -> str:
        return f"{self.qualified_name}({self.arguments})"


@dataclass(frozen=True, slots=True)
class Rule:
    """A rewrite rule (``CREATE RULE``) other than a view's own ``_RETURN`` rule."""

    name: str
    table: str  # qualified name of the table or view the rule is on
    event: str  # 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE'
    definition: str  # pg_get_ruledef(): 'CREATE RULE ... DO INSTEAD ...;'
    enabled: bool = True
    comment: str | None = None

    @property
    def qualified_name(self) -> str:
        return f"{self.table}.{self.name}"


@dataclass(frozen=True, slots=True)
class CompositeType:
    """``CREATE TYPE ... AS (...)``; attributes use :class:`Column` (name, type, collation, comment)."""

    schema: str
    name: str
    attributes: tuple[Column, ...] = ()
    comment: str | None = None

    @property
    def qualified_name(self) -> str:
        return qualify(self.schema, self.name)


@dataclass(frozen=True, slots=True)
class RangeType:
    """``CREATE TYPE ... AS RANGE``; options are None when they are PostgreSQL's defaults."""

    schema: str
    name: str
    subtype: str  # format_type of the subtype
    subtype_opclass: str | None = None  # qualified opclass when not the subtype's default
    collation: str | None = None
    canonical: str | None = None  # regproc text of the canonical function
    subtype_diff: str | None = None  # regproc text of the subtype_diff function
    multirange: str | None = None  # qualified multirange type name when not the default one
    comment: str | None = None

    @property
    def qualified_name(self) -> str:
        return qualify(self.schema, self.name)


@dataclass(frozen=True, slots=True)
class Operator:
    """A user-defined operator; types and functions as PostgreSQL prints them."""

    schema: str
    name: str  # the operator symbol, e.g. '===' (no quoting)
    left: str | None  # format_type of the left operand; None for a prefix operator
    right: str
    result: str
    function: str  # regproc text of the implementing function
    commutator: str | None = None  # 'schema.symbol' (OPERATOR(schema.symbol) in DDL)
    negator: str | None = None
    restrict: str | None = None  # regproc text of the restriction estimator
    join: str | None = None
    hashes: bool = False
    merges: bool = False
    comment: str | None = None

    @property
    def qualified_name(self) -> str:
        return qualify(self.schema, self.name)

    @property
    def signature(self) -> str:
        return f"{self.qualified_name}({self.left or 'NONE'}, {self.right})"


@dataclass(frozen=True, slots=True)
class Collation:
    """``CREATE COLLATION``: the provider and locale PostgreSQL stored (``FROM`` is resolved)."""

    schema: str
    name: str
    provider: str = "libc"  # 'libc' | 'icu' | 'builtin'
    lc_collate: str | None = None  # libc only
    lc_ctype: str | None = None  # libc only
    locale: str | None = None  # icu / builtin
    deterministic: bool = True
    rules: str | None = None  # ICU tailoring rules (PostgreSQL 16+)
    comment: str | None = None

    @property
    def qualified_name(self) -> str:
        return qualify(self.schema, self.name)


@dataclass(frozen=True, slots=True)
class TextSearchMapping:
    """One ``ADD MAPPING FOR token WITH dict, ...`` line of a text-search configuration."""

    token: str  # token type alias of the parser, e.g. 'asciiword'
    dictionaries: tuple[str, ...]  # regdictionary text, in mapping order


@dataclass(frozen=True, slots=True)
class TextSearchConfig:
    schema: str
    name: str
    parser: str  # regparser text: 'pg_catalog."default"' prints as 'default'
    mappings: tuple[TextSearchMapping, ...] = ()  # by token type id
    comment: str | None = None

    @property
    def qualified_name(self) -> str:
        return qualify(self.schema, self.name)


@dataclass(frozen=True, slots=True)
class TextSearchDictionary:
    schema: str
    name: str
    template: str  # regtemplate-style text: 'simple', 'snowball', 'public.my_template'
    options: str | None = None  # dictinitoption: "language = 'english', stopwords = 'english'"
    comment: str | None = None

    @property
    def qualified_name(self) -> str:
        return qualify(self.schema, self.name)


@dataclass(frozen=True, slots=True)
class Cast:
    """A user-created cast (``CREATE CAST``); types are format_type text."""

    source: str
    target: str
    method: str = "function"  # 'function' | 'inout' | 'binary'
    function: str | None = None  # regprocedure text, e.g. 'public.to_money(integer)'
    context: str = "explicit"  # 'explicit' | 'assignment' | 'implicit'
    comment: str | None = None

    @property
    def key(self) -> str:
        return f"({self.source} AS {self.target})"


@dataclass(frozen=True, slots=True)
class Grant:
    """Privileges one grantee holds beyond (or, ``revoked``, below) PostgreSQL's defaults.

    Compared by grantee role *name*: roles live outside the database (``pg_dump -s``
    does not create them); the DDL export creates missing ones as NOLOGIN roles.
    The owner's own privileges are not recorded (ownership is not exported).
    """

    object_type: (
        str  # 'TABLE' | 'SEQUENCE' | 'FUNCTION' | 'PROCEDURE' | 'SCHEMA' | 'TYPE' | 'DOMAIN'
    )
    object: str  # qualified name; functions: signature 'schema.name(args)'; schemas: name
    grantee: str  # role name, or 'PUBLIC'
    privileges: tuple[str, ...]  # 'SELECT', 'INSERT', ... sorted
    column: str | None = None  # column privileges (object_type 'TABLE')
    grantable: bool = False  # WITH GRANT OPTION
    revoked: bool = False  # a default privilege taken away (REVOKE ... FROM PUBLIC)


@dataclass(frozen=True, slots=True)
class Extension:
    name: str
    schema: str
    version: str = field(default="", compare=False)  # differs between servers; not part of identity


@dataclass(frozen=True, slots=True)
class Namespace:
    """A PostgreSQL schema (called namespace here to avoid clashing with :class:`Schema`)."""

    name: str
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Schema:
    """Everything introspected from one database, in stable order.

    ``server_version`` is informational and excluded from ``==`` so a schema
    loaded on PostgreSQL 15 compares equal to the same schema on 18.
    """

    namespaces: tuple[Namespace, ...] = ()
    extensions: tuple[Extension, ...] = ()
    enums: tuple[Enum, ...] = ()
    domains: tuple[Domain, ...] = ()
    sequences: tuple[Sequence, ...] = ()
    tables: tuple[Table, ...] = ()
    views: tuple[View, ...] = ()
    functions: tuple[Function, ...] = ()
    server_version: str = field(default="", compare=False)
    composites: tuple[CompositeType, ...] = ()
    ranges: tuple[RangeType, ...] = ()
    collations: tuple[Collation, ...] = ()
    operators: tuple[Operator, ...] = ()  # by signature
    ts_dictionaries: tuple[TextSearchDictionary, ...] = ()
    ts_configs: tuple[TextSearchConfig, ...] = ()
    casts: tuple[Cast, ...] = ()  # by source, target
    rules: tuple[Rule, ...] = ()  # by relation, name
    grants: tuple[Grant, ...] = ()  # by object type, object, column, grantee

    def table(self, name: str) -> Table:
        """Find a table by qualified name, or by bare name when that is unambiguous."""
        matches = [t for t in self.tables if t.qualified_name == name]
        if not matches and "." not in name:
            matches = [t for t in self.tables if t.name == name]
        if len(matches) == 1:
            return matches[0]
        known = ", ".join(t.qualified_name for t in self.tables[:20])
        what = "ambiguous" if matches else "not found"
        raise KeyError(f"table {name!r} {what}; tables: {known}")

    @property
    def foreign_keys(self) -> tuple[ForeignKey, ...]:
        return tuple(fk for t in self.tables for fk in t.foreign_keys)

    @property
    def triggers(self) -> tuple[Trigger, ...]:
        return tuple(tr for t in self.tables for tr in t.triggers)

    @property
    def policies(self) -> tuple[Policy, ...]:
        return tuple(p for t in self.tables for p in t.policies)
