"""The package's YAML, read by the C parser, is what the pure-Python parser reads.

The two are separate implementations; a YAML edit that they read differently (a tag, an escape,
a key type) would change the layouts or the rules silently, so every data file is compared.
"""

from __future__ import annotations

import pytest
import yaml

from xxgk import yamlfile
from xxgk.config import PACKAGE_DIR

FILES = sorted(PACKAGE_DIR.rglob("*.yaml"))


def test_the_c_parser_is_used():
    assert yaml.__with_libyaml__, "PyYAML was installed without libyaml: every reading process parses slowly"
    assert yamlfile.SafeLoader is yaml.CSafeLoader


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(PACKAGE_DIR).as_posix() for p in FILES])
def test_both_parsers_agree(path):
    with open(path, encoding="utf-8") as fh:
        python = list(yaml.load_all(fh, Loader=yaml.SafeLoader))
    assert yamlfile.load_all(path) == python
    assert python, f"{path}: empty"


def test_layouts_and_catalog_are_among_them():
    names = {p.name for p in FILES}
    assert {"gb2019.yaml", "gb2021.yaml", "catalog.yaml", "kiro_json.yaml"} <= names
