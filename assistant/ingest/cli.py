"""`rsa-assistant corpus ...`: add, list, remove and fetch corpus documents, then keep the index in sync.

Thin: parses options, calls assistant.ingest.corpus_ops / fetch and the index build, renders.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

corpus_app = typer.Typer(
    help="Manage the corpus: add files (review full text, cited abstracts), list, remove, fetch from PubMed.",
    no_args_is_help=True,
)

CorpusDir = Annotated[Optional[Path], typer.Option("--corpus-dir", help="Corpus folder (default: RSA_CORPUS_DIR or ./corpus).")]
IndexDir = Annotated[Optional[Path], typer.Option("--index-dir", help="Index folder (default: RSA_INDEX_DIR or ./index).")]
NoIndex = Annotated[bool, typer.Option("--no-index", help="Change the corpus only; do not re-index.")]


def _settings(corpus_dir: Path | None, index_dir: Path | None):
    from assistant.settings import load_settings

    overrides = {k: v for k, v in {"corpus_dir": corpus_dir, "index_dir": index_dir}.items() if v is not None}
    return load_settings(**overrides)


def _reindex(settings) -> None:
    """Bring the index up to date (incrementally) and say what it did."""
    import sys

    from assistant.indexing.build import build_index

    if sys.stderr.isatty():
        from rich.progress import Progress

        with Progress(transient=True) as progress:
            task = progress.add_task("Indexing", total=1.0)
            report = build_index(settings, progress=lambda s, f: progress.update(task, completed=f, description=s))
    else:
        report = build_index(settings)
    typer.echo(
        f"Index {report.status}: {report.documents} documents, {report.chunks} chunks "
        f"(embedded {report.embedded}, reused {report.reused})."
    )
    for problem in report.problems:
        typer.echo(f"skipped: {problem}", err=True)


@corpus_app.command("add")
def add(
    paths: Annotated[list[Path], typer.Argument(help="Files (or folders) to add: .html .pdf .md .txt .xml .nbib .ris .bib .json .yaml")],
    corpus_dir: CorpusDir = None,
    index_dir: IndexDir = None,
    no_index: NoIndex = False,
) -> None:
    """Validate and copy files into the corpus, then re-index. Bad files are refused; the rest go in.

    Exits with code 4 when any file was refused.
    """
    from assistant.ingest.corpus_ops import add_files

    settings = _settings(corpus_dir, index_dir)
    report = add_files(settings.corpus_dir, paths)
    for name in report.added:
        typer.echo(f"added: {name}")
    for name in report.unchanged:
        typer.echo(f"already in the corpus: {name}")
    for reason in report.refused:
        typer.echo(f"refused: {reason}", err=True)
    if report.added and not no_index:
        _reindex(settings)
    if report.refused:
        raise typer.Exit(4)


@corpus_app.command("list")
def list_(
    corpus_dir: CorpusDir = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
) -> None:
    """List the corpus documents: id, kind, title and file."""
    from assistant.ingest.corpus_ops import list_documents

    rows, problems = list_documents(_settings(corpus_dir, None).corpus_dir)
    if json_output:
        typer.echo(json.dumps({"documents": [r.__dict__ for r in rows], "problems": problems}, indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("id", "kind", "title", "file", show_lines=False)
    for row in rows:
        table.add_row(row.id, row.kind, row.title[:70], row.file)
    Console().print(table)
    for problem in problems:
        typer.echo(f"skipped: {problem}", err=True)


@corpus_app.command("remove")
def remove(
    identifier: Annotated[str, typer.Argument(help="A document id (see `corpus list`) or a corpus file path.")],
    corpus_dir: CorpusDir = None,
    index_dir: IndexDir = None,
    no_index: NoIndex = False,
) -> None:
    """Remove a document (its file, or its entry in a multi-document file), then re-index."""
    from assistant.ingest.corpus_ops import remove_document

    settings = _settings(corpus_dir, index_dir)
    typer.echo(remove_document(settings.corpus_dir, identifier))
    if not no_index:
        _reindex(settings)


@corpus_app.command("fetch")
def fetch(
    pmid: Annotated[list[str], typer.Option("--pmid", help="PMID to fetch; repeatable, or comma-separated.")] = [],  # noqa: B006
    doi: Annotated[list[str], typer.Option("--doi", help="DOI to resolve to a PMID and fetch; repeatable.")] = [],  # noqa: B006
    from_references: Annotated[bool, typer.Option("--from-references", help="Fetch every study the review's reference list identifies.")] = False,
    from_digest: Annotated[bool, typer.Option("--from-digest", help="Also fetch the studies of the digest that carry a PMID/DOI.")] = False,
    base_url: Annotated[Optional[str], typer.Option("--base-url", help="E-utilities base URL (default: RSA_EUTILS_BASE_URL or NCBI).")] = None,
    corpus_dir: CorpusDir = None,
    index_dir: IndexDir = None,
    no_index: NoIndex = False,
) -> None:
    """Fetch cited abstracts from PubMed (E-utilities) into corpus/pubmed/, skipping those already there."""
    from assistant.errors import FetchError
    from assistant.ingest.corpus_ops import reference_identifiers
    from assistant.ingest.fetch import FetchSettings, fetch_abstracts

    settings = _settings(corpus_dir, index_dir)
    pmids = [p for item in pmid for p in item.split(",")]
    dois = list(doi)
    if from_references or from_digest:
        from assistant.ingest import load_corpus

        found_pmids, found_dois = reference_identifiers(load_corpus(settings.corpus_dir).documents, digest=from_digest)
        pmids += found_pmids
        dois += found_dois
    if not pmids and not dois:
        raise FetchError("Nothing to fetch.", hint="Give --pmid, --doi or --from-references (with a review that has a reference list).")
    fetch_settings = FetchSettings(**({"eutils_base_url": base_url} if base_url else {}))
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("Fetching abstracts"), BarColumn(), MofNCompleteColumn(), transient=True) as progress:
        task = progress.add_task("fetch", total=None)
        report = fetch_abstracts(
            pmids, dois, settings.corpus_dir / "pubmed", settings=fetch_settings,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    typer.echo(f"fetched {len(report.fetched)}, already cached {len(report.skipped)}, not found {len(report.missing)}.")
    for item in report.missing:
        typer.echo(f"not found in PubMed: PMID {item}", err=True)
    for item in report.unresolved_dois:
        typer.echo(f"no PMID for DOI {item}", err=True)
    if report.fetched and not no_index:
        _reindex(settings)
