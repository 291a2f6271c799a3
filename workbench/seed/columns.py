"""Column generators chosen by column name and type: a small, ordered registry.

Each generator returns ``n`` values as a pyarrow array (no nulls; nulls are applied
afterwards). Strings are built with pyarrow compute from Faker pools (``take`` and
``binary_join_element_wise``), numbers and times with numpy, so a million values cost
milliseconds, not the minutes that a Faker call per value would.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from workbench.model import Column
from workbench.seed.checks import Hints
from workbench.seed.uuids import UUID, uuid_bytes
from workbench.seed.vocab import Pools

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
US = 1_000_000


@dataclass
class Ctx:
    """What a generator may look at: the column, the table's CHECK hints, pools, rng, window."""

    table: str
    column: Column
    base_type: (
        str  # type with domains resolved, without typmod: 'character varying', 'integer', ...
    )
    hints: Hints
    pools: Pools
    rng: np.random.Generator
    window: tuple[dt.datetime, dt.datetime]
    unique: bool
    enum_values: tuple[str, ...] | None = None

    @property
    def name(self) -> str:
        return self.column.name

    @property
    def max_length(self) -> int | None:
        limits = [x for x in (self.column.max_length, self.hints.max_length.get(self.name)) if x]
        return min(limits) if limits else None


def pick(pool: pa.Array, rng: np.random.Generator, n: int) -> pa.Array:
    return pool.take(pa.array(rng.integers(0, len(pool), n)))


def join(*parts: Any, sep: str = "") -> pa.Array:
    return pc.binary_join_element_wise(*parts, sep)


def suffix(n: int, rng: np.random.Generator | None = None) -> pa.Array:
    """Distinct decimal strings 0..n-1 (in a shuffled order when rng is given)."""
    ids = np.arange(n) if rng is None else rng.permutation(n)
    return pc.cast(pa.array(ids), pa.string())


def words(ctx: Ctx, n: int, count: int, sep: str = " ") -> pa.Array:
    return join(*[pick(ctx.pools.words, ctx.rng, n) for _ in range(count)], sep=sep)


def hex_strings(rng: np.random.Generator, n: int, length: int) -> pa.Array:
    digits = np.frombuffer(b"0123456789abcdef", np.uint8)[rng.integers(0, 16, (n, length))]
    return (
        pa.FixedSizeBinaryArray.from_buffers(
            pa.binary(length), n, [None, pa.py_buffer(digits.tobytes())]
        )
        .cast(pa.binary())
        .cast(pa.string())
    )


def _alphabet_strings(rng: np.random.Generator, n: int, length: int, alphabet: bytes) -> pa.Array:
    chars = np.frombuffer(alphabet, np.uint8)[rng.integers(0, len(alphabet), (n, length))]
    return (
        pa.FixedSizeBinaryArray.from_buffers(
            pa.binary(length), n, [None, pa.py_buffer(chars.tobytes())]
        )
        .cast(pa.binary())
        .cast(pa.string())
    )


_B64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_BCRYPT64 = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def password_hashes(ctx: Ctx, n: int) -> pa.Array:
    """Encoded password hashes as a password library stores them.

    argon2id in the PHC string format (``$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>``,
    unpadded base64 of a 16-byte salt and a 32-byte hash), or bcrypt's modular crypt
    format (``$2b$12$`` + 53 characters) when the column's comment names bcrypt only.
    Why: a login query, a CHECK on the prefix, or a length budget sees what
    production holds, not a hex digest.
    """
    comment = (ctx.column.comment or "").lower()
    if "bcrypt" in comment and "argon" not in comment:
        return join("$2b$12$", _alphabet_strings(ctx.rng, n, 53, _BCRYPT64))
    return join(
        "$argon2id$v=19$m=65536,t=3,p=4$",
        _alphabet_strings(ctx.rng, n, 22, _B64),
        "$",
        _alphabet_strings(ctx.rng, n, 43, _B64),
    )


#: a column comment that says the column holds a password hash
_PASSWORD_COMMENT = re.compile(
    r"password|passphrase|argon2|bcrypt|scrypt|\bphc\b|credential hash", re.IGNORECASE
)


def uuids(rng: np.random.Generator, n: int) -> pa.Array:
    """Random version-4 UUIDs as 16 raw bytes each.

    Why bytes and not the 36-character text: the binary COPY sends exactly these bytes,
    and foreign keys copy them with ``take``; text would be built here only to be parsed
    back into bytes by the encoder (measured: a quarter of the encoding time).
    """
    raw = rng.integers(0, 256, (n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    return pa.FixedSizeBinaryArray.from_buffers(UUID, n, [None, pa.py_buffer(raw.tobytes())])


def timestamps(ctx: Ctx, n: int) -> np.ndarray:
    """Microseconds since the Unix epoch, uniform in the window (clipped by CHECK hints)."""
    lo, hi = ctx.window
    lo_us, hi_us = int((lo - EPOCH).total_seconds() * US), int((hi - EPOCH).total_seconds() * US)
    low, high = ctx.hints.low.get(ctx.name), ctx.hints.high.get(ctx.name)
    if low and isinstance(low[0], dt.datetime):
        lo_us = max(lo_us, int((low[0] - EPOCH).total_seconds() * US) + 1)
    if high and isinstance(high[0], dt.datetime):
        hi_us = min(hi_us, int((high[0] - EPOCH).total_seconds() * US) - 1)
    # whole seconds read better in experiments and dumps
    return (ctx.rng.integers(lo_us // US, max(hi_us // US, lo_us // US + 1), n)) * US


_INT_BOUNDS = {"smallint": 32767, "integer": 2_147_483_647, "bigint": 2**62}


def _int_range(ctx: Ctx, default: tuple[int, int]) -> tuple[int, int]:
    lo, hi = default
    cap = _INT_BOUNDS.get(ctx.base_type, 2**62)
    low, high = ctx.hints.low.get(ctx.name), ctx.hints.high.get(ctx.name)
    if low is not None and not isinstance(low[0], (str, dt.date)):
        lo = max(
            int(np.floor(low[0])) + (0 if low[1] and float(low[0]).is_integer() else 1),
            lo if high is None else -cap,
        )
        if high is None:
            hi = max(hi, lo + (default[1] - default[0]))
    if high is not None and not isinstance(high[0], (str, dt.date)):
        hi = min(
            int(np.ceil(high[0])) - (0 if high[1] and float(high[0]).is_integer() else 1),
            hi if low is None else cap,
        )
        if low is None:
            lo = min(lo, hi - (default[1] - default[0]))
    return max(lo, -cap), min(hi, cap)


def integers(ctx: Ctx, n: int) -> pa.Array:
    name = ctx.name.lower()
    default = (1, 1000)
    if "priority" in name or "rating" in name or "level" in name:
        default = (1, 5)
    elif "year" in name:
        default = (1950, 2025)
    elif any(k in name for k in ("size", "bytes", "length", "milliseconds", "duration")):
        # a smallint "length" is minutes or characters, not bytes: keep it in a human range
        # (clipping a byte-sized spread to 32767 would pile values on the limit and
        # overflow expressions such as pagila's length / 60.0 numeric(4,2))
        mean, sigma = (4.5, 0.5) if ctx.base_type == "smallint" else (11, 1.5)
        value = np.clip(ctx.rng.lognormal(mean, sigma, n), 1, None).astype(np.int64)
        lo, hi = _int_range(ctx, (1, 2**31 - 1))
        return pa.array(np.clip(value, lo, hi))
    elif any(k in name for k in ("quantity", "count", "qty", "number", "num_")):
        default = (1, 20)
    lo, hi = _int_range(ctx, default)
    if ctx.unique:
        return pa.array(lo + ctx.rng.permutation(n))
    return pa.array(ctx.rng.integers(lo, hi + 1, n))


def decimals(ctx: Ctx, n: int) -> pa.Array:
    prec, scale = ctx.column.numeric_precision, ctx.column.numeric_scale
    scale = 2 if scale is None and ctx.base_type == "numeric" else scale
    limit = 10.0 ** (prec - (scale or 0)) - 10.0 ** -(scale or 0) if prec else 1e6
    low, high = ctx.hints.low.get(ctx.name), ctx.hints.high.get(ctx.name)
    lo = float(low[0]) if low else 0.0
    hi = float(high[0]) if high else min(limit, 1000.0)
    lo, hi = max(lo, -limit), min(hi, limit)
    values = lo + np.clip(ctx.rng.lognormal(2.5, 1.0, n) / 100.0, 0, 1) * (hi - lo)
    if scale is not None:
        step = 10.0**-scale
        values = np.round(values, scale)
        if low and not low[1]:
            values = np.where(values <= lo, lo + step, values)
        if high and not high[1]:
            values = np.where(values >= hi, hi - step, values)
        values = np.round(values, scale)
    return pa.array(values)


def _json(ctx: Ctx, n: int) -> pa.Array:
    if ctx.hints.json_kind.get(ctx.name) == "array":
        return join("[", join('"', pick(ctx.pools.words, ctx.rng, n), '"'), "]")
    # one document shape per column (a stable key set), not random keys per row
    num = pc.cast(pa.array(ctx.rng.integers(0, 100, n)), pa.string())
    flag = pick(pa.array(["true", "false"]), ctx.rng, n)
    return join(
        '{"count": ',
        num,
        ', "enabled": ',
        flag,
        ', "source": "',
        pick(ctx.pools.words, ctx.rng, n),
        '"}',
    )


def _fit_regex(ctx: Ctx, values: pa.Array) -> bool:
    for pattern, ignore_case in ctx.hints.regex.get(ctx.name, ()):
        if not pc.all(pc.match_substring_regex(values, pattern, ignore_case=ignore_case)).as_py():
            return False
    return True


def _slug(ctx: Ctx, n: int) -> pa.Array:
    return words(ctx, n, 2, "-")


def _email(ctx: Ctx, n: int) -> pa.Array:
    first = pc.utf8_lower(pick(ctx.pools.first_names, ctx.rng, n))
    last = pc.utf8_lower(pick(ctx.pools.last_names, ctx.rng, n))
    local = join(first, ".", last)
    local = pc.replace_substring_regex(local, "[^a-z0-9.]", "")
    return join(local, "@", pick(ctx.pools.domains, ctx.rng, n))


def _url(ctx: Ctx, n: int) -> pa.Array:
    return join("https://", pick(ctx.pools.domains, ctx.rng, n), "/", words(ctx, n, 2, "/"))


def _person(ctx: Ctx, n: int) -> pa.Array:
    return join(
        pick(ctx.pools.first_names, ctx.rng, n), " ", pick(ctx.pools.last_names, ctx.rng, n)
    )


def _title(ctx: Ctx, n: int) -> pa.Array:
    return pc.utf8_capitalize(words(ctx, n, 3))


_PROSE_POOL = 1 << 16
_PROSE_MAX = 8


def prose(ctx: Ctx, n: int) -> pa.Array:
    """Free text of 1-8 sentences, lengths long-tailed (geometric: most short, a few long).

    Drawn from a pool of 65,536 texts built per column: one ``take`` per column, like the
    other pools.
    """
    size = min(n, _PROSE_POOL)
    counts = np.minimum(ctx.rng.geometric(0.45, size), _PROSE_MAX)
    parts = [pick(ctx.pools.sentences, ctx.rng, size)]
    for i in range(1, _PROSE_MAX):
        parts.append(pc.if_else(pa.array(counts > i), pick(ctx.pools.sentences, ctx.rng, size), ""))
    pool = pc.utf8_rtrim_whitespace(join(*parts, sep=" "))
    return pick(pool, ctx.rng, n) if size < n else pool


def _locale(ctx: Ctx, n: int) -> pa.Array:
    return pick(
        pa.array(["en", "en-US", "en-GB", "fr", "fr-FR", "de-DE", "es", "pt-BR", "it", "nl"]),
        ctx.rng,
        n,
    )


def _color(ctx: Ctx, n: int) -> pa.Array:
    return join("#", hex_strings(ctx.rng, n, 6))


#: (regex on the column name, generator) — first match wins; text columns only.
TEXT_RULES: list[tuple[str, Callable[[Ctx, int], pa.Array]]] = [
    (r"e_?mail", _email),
    (r"^first_?name$|^given_name$", lambda c, n: pick(c.pools.first_names, c.rng, n)),
    (r"^last_?name$|^surname$|^family_name$", lambda c, n: pick(c.pools.last_names, c.rng, n)),
    (r"(full|display|contact|user)_?name$|^author$|^manager$", _person),
    (
        r"^user_?name$|^login$|^handle$",
        lambda c, n: pc.utf8_lower(
            join(pick(c.pools.first_names, c.rng, n), pick(c.pools.last_names, c.rng, n))
        ),
    ),
    (r"slug", _slug),
    (r"url|website|href|link", _url),
    (r"colou?r", _color),
    (r"locale|^lang(uage)?(_code)?$", _locale),
    (r"time_?zone|^tz$", lambda c, n: pick(c.pools.timezones, c.rng, n)),
    (r"passw(or)?d|passphrase|^pw_?hash$|^pwd", password_hashes),
    (r"hash|checksum|sha|digest|secret", lambda c, n: hex_strings(c.rng, n, 64)),
    (r"prefix", lambda c, n: join("wb_", hex_strings(c.rng, n, 8))),
    (r"content_?type|mime", lambda c, n: pick(c.pools.mime_types, c.rng, n)),
    (r"file_?name", lambda c, n: join(words(c, n, 2, "_"), ".", pick(c.pools.file_exts, c.rng, n))),
    (
        r"key$|path$",
        lambda c, n: join("uploads/", hex_strings(c.rng, n, 2), "/", hex_strings(c.rng, n, 16)),
    ),
    (
        r"^action$|event",
        lambda c, n: join(
            pick(c.pools.words, c.rng, n),
            ".",
            pick(pa.array(["created", "updated", "deleted", "viewed"]), c.rng, n),
        ),
    ),
    (
        r"(entity|object|resource)_?type|kind",
        lambda c, n: pick(
            pa.array(["task", "project", "comment", "user", "organisation"]), c.rng, n
        ),
    ),
    (r"company|organi[sz]ation|^org", lambda c, n: pick(c.pools.companies, c.rng, n)),
    (r"city", lambda c, n: pick(c.pools.cities, c.rng, n)),
    (r"country", lambda c, n: pick(c.pools.countries, c.rng, n)),
    (r"state|province|region", lambda c, n: pick(c.pools.states, c.rng, n)),
    (r"address|street", lambda c, n: pick(c.pools.streets, c.rng, n)),
    (r"district", lambda c, n: pick(c.pools.cities, c.rng, n)),
    (r"post(al)?_?code|zip", lambda c, n: pick(c.pools.postcodes, c.rng, n)),
    (r"phone|fax|mobile", lambda c, n: pick(c.pools.phones, c.rng, n)),
    (r"job|position|^title$", _title),
    (r"description|bio|body|comment|note|text|content|summary|message", lambda c, n: prose(c, n)),
    (r"name$", lambda c, n: pc.utf8_capitalize(words(c, n, 2))),
]

#: Tried in order when a regex CHECK rejects the name-chosen generator.
PATTERN_FALLBACKS: list[Callable[[Ctx, int], pa.Array]] = [
    _email,
    _slug,
    _url,
    _color,
    _locale,
    lambda c, n: hex_strings(c.rng, n, 64),
    lambda c, n: pick(c.pools.mime_types, c.rng, n),
    lambda c, n: pick(c.pools.words, c.rng, n),
    lambda c, n: pc.utf8_upper(pick(c.pools.words, c.rng, n)),
    lambda c, n: pc.cast(pa.array(c.rng.integers(0, 10**6, n)), pa.string()),
]


def text(ctx: Ctx, n: int) -> pa.Array:
    values = None
    if ctx.name in ctx.hints.values:
        values = pick(pa.array([str(v) for v in ctx.hints.values[ctx.name]]), ctx.rng, n)
    if values is None:
        probe = ctx.name.lower()
        table = ctx.table.split(".")[-1].lower()
        if probe == "name" and table in (
            "users",
            "user",
            "person",
            "people",
            "customer",
            "customers",
            "employee",
            "staff",
            "actor",
            "author",
            "authors",
        ):
            probe = "full_name"
        elif probe == "name" and table in (
            "organisations",
            "organizations",
            "companies",
            "company",
            "tenants",
            "accounts",
        ):
            probe = "company"
        elif probe == "name" and table in ("country", "countries"):
            probe = "country"
        elif probe == "name" and table in ("city", "cities"):
            probe = "city"
        elif probe == "name" and table in (
            "tags",
            "tag",
            "category",
            "categories",
            "genre",
            "genres",
            "labels",
        ):
            probe = "word"
            values = pick(ctx.pools.words, ctx.rng, n)
        elif (probe in ("title", "name") and not ctx.column.max_length) or probe == "title":
            values = _title(ctx, n)
        if (
            values is None
            and re.search(r"hash|digest|crypt|secret|credential", probe)
            and _PASSWORD_COMMENT.search(ctx.column.comment or "")
        ):
            values = password_hashes(ctx, n)  # the comment says what the name does not
        if values is None:
            for pattern, gen in TEXT_RULES:
                if re.search(pattern, probe):
                    values = gen(ctx, n)
                    break
        if values is None:
            values = words(ctx, n, 2)
    if ctx.hints.regex.get(ctx.name) and not _fit_regex(ctx, values.slice(0, 200)):
        for gen in PATTERN_FALLBACKS:
            candidate = gen(ctx, n)
            if _fit_regex(ctx, candidate.slice(0, 200)):
                values = candidate
                break
        else:
            built = regex_values(ctx, n)
            if built is not None:
                values = built
    if ctx.hints.case.get(ctx.name) == "lower":
        values = pc.utf8_lower(values)
    elif ctx.hints.case.get(ctx.name) == "upper":
        values = pc.utf8_upper(values)
    return values


def fit_length(values: pa.Array, limit: int | None, keep_tail: int = 0) -> pa.Array:
    """Truncate to ``limit`` characters, keeping the last ``keep_tail`` (a unique suffix)."""
    if limit is None:
        return values
    if keep_tail:
        head = pc.utf8_slice_codeunits(values, 0, -keep_tail)
        tail = pc.utf8_slice_codeunits(values, -keep_tail)
        return join(pc.utf8_slice_codeunits(head, 0, max(limit - keep_tail, 0)), tail)
    return pc.utf8_rtrim_whitespace(pc.utf8_slice_codeunits(values, 0, limit))


def fit_address(values: pa.Array, limit: int | None) -> pa.Array:
    """Addresses cut to ``limit`` in their local part, so the domain (and a format CHECK) survive."""
    if limit is None or not len(values):
        return values
    if not pc.all(pc.match_substring(values, "@")).as_py():
        return fit_length(values, limit)
    parts = pc.split_pattern(values, "@", max_splits=1)
    local, domain = pc.list_element(parts, 0), pc.list_element(parts, 1)
    room = pc.subtract(pa.scalar(limit - 1), pc.utf8_length(domain))
    over = pc.greater(pc.add(pc.utf8_length(local), pc.utf8_length(domain)), limit - 1)
    if not pc.any(over).as_py():
        return values
    longest = int(pc.min(room).as_py())
    short = join(pc.utf8_slice_codeunits(local, 0, max(longest, 1)), "@", domain)
    return pc.if_else(over, short, values)


def vector_literal(ctx: Ctx, n: int, dims: int) -> pa.Array:
    parts = [
        pc.cast(pa.array(np.round(ctx.rng.normal(0, 1, n), 4)), pa.string()) for _ in range(dims)
    ]
    return join("[", join(*parts, sep=","), "]")


def inet(ctx: Ctx, n: int) -> pa.Array:
    octets = [pc.cast(pa.array(ctx.rng.integers(1, 255, n)), pa.string()) for _ in range(4)]
    return join(*octets, sep=".")


def array_literal(ctx: Ctx, n: int, element: str) -> pa.Array:
    if element in ("integer", "bigint", "smallint"):
        items = [pc.cast(pa.array(ctx.rng.integers(1, 100, n)), pa.string()) for _ in range(2)]
    else:
        items = [pick(ctx.pools.words, ctx.rng, n) for _ in range(2)]
    return join("{", join(*items, sep=","), "}")


def base_values(ctx: Ctx, n: int) -> pa.Array | None:
    """Values for the column's type, or None when the type is beyond the generator."""
    t = ctx.base_type
    col = ctx.column
    if ctx.enum_values is not None:
        weights = 1.0 / np.arange(1, len(ctx.enum_values) + 1)
        idx = ctx.rng.choice(len(ctx.enum_values), n, p=weights / weights.sum())
        return pa.array(list(ctx.enum_values)).take(pa.array(idx))
    if col.is_array:
        return array_literal(ctx, n, t.removesuffix("[]"))
    if ctx.name in ctx.hints.values and t not in ("text", "character varying", "character", "uuid"):
        vals = ctx.hints.values[ctx.name]
        return pa.array(list(vals)).take(pa.array(ctx.rng.integers(0, len(vals), n)))
    if t in ("smallint", "integer", "bigint"):
        return integers(ctx, n)
    if t in ("numeric", "real", "double precision", "money"):
        return decimals(ctx, n)
    if t == "boolean":
        return pa.array(ctx.rng.random(n) < 0.8)
    if t in ("timestamp with time zone", "timestamp without time zone"):
        return pa.array(timestamps(ctx, n), pa.timestamp("us", tz="UTC"))
    if t == "date":
        days = timestamps(ctx, n) // (86400 * US)
        return pa.array(days.astype(np.int32), pa.int32()).cast(pa.date32())
    if t in ("time without time zone", "time with time zone"):
        secs = ctx.rng.integers(0, 86400, n)
        return pa.array(secs * US, pa.time64("us"))
    if t == "interval":
        return join(pc.cast(pa.array(ctx.rng.integers(1, 240, n)), pa.string()), " minutes")
    if t == "uuid":
        if ctx.name in ctx.hints.values:  # CHECK (id IN (...))
            vals = uuid_bytes(list(ctx.hints.values[ctx.name]))
            return vals.take(pa.array(ctx.rng.integers(0, len(vals), n)))
        return uuids(ctx.rng, n)
    if t in ("jsonb", "json"):
        return _json(ctx, n)
    if t in ("text", "character varying", "character", "citext", "name"):
        return text(ctx, n)
    if t in ("inet", "cidr"):
        return inet(ctx, n)
    if t == "bytea":
        return join("\\x", hex_strings(ctx.rng, n, 16))
    if t == "tsvector":
        return words(ctx, n, 4)
    if t == "vector":
        m = re.search(r"\((\d+)\)", col.type)
        return vector_literal(ctx, n, int(m.group(1)) if m else 3)
    return None


_REPEAT_EXTRA = 6  # an open-ended repeat (+, *, {2,}) adds at most this many
_CLASS = {
    "category_digit": "0123456789",
    "category_word": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_",
    "category_space": " ",
    "category_not_space": "abcdefghijklmnopqrstuvwxyz",
    "category_not_digit": "abcdefghijklmnopqrstuvwxyz",
    "category_not_word": "-",
}
_PRINTABLE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."


def _class_chars(items: list[Any]) -> str:
    """The characters a ``[...]`` class (or one class item) admits, from sre's parse."""
    chars = ""
    negate = False
    for op, arg in items:
        name = str(op).lower()
        if name == "negate":
            negate = True
        elif name == "literal":
            chars += chr(arg)
        elif name == "range":
            chars += "".join(chr(c) for c in range(arg[0], min(arg[1], arg[0] + 200) + 1))
        elif name == "category":
            chars += _CLASS.get(str(arg).lower(), "a")
    if negate:
        chars = "".join(c for c in _PRINTABLE if c not in chars)
    return "".join(dict.fromkeys(chars)) or "a"


def _from_parsed(parsed: Any, rng: np.random.Generator, n: int) -> pa.Array | None:
    """Vectorised strings matching a parsed pattern (sre), or None for constructs we skip."""
    parts: list[pa.Array] = []
    for op, arg in parsed:
        name = str(op).lower()
        if name == "literal":
            parts.append(pa.array([chr(arg)] * n, pa.string()))
        elif name in ("in", "any", "not_literal"):
            chars = (
                _class_chars(arg)
                if name == "in"
                else "".join(c for c in _PRINTABLE if name == "any" or c != chr(arg))
            )
            parts.append(pick(pa.array(list(chars)), rng, n))
        elif name in ("max_repeat", "min_repeat", "possessive_repeat"):
            lo, hi, sub = arg
            hi = min(hi, lo + _REPEAT_EXTRA) if hi is not None else lo + _REPEAT_EXTRA
            hi = min(hi, lo + _REPEAT_EXTRA)
            count = rng.integers(lo, hi + 1, n)
            for i in range(hi):
                piece = _from_parsed(sub, rng, n)
                if piece is None:
                    return None
                if i >= lo:
                    piece = pc.if_else(pa.array(count > i), piece, "")
                parts.append(piece)
        elif name == "subpattern":
            piece = _from_parsed(arg[-1], rng, n)
            if piece is None:
                return None
            parts.append(piece)
        elif name == "branch":
            options = [_from_parsed(b, rng, n) for b in arg[1]]
            if any(o is None for o in options):
                return None
            which = rng.integers(0, len(options), n)
            choice = options[0]
            for i, option in enumerate(options[1:], 1):
                choice = pc.if_else(pa.array(which == i), option, choice)
            parts.append(choice)  # type: ignore[arg-type]
        elif name == "at":
            continue  # anchors: the whole value is the match
        else:
            return None  # back-references, look-arounds: beyond this generator
    if not parts:
        return pa.array([""] * n, pa.string())
    return join(*parts) if len(parts) > 1 else parts[0]


def regex_values(ctx: Ctx, n: int) -> pa.Array | None:
    """Strings built from the column's (first) regex CHECK itself: the last fallback.

    Why: a CHECK like ``^[A-Z]{2}-[0-9]+$`` fits none of the realistic generators; its
    own parse (Python's ``re`` parser, close enough to PostgreSQL's for CHECK-style
    patterns) says what to build. Repeats are kept short. The evaluator still proves
    every value against PostgreSQL-compatible matching.
    """
    import re._parser as sre_parse  # type: ignore[import-not-found]

    patterns = ctx.hints.regex.get(ctx.name, [])
    if not patterns:
        return None
    try:
        parsed = sre_parse.parse(patterns[0][0])
    except (re.error, Exception):
        return None
    pool = min(n, 4096)
    values = _from_parsed(parsed, ctx.rng, pool)
    if values is None:
        return None
    return values.take(pa.array(ctx.rng.integers(0, pool, n))) if pool < n else values
