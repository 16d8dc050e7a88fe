"""Check eval/dev/questions-dev.yaml: format, counts, every fact string verbatim in corpus/."""

import pathlib
import sys

import yaml

root = pathlib.Path(__file__).resolve().parents[2]
text = " ".join(
    p.read_text(encoding="utf-8")
    for p in [*(root / "corpus/review").glob("*"), root / "corpus/related_studies.yaml", root / "corpus/glossary.yaml"]
).lower()
data = yaml.safe_load((root / "eval/dev/questions-dev.yaml").read_text(encoding="utf-8"))
qs = data["questions"]
bad = []
assert data["version"] == 1 and len(qs) == 60 and len({q["id"] for q in qs}) == 60
for q in qs:
    assert set(q) == {"id", "question", "answerable", "facts", "lead"}, q["id"]
    if q["answerable"]:
        assert q["lead"] == "answer" and q["facts"], q["id"]
    else:
        assert q["lead"] == "gap" and q["facts"] == [], q["id"]
    for alts in q["facts"]:
        for s in alts:
            if s.lower() not in text:
                bad.append((q["id"], s))
cur = yaml.safe_load((root / "eval/curated.yaml").read_text(encoding="utf-8"))


def walk(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == "question":
                yield v.strip().lower()
            else:
                yield from walk(v)
    elif isinstance(o, list):
        for v in o:
            yield from walk(v)


dup = [q["id"] for q in qs if q["question"].strip().lower() in set(walk(cur))]
print("answerable", sum(q["answerable"] for q in qs), "refuse", sum(not q["answerable"] for q in qs))
print("missing facts:", bad)
print("exact duplicates of curated:", dup)
sys.exit(1 if bad or dup else 0)
