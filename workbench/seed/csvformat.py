"""CSV COPY input for tables the binary encoder cannot take (see :mod:`workbench.seed.binary`).

Why CSV and not text format: pyarrow's C++ CSV writer renders a whole table without a
Python loop per row, and PostgreSQL's input functions accept every type from it
(arrays, intervals, tsvector, pgvector, ...), so this path works for any column.
"""

from __future__ import annotations

import io

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv

from workbench.seed.generate import TableData
from workbench.seed.uuids import UUID, uuid_text


def format_timestamps(arr: pa.Array) -> pa.Array:
    """'YYYY-MM-DD HH:MM:SS+00' strings, built with integer arithmetic (pyarrow's own is slow)."""
    us = arr.cast(pa.int64())
    valid = us.is_valid()
    secs = np.nan_to_num(us.to_numpy(zero_copy_only=False), nan=0).astype(np.int64) // 1_000_000
    days, sod = np.divmod(secs, 86400)
    # civil-from-days (H. Hinnant)
    z = days + 719468
    era = np.floor_divide(z, 146097)
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = np.where(mp < 10, mp + 3, mp - 9)
    y = y + (m <= 2)
    hh, rem = np.divmod(sod, 3600)
    mi, ss = np.divmod(rem, 60)
    n = len(secs)
    out = np.empty((n, 22), np.uint8)
    zero = ord("0")
    for pos, value, width in (
        (0, y, 4),
        (5, m, 2),
        (8, d, 2),
        (11, hh, 2),
        (14, mi, 2),
        (17, ss, 2),
    ):
        for k in range(width):
            out[:, pos + width - 1 - k] = zero + (value // 10**k) % 10
    out[:, 4] = out[:, 7] = ord("-")
    out[:, 10] = ord(" ")
    out[:, 13] = out[:, 16] = ord(":")
    out[:, 19:22] = np.frombuffer(b"+00", np.uint8)
    strings = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(22), n, [None, pa.py_buffer(out.tobytes())]
    ).cast(pa.binary())
    strings = strings.cast(pa.string())
    return pa.compute.if_else(valid, strings, pa.scalar(None, pa.string()))


def to_copy_table(data: TableData) -> pa.Table:
    """The columns as a pyarrow table whose CSV rendering PostgreSQL's COPY accepts."""
    cols = {}
    for name, arr in data.columns.items():
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        if arr.type == UUID:
            arr = uuid_text(arr)
        elif pa.types.is_timestamp(arr.type):
            arr = format_timestamps(arr)
        elif pa.types.is_date(arr.type) or pa.types.is_time(arr.type):
            arr = arr.cast(pa.string())
        cols[name] = arr
    return pa.table(cols) if cols else pa.table({})


def csv_bytes(data: TableData) -> bytes:
    buf = io.BytesIO()
    table = to_copy_table(data)
    if table.num_columns:
        pcsv.write_csv(table, buf, pcsv.WriteOptions(include_header=False, batch_size=65536))
    return buf.getvalue()
