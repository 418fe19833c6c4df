#!/usr/bin/env python3
"""Regenerates README's "Chip config keys" table from `qcsim describe --json`.

The e2e test "docs: README lists every config key ..." fails when the table is out of date;
run this (after building) to bring it back in line:  scripts/update_readme_keys.py
(QCSIM_BUILD=DIR picks another build directory than build/)
"""
import json
import os
import pathlib
import subprocess

root = pathlib.Path(__file__).resolve().parent.parent
rows = json.loads(subprocess.check_output([str(root / os.environ.get("QCSIM_BUILD", "build") / "qcsim"), "describe", "--json"]))
table = ["| key | type | unit | default | meaning |", "|---|---|---|---|---|"]
for r in rows:
    if r["type"] == "object":
        table.append("| **`%s`** | group | | | %s |" % (r["key"], r["description"]))
    else:
        table.append("| `%s` | %s | %s | `%s` | %s |" % (
            r["key"], r["type"], r["unit"].replace("|", "\\|"), r["default"], r["description"]))
readme = root / "README.md"
text = readme.read_text()
start = text.index("| key | type | unit | default | meaning |")
end = text.index("\n\n", start)
readme.write_text(text[:start] + "\n".join(table) + text[end:])
print("README.md: %d keys" % sum(1 for r in rows if r["type"] != "object"))
