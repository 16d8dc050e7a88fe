"""Benchmark inputs: the curated evaluation questions and PubMedQA abstracts as Documents."""

from __future__ import annotations

import json
import re
from pathlib import Path

FALLBACK_QUESTIONS = [
    "How do MSCs act on decidual NK cells?",
    "Which MSC source lowered the abortion rate in mice?",
    "Do mesenchymal stem cells raise regulatory T cells?",
]
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(])")


def eval_items(path: Path) -> list[dict]:
    """Answerable curated questions with their gold source ids (empty when the file is absent)."""
    if not path.exists():
        return []
    import yaml

    items = yaml.safe_load(path.read_text(encoding="utf-8")).get("items", [])
    return [
        {"question": item["question"], "gold_sources": sorted({g["source"] for g in item.get("gold", [])})}
        for item in items
        if item.get("answerable") and item.get("question")
    ]


def load_abstracts(folder: Path) -> list[dict]:
    path = folder / "abstracts.jsonl"
    if not path.exists():
        raise SystemExit(f"PubMedQA abstracts not found at {path}; pass --pubmedqa DIR.")
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if len(s.strip()) > 20]


def to_documents(abstracts: list[dict]):
    from assistant.types import Document, Section, Source, SourceKind

    documents = []
    for record in abstracts:
        sections = tuple(
            Section(name=(s.get("label") or "Abstract").title(), text=s["text"].strip())
            for s in record.get("sections", [])
            if s.get("text", "").strip()
        )
        if not sections:
            continue
        year = int(record["year"]) if str(record.get("year", "")).isdigit() else None
        title = record.get("title") or f"PubMed {record['pmid']}"
        documents.append(
            Document(
                source=Source(
                    id=f"pmid-{record['pmid']}",
                    kind=SourceKind.ABSTRACT,
                    title=title,
                    year=year,
                    pmid=str(record["pmid"]),
                ),
                sections=sections,
            )
        )
    return documents
