"""What an agency's Chinese name says: its places, its level, its parent's name and an ASCII id.

`xxgk import` registers agencies no one has typed into agencies.csv; the name is all it has, so the
name's places and organ (淮安市 + 洪泽区 + 人民政府, 沭阳县 + 发展和改革局) decide level and parent.
The word lists are data in agency_names.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from xxgk import yamlfile
from xxgk.config import PACKAGE_DIR
from xxgk.nfkc import nfkc


@lru_cache(maxsize=1)
def _rules() -> dict:
    return yamlfile.load(PACKAGE_DIR / "agency_names.yaml")


@lru_cache(maxsize=1)
def _place_pattern() -> re.Pattern:
    suffixes = "|".join(sorted(_rules()["place_suffixes"], key=len, reverse=True))
    return re.compile(rf"(?:.+?(?:{suffixes}))")


def normalize(name: str) -> str:
    """The name as compared: full-width folded, no spaces or punctuation."""
    text = nfkc(name or "")
    return re.sub(r"[\s\u3000·•・,，、()（）\[\]【】<>《》\"'“”‘’:：]", "", text)


def match_key(name: str) -> str:
    """Names that mean the same agency share a key: 沭阳县 and 沭阳县人民政府 are one government."""
    key = normalize(name)
    suffix = _rules()["government_suffix"]
    return key[: -len(suffix)] if key.endswith(suffix) and len(key) > len(suffix) else key


@dataclass(frozen=True)
class AgencyName:
    name: str
    places: tuple[str, ...]  # 淮安市, 洪泽区
    organ: str  # 人民政府, 发展和改革局, "" for a bare place

    @property
    def tier(self) -> str:
        """province / city / county / township / zone, "" when the name holds no place."""
        if not self.places:
            return ""
        rules = _rules()
        place = self.places[-1]
        if len(self.places) == 1 and place in rules["municipalities"]:
            return "province"
        suffix = next(s for s in sorted(rules["place_tiers"], key=len, reverse=True) if place.endswith(s))
        return rules["place_tiers"][suffix]

    @property
    def is_government(self) -> bool:
        return bool(self.places) and self.organ in _rules()["government_organs"]

    @property
    def level(self) -> str:
        """agencies.csv level code; "" when the name does not tell."""
        codes = _rules()["levels"].get(self.tier)
        return (codes[0] if self.is_government else codes[1]) if codes else ""

    @property
    def region(self) -> str:
        return "".join(self.places)

    @property
    def parent_name(self) -> str:
        """The government a department or lower government reports to, as the name implies; "" if none."""
        places = self.places if not self.is_government else self.places[:-1]
        if not places:
            return ""
        parent = parse("".join(places))
        rules = _rules()
        return parent.name if parent.tier in rules["bare_government_tiers"] else parent.name + rules["government_suffix"]


def parse(name: str) -> AgencyName:
    """Split a name into its leading places and the organ after them."""
    text = normalize(name)
    places = []
    pos = 0
    pattern = _place_pattern()
    rules = _rules()
    while True:
        m = pattern.match(text, pos)
        # A place is a short name without organ words (城乡建设局, 城市管理局 hold no place).
        if not m or len(m.group(0)) > 12 or "和" in m.group(0) or m.group(0) in rules["not_places"]:
            break
        # 镇/乡/街道 are places only when the name ends with their government (住房和城乡建设局 is not).
        if m.group(0).endswith(tuple(rules["township_suffixes"])) and text[m.end():] not in rules["government_organs"]:
            break
        places.append(m.group(0))
        pos = m.end()
    return AgencyName(text, tuple(places), text[pos:])


def slug(name: str) -> str:
    """An ASCII id from the name: the places in pinyin, the organ by initials (shuyangxian-fzhggj).

    "" when nothing in the name can be spelled in ASCII.
    """
    from pypinyin import Style, lazy_pinyin

    def ascii_only(parts) -> str:
        return re.sub(r"[^a-z0-9]", "", "".join(parts).lower())

    parsed = parse(name)
    place = ascii_only(lazy_pinyin(parsed.region, errors="ignore"))
    if parsed.is_government:
        organ = "gov" if parsed.organ else ""
    else:
        organ = ascii_only(lazy_pinyin(parsed.organ, style=Style.FIRST_LETTER, errors="ignore"))
    text = "-".join(p for p in (place, organ) if p) or ascii_only(lazy_pinyin(parsed.name, errors="ignore"))
    return text[:56].strip("-")
