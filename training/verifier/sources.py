"""Where the verifier's training text comes from: public pairs and real in-domain sentences.

Public pairs (committed under training/data/, licences in SOURCES.md): label 1 = the claim is entailed
by the evidence, 0 = not (neutral and contradiction alike). In-domain sentences (for the generated
minimal-edit pairs, generate.py): the review and the digest's findings (corpus/), the COVID-QA dev
articles and the PubMedQA dev abstracts (../shared/benchmarks; dev halves only, never their test halves).
Nothing here reads eval/ (the curated set, the lie suite or the fresh batches).
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant.text import split_sentences

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "training" / "data"
SHARED = ROOT.parent / "shared" / "benchmarks"

csv.field_size_limit(1 << 24)


@dataclass(frozen=True)
class Pair:
    evidence: str
    claim: str
    label: int
    kind: str  # the transformation (generated) or the public set's name
    source: str = ""  # the document it came from (generated pairs are split by document)


@dataclass
class Document:
    name: str
    sentences: list[str]
    authors: list[str] = field(default_factory=list)
    years: list[str] = field(default_factory=list)


# -- public pairs ---------------------------------------------------------------------------------------
def _tsv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def public_pairs() -> list[Pair]:
    """Every committed public pair, labelled entailed (1) or not (0)."""
    pairs: list[Pair] = []
    for row in _tsv(DATA / "sick" / "SICK.txt"):
        pairs.append(
            Pair(row["sentence_A"], row["sentence_B"], int(row["entailment_judgment"] == "ENTAILMENT"), "sick")
        )
    for split in ("train", "dev"):
        for row in _tsv(DATA / "covidfact" / f"{split}.tsv"):
            label = row.get("label") or row.get("entailment") or ""  # the two files name the column differently
            pairs.append(Pair(row["sentence1"], row["Sentence2"], int(label == "entailment"), "covidfact"))
        for row in _tsv(DATA / "scifact" / f"{split}.tsv"):
            pairs.append(Pair(row["sentence1"], row["sentence2"], int(row["entailment"] == "entailment"), "scifact"))
    for split in ("dev", "test"):
        with (DATA / "healthver" / f"healthver_{split}.csv").open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                pairs.append(Pair(row["evidence"], row["claim"], int(row["label"] == "Supports"), "healthver"))
    for row in _tsv(DATA / "fever" / "dev_sample.tsv"):
        pairs.append(Pair(row["evidence"], row["claim"], int(row["label"] == "entailment"), "fever"))
    return [p for p in pairs if p.evidence.strip() and p.claim.strip()]


# -- in-domain sentences --------------------------------------------------------------------------------
_WORDS = re.compile(r"[A-Za-z][A-Za-z'-]+")


def _usable(sentence: str) -> bool:
    """A real sentence (8-60 words, mostly words, no reference-list or header noise)."""
    words = _WORDS.findall(sentence)
    if not 8 <= len(sentence.split()) <= 60 or len(words) < 6:
        return False
    if sum(len(w) for w in words) < 0.6 * len(sentence):
        return False
    return not re.search(r"https?://|@|\bet al\.,? \d{4}|^\W|Copyright|doi:", sentence)


def _sentences(text: str) -> list[str]:
    text = re.sub(r"-\n(?=[a-z])", "", text)  # PDF hyphenation ("tis-\nsues")
    text = re.sub(r"(?<!\n)\n(?!\n)", " ", text)  # PDF line breaks inside a paragraph
    out = []
    for start, end in split_sentences(text):
        sentence = " ".join(text[start:end].split())
        if _usable(sentence):
            out.append(sentence)
    return out


def corpus_documents() -> list[Document]:
    """The review's sentences and each digest study's finding (with its first author and year)."""
    documents = [
        Document(path.stem, _sentences(path.read_text(encoding="utf-8")))
        for path in sorted((ROOT / "corpus" / "review").glob("*.txt"))
    ]
    studies = yaml.safe_load((ROOT / "corpus" / "related_studies.yaml").read_text(encoding="utf-8"))
    for study in studies.get("studies") or []:
        finding = " ".join(str(study.get("finding") or "").split())
        if not finding:
            continue
        sentences = [s for s in _sentences(finding)] or [finding]
        author = str(study.get("first_author") or "").strip()
        year = str(study.get("year") or "").strip()
        if author and year and sentences:  # "Rezaei F (2019) found that ..." so author/year swaps have targets
            sentences.append(f"In the study by {author} ({year}), {sentences[0][0].lower()}{sentences[0][1:]}")
        documents.append(Document(str(study.get("id")), sentences, [author] if author else [], [year] if year else []))
    return documents


def covidqa_documents() -> list[Document]:
    """The COVID-QA dev articles (the only half present under ../shared/benchmarks/covidqa)."""
    folder = SHARED / "covidqa" / "articles"
    return [Document(path.stem, _sentences(path.read_text(encoding="utf-8"))) for path in sorted(folder.glob("*.md"))]


def pubmedqa_documents() -> list[Document]:
    """The PubMedQA abstracts of the dev questions only (never the test half)."""
    folder = SHARED / "pubmedqa"
    dev = {
        json.loads(line)["gold_pmid"]
        for line in (folder / "dev_questions.jsonl").read_text(encoding="utf-8").split("\n")
        if line.strip()
    }
    documents = []
    for line in (folder / "abstracts.jsonl").read_text(encoding="utf-8").split("\n"):
        if not line.strip():
            continue
        item = json.loads(line)
        if item["pmid"] not in dev:
            continue
        text = "\n\n".join(section["text"] for section in item.get("sections") or [])
        documents.append(Document(f"pubmed-{item['pmid']}", _sentences(text), years=[str(item.get("year") or "")]))
    return documents


def in_domain_documents() -> list[Document]:
    return [d for d in corpus_documents() + covidqa_documents() + pubmedqa_documents() if d.sentences]
