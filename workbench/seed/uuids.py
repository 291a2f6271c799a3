"""How the seeder holds UUIDs: 16 raw bytes (``pa.binary(16)``), from generation to COPY.

Why bytes and not the 36-character text: the binary COPY sends exactly these bytes and
foreign keys copy them with ``take``; text would only be parsed back by the encoder.
The CSV path and CHECK evaluation, which meet uuid text, convert here.
"""

from __future__ import annotations

import uuid

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

UUID = pa.binary(16)


def uuid_text(arr: pa.Array) -> pa.Array:
    """16-byte UUIDs as their 8-4-4-4-12 text (for CSV COPY and for reading)."""
    valid = arr.is_valid()
    filled = arr.fill_null(b"\0" * 16)  # a new array: its own offset, not the slice's
    raw = np.frombuffer(filled.buffers()[1], np.uint8)
    raw = raw[filled.offset * 16 :][: len(arr) * 16].reshape(-1, 16)
    hexd = np.frombuffer(b"0123456789abcdef", np.uint8)
    chars = np.empty((len(arr), 32), np.uint8)
    chars[:, 0::2] = hexd[raw >> 4]
    chars[:, 1::2] = hexd[raw & 0x0F]
    out = np.full((len(arr), 36), ord("-"), np.uint8)
    for dst, src, width in ((0, 0, 8), (9, 8, 4), (14, 12, 4), (19, 16, 4), (24, 20, 12)):
        out[:, dst : dst + width] = chars[:, src : src + width]
    text = (
        pa.FixedSizeBinaryArray.from_buffers(pa.binary(36), len(arr), [None, pa.py_buffer(out)])
        .cast(pa.binary())
        .cast(pa.string())
    )
    return pc.if_else(valid, text, pa.scalar(None, pa.string())) if arr.null_count else text


def uuid_bytes(values: list[object]) -> pa.Array:
    """UUID literals (text or uuid.UUID) as 16-byte values."""
    return pa.array([uuid.UUID(str(v)).bytes for v in values], UUID)
