"""The gold JSONL format of GUIDE.md: export a store in it, and read gold files."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from tieline.query.export import knowledge_base
from tieline.store.db import Store

SCORED_ENTITY_TYPES = ("COUNTRY", "ORG", "PERSON", "BLOC")


def flat(text: str) -> str:
    """NFKC with every run of white space as one space (how evidence is compared)."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _loose_pattern(evidence: str) -> re.Pattern[str]:
    """Evidence as a pattern that tolerates Markdown escapes and line breaks in the source."""
    parts: list[str] = []
    for ch in flat(evidence):
        if ch == " ":
            parts.append(r"\s+")
        elif ch.isalnum():
            parts.append(re.escape(ch))
        else:
            parts.append(r"\\?" + re.escape(ch))
    return re.compile("".join(parts))


def project_evidence(source_text: str | None, evidence: str) -> str:
    """The stretch of the original file that our cleaned evidence comes from.

    Ingest undoes Markdown escapes and drops page furniture, so a quote from the clean text
    may not appear verbatim in the file; the referee looks for it there.
    """
    if not source_text or not evidence:
        return evidence
    src = flat(source_text)
    ev = flat(evidence)
    if ev in src:
        return ev
    m = _loose_pattern(ev).search(src)
    return m.group(0) if m else ev


def _source_text(path: str | None) -> str | None:
    if not path:
        return None
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8", errors="replace") if p.is_file() else None
    except OSError:
        return None


def gold_records(store: Store) -> Iterator[dict[str, Any]]:
    """One gold-format object per document, named by its file name."""
    for rec in knowledge_base(store):
        d = rec["document"]
        source = _source_text(d.get("path")) if d.get("path") and ":" not in d["name"] else None
        seen: dict[str, dict[str, Any]] = {}
        for e in rec["entities"]:
            item = seen.get(e["name"])
            if item is None:
                item = seen[e["name"]] = {
                    "name": e["name"],
                    "type": e["type"],
                    "country": e["country"],
                    "aliases": [],
                    "role": e["role"],
                }
            for a in [e["surface"], *e["aliases"]]:
                if a != e["name"] and a not in item["aliases"]:
                    item["aliases"].append(a)
            item["role"] = item["role"] or e["role"]
        events = []
        for ev in rec["events"]:
            events.append(
                {
                    "type": ev["type"],
                    "actors": _unique(
                        p["name"] for p in ev["participants"] if p["role"] != "object"
                    ),
                    "objects": _unique(
                        p["name"] for p in ev["participants"] if p["role"] == "object"
                    ),
                    "sector": ev["sector"],
                    "date": ev["date"],
                    "status": ev["status"],
                    "evidence": project_evidence(source, ev["evidence"]),
                    **({"count": ev["count"]} if ev.get("count") else {}),
                    "cluster": ev["cluster"],
                }
            )
        figures = [
            {
                "measure": f["measure"],
                "value": f["value"],
                "unit": f["unit"],
                "status": f["status"],
                "period": f["period"],
                "actors": f["actors"],
                "evidence": project_evidence(source, f["evidence"]),
            }
            for f in rec["figures"]
        ]
        yield {
            "doc": d["name"],
            "title": d["title"],
            "published": d["published"],
            "entities": list(seen.values()),
            "events": events,
            "figures": figures,
        }


def _unique(xs: Iterator[str] | Any) -> list[str]:
    return list(dict.fromkeys(xs))


def write_gold(store: Store, out: TextIO) -> int:
    """Write the store in the gold format; returns the number of documents."""
    n = 0
    for rec in gold_records(store):
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        n += 1
    return n


def read_gold(path: Path) -> dict[str, dict[str, Any]]:
    """A gold (or prediction) file by document file name."""
    from tieline.errors import InputError

    out: dict[str, dict[str, Any]] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(f"{path}:{n}: not JSON ({e.msg})") from e
        name = Path(str(obj.get("doc") or "")).name
        if not name:
            raise InputError(f"{path}:{n}: no 'doc' field")
        out[name] = obj
    return out
