"""Vocabulary pools drawn once from Faker, then combined with numpy indexing.

Calling Faker per value costs microseconds each, far too slow for millions of rows;
drawing a few thousand values once per seed and indexing into them is ~free. Pools
are deterministic for a given seed (Faker is seeded with it).

Drawing them still takes ~0.7 s of Faker calls, paid by every new notebook kernel or
CLI run, so they are kept in the cache directory as one Arrow file per seed and Faker
version (a few hundred KB; read back in milliseconds).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version

import pyarrow as pa
from faker import Faker

from workbench.files import atomic_path, cache_dir

#: bump when the pools' recipe below changes, so old cache files are not read
POOLS_LAYOUT = 1


@dataclass(frozen=True)
class Pools:
    first_names: pa.Array
    last_names: pa.Array
    words: pa.Array
    sentences: pa.Array
    companies: pa.Array
    cities: pa.Array
    countries: pa.Array
    streets: pa.Array
    states: pa.Array
    postcodes: pa.Array
    phones: pa.Array
    domains: pa.Array
    job_titles: pa.Array
    timezones: pa.Array
    file_exts: pa.Array
    mime_types: pa.Array

    @staticmethod
    def build(seed: int) -> Pools:
        return _build(seed)


def _unique(values: list[str], ascii_only: bool = False) -> pa.Array:
    seen: dict[str, None] = {}
    for v in values:
        v = v.strip()
        if (
            v
            and (not ascii_only or v.isascii())
            and "\t" not in v
            and "\n" not in v
            and "\\" not in v
        ):
            seen.setdefault(v, None)
    return pa.array(list(seen), pa.string())


@cache
def _build(seed: int) -> Pools:
    path = cache_dir() / "vocab" / f"pools-{POOLS_LAYOUT}-faker{version('faker')}-{seed}.arrow"
    try:
        with pa.OSFile(str(path)) as source:  # read into memory, not mapped
            table = pa.ipc.open_file(source).read_all()
        return Pools(**{name: table[name][0].values for name in table.column_names})
    except (OSError, pa.ArrowInvalid, KeyError, TypeError):
        pass  # not cached yet (or unreadable): draw and cache
    pools = _draw(seed)
    table = pa.table(
        {
            f.name: pa.ListArray.from_arrays([0, len(values)], values)
            for f in dataclasses.fields(Pools)
            for values in [getattr(pools, f.name)]
        }
    )
    try:
        with (
            atomic_path(path) as tmp,
            pa.OSFile(str(tmp), "wb") as sink,
            pa.ipc.new_file(sink, table.schema) as writer,
        ):
            writer.write_table(table)
    except OSError:
        pass  # a read-only cache only costs the next run the draw
    return pools


def _draw(seed: int) -> Pools:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    return Pools(
        first_names=_unique([fake.first_name() for _ in range(2000)]),
        last_names=_unique([fake.last_name() for _ in range(2000)]),
        words=_unique([w.lower() for w in fake.words(6000)], ascii_only=True),
        sentences=_unique([fake.sentence(nb_words=12) for _ in range(1000)]),
        companies=_unique([fake.company() for _ in range(1500)]),
        cities=_unique([fake.city() for _ in range(1500)]),
        countries=_unique([fake.country() for _ in range(600)]),
        streets=_unique([fake.street_address() for _ in range(1000)]),
        states=_unique([fake.state() for _ in range(200)]),
        postcodes=_unique([fake.postcode() for _ in range(2000)]),
        phones=_unique([fake.numerify("+1-###-###-####") for _ in range(1000)]),
        domains=_unique(
            [fake.free_email_domain() for _ in range(50)]
            + [fake.domain_name() for _ in range(300)],
            ascii_only=True,
        ),
        job_titles=_unique([fake.job() for _ in range(800)]),
        timezones=_unique([fake.timezone() for _ in range(600)]),
        file_exts=pa.array(
            ["pdf", "png", "jpg", "docx", "xlsx", "csv", "txt", "zip", "mp4", "svg"]
        ),
        mime_types=pa.array(
            [
                "application/pdf",
                "image/png",
                "image/jpeg",
                "text/plain",
                "text/csv",
                "application/zip",
                "video/mp4",
                "image/svg+xml",
            ]
        ),
    )
