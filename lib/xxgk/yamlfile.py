"""The package's YAML data files, parsed by libyaml's C parser where PyYAML was built with it.

The pure-Python parser spent about 0.16 s of CPU on the package's YAML, the layouts alone half of
it, and every reading process (a report's first read, a CLI check) paid it; the C parser gives the
same objects (a test compares both on every file here) in about an eighth of the time.
"""

from __future__ import annotations

from pathlib import Path

import yaml

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # PyYAML without libyaml has only the Python one


def load(path: Path) -> object:
    """The one document in `path`."""
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=SafeLoader)  # noqa: S506 (a safe loader)


def load_all(path: Path) -> list:
    """Every document in `path`, in order."""
    with open(path, encoding="utf-8") as fh:
        return list(yaml.load_all(fh, Loader=SafeLoader))  # noqa: S506 (a safe loader)
