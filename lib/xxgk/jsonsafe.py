"""Standard JSON only: a non-finite float (NaN, ±inf) becomes null instead of Python's `NaN`/`Infinity`,
which other JSON readers reject; every JSON the package prints or writes goes through `dumps`."""

from __future__ import annotations

import json
import math
from typing import Any


def finite(obj: Any) -> Any:
    """The same structure with every non-finite float replaced by None.

    Examples:
        >>> finite({"a": [1.5, float("inf")], "b": float("nan")})
        {'a': [1.5, None], 'b': None}
    """
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite(v) for v in obj]
    return obj


def dumps(obj: Any, **kwargs) -> str:
    """json.dumps that can only produce standard JSON (allow_nan=False after `finite`).

    Encoded as it is first: allow_nan=False refuses a non-finite float, and only then is the structure copied by
    `finite` (a walk of the whole report in Python, which most reports do not need).

    Examples:
        >>> dumps({"a": 1.5}), dumps({"a": float("nan")})
        ('{"a": 1.5}', '{"a": null}')
    """
    try:
        return json.dumps(obj, allow_nan=False, **kwargs)
    except ValueError:
        return json.dumps(finite(obj), allow_nan=False, **kwargs)
