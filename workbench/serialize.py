"""Lossless JSON for the schema model: ``from_json(to_json(s)) == s``.

Why a generic walker over the dataclass fields instead of hand-written
converters: the model may grow optional fields, and a generic walker picks them
up without anyone remembering to update this module. Tuples become JSON arrays
and come back as tuples (the model compares with ``==``, and ``[] != ()``).
``server_version`` and ``Extension.version`` are kept too, although they are
excluded from equality. Unknown keys are rejected so a typo in a hand-edited
file fails loudly instead of silently dropping data.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from functools import cache
from typing import Any

from workbench import model
from workbench.errors import WorkbenchError
from workbench.model import Schema

#: Bumped when the JSON layout changes incompatibly.
FORMAT_VERSION = 1


class SerializationError(WorkbenchError):
    """A JSON document does not describe a schema model."""


def to_dict(schema: Schema) -> dict[str, Any]:
    """Return plain dicts/lists/scalars for ``schema`` (JSON-ready)."""
    out = _encode(schema)
    out["format_version"] = FORMAT_VERSION
    return out


def from_dict(data: dict[str, Any]) -> Schema:
    """Rebuild a :class:`Schema` from :func:`to_dict` output."""
    data = dict(data)
    version = data.pop("format_version", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise SerializationError(
            f"schema JSON format {version} is not supported (want {FORMAT_VERSION})"
        )
    return _decode(Schema, data, "schema")


def to_json(schema: Schema, *, indent: int | None = 2) -> str:
    """Serialise ``schema`` to JSON text (stable key order, UTF-8 kept readable)."""
    return json.dumps(to_dict(schema), indent=indent, ensure_ascii=False)


def from_json(text: str) -> Schema:
    """Parse JSON written by :func:`to_json`."""
    return from_dict(json.loads(text))


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(model))


def _decode(tp: Any, value: Any, where: str) -> Any:
    if value is None:
        return None
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise SerializationError(f"{where}: expected an object for {tp.__name__}")
        hints = _hints(tp)
        unknown = set(value) - set(hints)
        if unknown:
            raise SerializationError(f"{where}: unknown keys {sorted(unknown)} for {tp.__name__}")
        return tp(**{k: _decode(hints[k], v, f"{where}.{k}") for k, v in value.items()})
    origin = typing.get_origin(tp)
    if origin is tuple:
        (item, *_rest) = typing.get_args(tp)
        return tuple(_decode(item, v, f"{where}[{i}]") for i, v in enumerate(value))
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return _decode(inner[0], value, where) if len(inner) == 1 else value
    return value


__all__ = ["FORMAT_VERSION", "SerializationError", "from_dict", "from_json", "to_dict", "to_json"]
