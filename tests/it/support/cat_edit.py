"""The CAT tool's side of a review: translate-toolkit opens newswire's XLIFF 1.2 file, puts the
editor's targets into the units named on the command line (a JSON object: unit id -> text), marks
them approved, and writes the file back."""
import json
import sys

from translate.storage import xliff

path, edits = sys.argv[1], json.loads(sys.argv[2])
with open(path, "rb") as f:
    store = xliff.xlifffile(f)
found = set()
for unit in store.units:
    if unit.isheader():
        continue
    unit_id = unit.getid().split("\x04")[-1]
    if unit_id in edits:
        unit.target = edits[unit_id]
        unit.markapproved(True)
        found.add(unit_id)
missing = set(edits) - found
if missing:
    sys.exit(f"units not in {path}: {sorted(missing)}")
store.savefile(path)
print(f"{len(found)} units edited")
