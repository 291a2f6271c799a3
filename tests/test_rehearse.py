"""Rehearsals of migration kinds on seeded data (issue 17): measured locks equal PostgreSQL's
documented ones, rewrites are detected exactly where they happen, the safe forms are the ones
applied, and both directions are proven (model equals B then A, untouched and moved columns
keep their checksums). Two small scales, so the suite stays quick."""

from __future__ import annotations

import pytest

from workbench.rehearse import rehearse_paths

BASE = """
CREATE TYPE status AS ENUM ('new', 'paid');
CREATE TABLE customer (
    id bigint PRIMARY KEY,
    name varchar(40) NOT NULL,
    email text,
    city text
);
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL CONSTRAINT orders_customer_fk REFERENCES customer,
    amount integer NOT NULL,
    status status NOT NULL,
    note text
);
"""

SCALES = (2_000, 20_000)

AE, SRE, SUE, RE = (
    "ACCESS EXCLUSIVE",
    "SHARE ROW EXCLUSIVE",
    "SHARE UPDATE EXCLUSIVE",
    "ROW EXCLUSIVE",
)

# kind → (B as an edit of BASE, rename hints, expected up statements:
#         (text the statement starts with, documented lock, rewrite))
KINDS: dict[str, tuple[tuple[tuple[str, str], ...], dict[str, str], list[tuple[str, str, bool]]]] = {
    "add column": (
        (("    note text\n", "    note text,\n    channel text DEFAULT 'web'\n"),),
        {},
        [("ALTER TABLE public.orders ADD COLUMN channel", AE, False)],
    ),
    "add column, volatile default": (
        (("    note text\n", "    note text,\n    r double precision DEFAULT random()\n"),),
        {},
        [("ALTER TABLE public.orders ADD COLUMN r", AE, True)],
    ),
    "add NOT NULL": (
        (("    email text,", "    email text NOT NULL,"),),
        {},
        [
            ("ALTER TABLE public.customer ADD CONSTRAINT wb_not_null_customer_email CHECK", AE, False),
            ("ALTER TABLE public.customer VALIDATE CONSTRAINT wb_not_null_customer_email", SUE, False),
            ("ALTER TABLE public.customer ALTER COLUMN email SET NOT NULL", AE, False),
            ("ALTER TABLE public.customer DROP CONSTRAINT wb_not_null_customer_email", AE, False),
        ],
    ),
    "add FK": (
        (("REFERENCES customer,", "REFERENCES customer ON DELETE CASCADE,"),),
        {},
        [
            ("ALTER TABLE public.orders DROP CONSTRAINT orders_customer_fk", AE, False),
            ("ALTER TABLE public.orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY", SRE, False),
            ("ALTER TABLE public.orders VALIDATE CONSTRAINT orders_customer_fk", SUE, False),
        ],
    ),
    "add CHECK": (
        (("    note text\n", "    note text CONSTRAINT note_len CHECK (length(coalesce(note, '')) < 100000)\n"),),
        {},
        [
            ("ALTER TABLE public.orders ADD CONSTRAINT note_len CHECK", AE, False),
            ("ALTER TABLE public.orders VALIDATE CONSTRAINT note_len", SUE, False),
        ],
    ),
    "add UNIQUE": (
        (("    city text\n", "    city text,\n    CONSTRAINT customer_id_name_key UNIQUE (id, name)\n"),),
        {},
        [
            ("CREATE UNIQUE INDEX CONCURRENTLY customer_id_name_key ON public.customer", SUE, False),
            ("ALTER TABLE public.customer ADD CONSTRAINT customer_id_name_key UNIQUE USING INDEX", AE, False),
        ],
    ),
    "create index": (
        (("    note text\n);", "    note text\n);\nCREATE INDEX orders_status_idx ON orders (status);"),),
        {},
        [("CREATE INDEX CONCURRENTLY orders_status_idx ON public.orders", SUE, False)],
    ),
    "widen type (varchar), narrow back": (
        (("name varchar(40)", "name varchar(80)"),),
        {},
        [("ALTER TABLE public.customer ALTER COLUMN name TYPE character varying(80);", AE, False)],
    ),
    "widen type (integer -> bigint), narrow back": (
        (("amount integer", "amount bigint"),),
        {},
        [("ALTER TABLE public.orders ALTER COLUMN amount TYPE bigint;", AE, True)],
    ),
    "rename table": (
        (("TABLE customer (", "TABLE client ("), ("REFERENCES customer", "REFERENCES client")),
        {"public.customer": "client"},
        [
            ("ALTER TABLE public.customer RENAME TO client", AE, False),
            ("ALTER TABLE public.client RENAME CONSTRAINT customer_pkey TO client_pkey", AE, False),
        ],
    ),
    "rename column": (
        (("    note text\n", "    remark text\n"),),
        {},
        [("ALTER TABLE public.orders RENAME COLUMN note TO remark", AE, False)],
    ),
    "drop column": (
        (("    email text,\n    city text\n", "    email text\n"),),
        {},
        [("ALTER TABLE public.customer DROP COLUMN city", AE, False)],
    ),
    "enum value added": (
        (("('new', 'paid')", "('new', 'paid', 'shipped')"),),
        {},
        [("ALTER TYPE public.status ADD VALUE 'shipped'", "", False)],
    ),
    "table split": (
        (
            ("    email text,\n    city text\n);", "    email text\n);\n"
             "CREATE TABLE customer_address (customer_id bigint PRIMARY KEY REFERENCES customer, city text);"),
        ),
        {},
        [
            ("CREATE TABLE public.customer_address", AE, False),
            ("INSERT INTO public.customer_address", RE, False),
            ("ALTER TABLE public.customer DROP COLUMN city", AE, False),
            # On a table this migration created: plain (nobody else uses it yet).
            ("ALTER TABLE public.customer_address ADD CONSTRAINT customer_address_customer_id_fkey", SRE, False),
        ],
    ),
}  # fmt: skip


def _version(tmp_path, name: str, text: str):
    d = tmp_path / name
    d.mkdir()
    (d / "schema.sql").write_text(text)
    return d


@pytest.fixture(scope="module")
def rehearsals(server, tmp_path_factory):
    """Every kind rehearsed once (both scales, both directions); the tests read the results."""
    out = {}
    for kind, (edits, renames, _) in KINDS.items():
        new = BASE
        for a, b in edits:
            assert a in new, (kind, a)
            new = new.replace(a, b)
        tmp = tmp_path_factory.mktemp("rehearse")
        out[kind] = rehearse_paths(
            server,
            _version(tmp, "a", BASE),
            _version(tmp, "b", new),
            rows=SCALES,
            renames=renames,
            seed_options={"null_fraction": 0.0},
        )
    return out


@pytest.mark.parametrize("kind", list(KINDS))
def test_measured_locks_rewrites_and_safe_forms(rehearsals, kind):
    r = rehearsals[kind]
    expected = KINDS[kind][2]
    for n in SCALES:
        up = [row for row in r.rows if row.direction == "up" and row.rows == n]
        assert len(up) == len(expected), [row.statement for row in up]
        for row, (start, lock, rewrite) in zip(up, expected, strict=True):
            assert row.statement.startswith(start), (row.statement, start)
            assert row.documented_lock == lock, row
            assert row.measured_lock == lock, row
            assert row.rewrite_documented == rewrite and row.rewrite_measured == rewrite, row
        # Downgrades too: the measured lock is the documented one, rewrites where documented.
        for row in (x for x in r.rows if x.direction == "down" and x.rows == n):
            if row.documented_lock:
                assert row.measured_lock == row.documented_lock, row
            assert row.rewrite_measured == row.rewrite_documented, row


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "enum value added"])
def test_both_directions_are_proven(rehearsals, kind):
    r = rehearsals[kind]
    assert {(c.direction, c.rows) for c in r.checks} == {
        (d, n) for d in ("up", "down") for n in SCALES
    }
    assert r.proven, [c for c in r.checks if not c.ok]


def test_an_added_enum_value_cannot_be_migrated_back(rehearsals):
    """PostgreSQL cannot drop an enum value: the downgrade is a MANUAL note, and the rehearsal
    says the model is not A (everything else survives)."""
    r = rehearsals["enum value added"]
    failed = [c for c in r.checks if not c.ok]
    assert failed and all(c.direction == "down" and c.what == "model equals A" for c in failed)
    assert "+shipped" in failed[0].details  # the database still has it
    assert all(c.ok for c in r.checks if c.direction == "up")


def test_the_split_copies_rows_and_the_merge_brings_them_back(rehearsals):
    r = rehearsals["table split"]
    moved = [c for c in r.checks if c.what.startswith("checksums of 1 moved")]
    assert len(moved) == 4 and all(c.ok for c in moved)
    down = [row.statement for row in r.rows if row.direction == "down" and row.rows == SCALES[0]]
    assert any(s.startswith("UPDATE public.customer SET city = s.city") for s in down)


def test_unsafe_rehearsal_measures_the_plain_forms(server, tmp_path):
    """The plain CREATE INDEX takes SHARE (blocks writes), the plain CHECK scans under ACCESS
    EXCLUSIVE: what the safe forms avoid."""
    new = BASE.replace("    note text\n);", "    note text CHECK (amount > -3000000000)\n);\n"
                       "CREATE INDEX orders_status_idx ON orders (status);")  # fmt: skip
    r = rehearse_paths(server, _version(tmp_path, "a", BASE), _version(tmp_path, "b", new),
                       rows=(2_000,), safe=False, probes=False)  # fmt: skip
    up = {
        row.statement.split(" ")[0] + " " + row.measured_lock
        for row in r.rows
        if row.direction == "up"
    }
    assert up == {"ALTER ACCESS EXCLUSIVE", "CREATE SHARE"}
    assert not any(row.safe_form for row in r.rows)
    assert r.proven


def test_report_is_a_frame_a_markdown_file_and_a_picture(rehearsals, tmp_path):
    r = rehearsals["widen type (integer -> bigint), narrow back"]
    frame = r.frame
    assert set(SCALES) == set(frame["rows"])
    assert {"measured_lock", "held_s", "probes_blocked", "rewrite_measured"} <= set(frame.columns)
    summary = r.summary()
    assert "ms_per_M_rows" in summary.columns
    assert any("holds ACCESS EXCLUSIVE for about" in s for s in r.sentences())
    md, png = r.write(tmp_path / "out")
    assert "| direction |" in md.read_text() and "model equals B: ok" in md.read_text()
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_rehearse_prints_the_summary_and_writes_the_report(tmp_path, capsys):
    from workbench.cli import main

    new = BASE.replace("amount integer", "amount bigint")
    a, b = _version(tmp_path, "a", BASE), _version(tmp_path, "b", new)
    out = tmp_path / "report"
    assert (
        main(["rehearse", str(a), str(b), "--rows", "500", "--rows", "1500", "--out", str(out)])
        == 0
    )
    printed = capsys.readouterr().out
    assert "ALTER TABLE public.orders ALTER COLUMN amount TYPE bigint" in printed
    assert "holds ACCESS EXCLUSIVE for about" in printed
    assert "up at 1,500 rows: model equals B: ok" in printed
    assert (out / "rehearsal.md").is_file() and (out / "rehearsal.png").is_file()


def test_cli_rehearse_bad_input_exits_2(tmp_path, capsys):
    from workbench.cli import main

    a = _version(tmp_path, "a", BASE)
    assert main(["rehearse", str(a), str(a), "--rows", "0"]) == 2
    assert "--rows needs positive row counts" in capsys.readouterr().err
    assert main(["rehearse", str(a), str(a), "--rows", "10"]) == 2
    assert "nothing to rehearse" in capsys.readouterr().err


def test_cli_diff_unsafe_writes_the_plain_form(tmp_path, capsys):
    from workbench.cli import main

    new = BASE.replace(
        "    note text\n);", "    note text\n);\nCREATE INDEX orders_status_idx ON orders (status);"
    )
    a, b = _version(tmp_path, "a", BASE), _version(tmp_path, "b", new)
    assert main(["diff", str(a), str(b), "--migration", str(tmp_path / "safe.sql")]) == 0
    assert (
        main(["diff", str(a), str(b), "--unsafe", "--migration", str(tmp_path / "plain.sql")]) == 0
    )
    assert "CREATE INDEX CONCURRENTLY orders_status_idx" in (tmp_path / "safe.sql").read_text()
    plain = (tmp_path / "plain.sql").read_text()
    assert (
        "CREATE INDEX orders_status_idx ON public.orders" in plain and "lock_timeout" not in plain
    )


def test_cli_diff_timeouts_are_settable_and_checked(tmp_path, capsys):
    from workbench.cli import main

    new = BASE.replace("amount integer", "amount bigint")
    a, b = _version(tmp_path, "a", BASE), _version(tmp_path, "b", new)
    out = tmp_path / "m.sql"
    argv = ["diff", str(a), str(b), "--migration", str(out)]
    assert main([*argv, "--lock-timeout", "2s", "--statement-timeout", "30min"]) == 0
    assert "SET lock_timeout = '2s'; SET statement_timeout = '30min';" in out.read_text()
    assert main([*argv, "--lock-timeout", "soon"]) == 2
    assert "timeout 'soon': expected a number with a unit" in capsys.readouterr().err


def test_session_rehearses_from_an_old_version_to_its_schema(server, tmp_path):
    import workbench

    new = BASE.replace(
        "    note text\n);", "    note text\n);\nCREATE INDEX orders_status_idx ON orders (status);"
    )
    a, b = _version(tmp_path, "a", BASE), _version(tmp_path, "b", new)
    with workbench.open(b, server=server) as wb:
        r = wb.rehearse(a, rows=(300,), probes=False)
    assert r.proven
    up = [row for row in r.rows if row.direction == "up"]
    assert [(row.statement.split(" ON ")[0], row.measured_lock) for row in up] == [
        ("CREATE INDEX CONCURRENTLY orders_status_idx", "SHARE UPDATE EXCLUSIVE")
    ]
