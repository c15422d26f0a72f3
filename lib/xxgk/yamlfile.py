"""The package's YAML data files, parsed by libyaml's C parser where PyYAML was built with it.

Every reading process (a report's first read, a CLI check) parses the layouts and the rule catalog;
PyYAML's pure-Python parser made that a noticeable part of reading one report. The C parser gives the
same objects (a test compares both on every file here) several times faster.
"""

from __future__ import annotations

from pathlib import Path

import yaml

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # PyYAML without libyaml has only the Python one


def load(path: Path) -> object:
    """The one document in `path`."""
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=SafeLoader)


def load_all(path: Path) -> list:
    """Every document in `path`, in order."""
    with open(path, encoding="utf-8") as fh:
        return list(yaml.load_all(fh, Loader=SafeLoader))
