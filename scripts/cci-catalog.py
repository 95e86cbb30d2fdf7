#!/usr/bin/env python3
"""Makes templates/catalogs/cci.csv from DISA's CCI list (U_CCI_List_*.xml).

Each CCI, whether DISA has deprecated it, and the NIST SP 800-53 rev 4 and
rev 5 controls or enhancements its references name (`AC-2 (3) (d)` is
AC-2(3); `IA-13 (03) (f)` is IA-13(3); statement parts are left off).

    scripts/cci-catalog.py ../shared/reference/scans/cci/U_CCI_List_2025-01-23.xml
"""
import csv
import re
import sys
import xml.etree.ElementTree as ET

NS = {"c": "http://iase.disa.mil/cci"}
CONTROL = re.compile(r"^([A-Z]{2})-(\d+)(?:\s*\((\d+)\))?")


def control(index):
    m = CONTROL.match(index.strip())
    if not m:
        return None
    family, number, enhancement = m.groups()
    base = f"{family}-{int(number)}"
    return f"{base}({int(enhancement)})" if enhancement else base


def main(path, out):
    root = ET.parse(path).getroot()
    version = root.findtext("c:metadata/c:version", namespaces=NS)
    rows = []
    for item in root.iterfind("c:cci_items/c:cci_item", NS):
        revs = {"4": [], "5": []}
        for ref in item.iterfind("c:references/c:reference", NS):
            title = ref.get("title", "")
            if title.startswith("NIST SP 800-53 Revision"):
                c = control(ref.get("index", ""))
                rev = ref.get("version")
                if c and rev in revs and c not in revs[rev]:
                    revs[rev].append(c)
        rows.append(
            (
                item.get("id"),
                "deprecated" if item.findtext("c:status", namespaces=NS) == "deprecated" else "",
                ";".join(revs["4"]),
                ";".join(revs["5"]),
            )
        )
    with open(out, "w", newline="") as f:
        f.write(
            f"# DISA's Control Correlation Identifiers (CCI list {version}): each CCI, whether DISA\n"
            "# deprecated it, and the NIST SP 800-53 rev 4 and rev 5 controls or enhancements it maps to.\n"
            "# Made by scripts/cci-catalog.py from DISA's U_CCI_List XML.\n"
        )
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["cci", "deprecated", "rev4", "rev5"])
        w.writerows(rows)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "templates/catalogs/cci.csv")
