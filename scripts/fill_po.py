"""Fill empty msgstr entries of a .po file from a zh→en mapping file (tab-separated lines).

Usage: python scripts/fill_po.py path/to/django.po path/to/en.tsv
Keeps what is already translated; lists the msgids still empty and their count, so none slips by.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path


def _quote(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


FUZZY = re.compile(
    r'#, fuzzy(?P<flags>(?:, [\w-]+)*)\n(?:#\|.*\n)*(?P<msgid>msgid "(?!").*\n(?:msgid_plural .*\n)?)'
    r'(?:msgstr.*\n(?:".*"\n)*)+'
)


def _unfuzz(m: re.Match[str]) -> str:
    """Drop the guess and the fuzzy flag, keeping the other flags (`#, fuzzy, python-format`)."""
    msgid = m["msgid"]
    empty = 'msgstr[0] ""\nmsgstr[1] ""\n' if "msgid_plural" in msgid else 'msgstr ""\n'
    flags = f"#{m['flags'][1:]}\n" if m["flags"] else ""
    return flags + msgid + empty


def main(po_path: str, tsv_path: str) -> int:
    mapping = {}
    for line in Path(tsv_path).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            zh, en = line.split("\t", 1)
            mapping[zh] = en
    text = Path(po_path).read_text(encoding="utf-8")
    # msgmerge guesses "fuzzy" translations from similar msgids (督办 → 督查督办's); never keep a guess.
    text = FUZZY.sub(_unfuzz, text)
    missing: list[str] = []

    def fill(m: re.Match[str]) -> str:
        msgid = m.group(1)
        plural = m.group(2)
        if plural is not None:
            en = mapping.get(msgid)
            if en is None:
                missing.append(msgid)
                return m.group(0)
            en_plural = mapping.get(plural, en)
            return f'msgid "{msgid}"\nmsgid_plural "{plural}"\nmsgstr[0] "{_quote(en)}"\nmsgstr[1] "{_quote(en_plural)}"\n'
        if msgid == "":
            return m.group(0)
        en = mapping.get(msgid)
        if en is None:
            missing.append(msgid)
            return m.group(0)
        return f'msgid "{msgid}"\nmsgstr "{_quote(en)}"\n'

    pattern = re.compile(
        r'msgid "((?:[^"\\]|\\.)*)"\n(?:msgid_plural "((?:[^"\\]|\\.)*)"\nmsgstr\[0\] ""\nmsgstr\[1\] ""\n|msgstr ""\n(?!"))'
    )
    text = pattern.sub(fill, text)
    text = text.replace("#, fuzzy\n", "")
    Path(po_path).write_text(text, encoding="utf-8")
    for msgid in missing:
        print(f"untranslated: {msgid}", file=sys.stderr)
    print(f"{po_path}: {len(missing)} untranslated", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
