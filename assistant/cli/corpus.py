"""`rsa-assistant corpus ...`: add, list, remove and fetch corpus documents, then keep the index in sync.

Thin: parses options, calls assistant.ingest.corpus_ops / fetch and the index build, renders.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from assistant.cli.options import CorpusDir, IndexDir, build_with_progress, progress_bars, settings_from

corpus_app = typer.Typer(
    help="Manage the corpus: add files (review full text, cited abstracts), list, remove, fetch from PubMed.",
    no_args_is_help=True,
)

NoIndex = Annotated[bool, typer.Option("--no-index", help="Change the corpus only; do not re-index.")]


def _settings(corpus_dir: Path | None, index_dir: Path | None):
    return settings_from(corpus_dir=corpus_dir, index_dir=index_dir)


def _reindex(settings) -> None:
    """Bring the index up to date (incrementally) and say what it did."""
    report = build_with_progress(settings)
    typer.echo(
        f"Index {report.status}: {report.documents} documents, {report.chunks} chunks "
        f"(embedded {report.embedded}, reused {report.reused})."
    )
    for problem in report.problems:
        typer.echo(f"skipped: {problem}", err=True)


@corpus_app.command("add")
def add(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Files (or folders) to add: .html .pdf .md .txt .xml .nbib .ris .bib .json .yaml"),
    ],
    kind: Annotated[
        Optional[str],
        typer.Option(
            "--kind",
            help="The kind of every document added: review, abstract, note or document "
            "(default: from the file: a Markdown file without a DOI or reference list is a note).",
        ),
    ] = None,
    corpus_dir: CorpusDir = None,
    index_dir: IndexDir = None,
    no_index: NoIndex = False,
) -> None:
    """Validate and copy files into the corpus, then re-index. Bad files are refused; the rest go in.

    Files the indexer never reads (hidden, README/LICENSE/NOTICE/GLOSSARY) are refused when named, and
    listed as skipped when found in a folder, as are symbolic links inside a folder (never followed).
    Exits with code 4 when any file was refused.
    """
    from assistant.ingest.corpus_ops import add_files, check_kind
    from assistant.settings_checks import require_dir

    kind = check_kind(kind)  # a bad --kind stops before the settings or the corpus are touched
    settings = _settings(corpus_dir, index_dir)
    report = add_files(require_dir(settings, "corpus_dir"), paths, kind=kind)
    for name in report.added:
        typer.echo(f"added: {name}")
    for line in report.relabelled:
        typer.echo(f"kind changed: {line}")
    for name in report.unchanged:
        typer.echo(f"already in the corpus: {name}")
    for reason in report.skipped:
        typer.echo(f"skipped: {reason}", err=True)
    for reason in report.refused:
        typer.echo(f"refused: {reason}", err=True)
    if (report.added or report.relabelled) and not no_index:
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
    from assistant.settings_checks import require_dir

    rows, problems = list_documents(
        require_dir(_settings(corpus_dir, None), "corpus_dir", writable=False, create=False)
    )
    if json_output:
        typer.echo(
            json.dumps({"documents": [r.__dict__ for r in rows], "problems": problems}, indent=2, ensure_ascii=False)
        )
        return
    _print_rows(rows)
    for problem in problems:
        typer.echo(f"skipped: {problem}", err=True)


def _print_rows(rows) -> None:
    """One line per document (id, kind, file), its title wrapped below it.

    Ids are what `corpus remove` takes, so they are never cut, whatever the terminal width; titles wrap.
    """
    import shutil
    import textwrap

    width = max(shutil.get_terminal_size((100, 24)).columns, 40)
    id_width = max((len(r.id) for r in rows), default=0)
    kind_width = max((len(r.kind) for r in rows), default=0)
    aligned = id_width + kind_width + 4 < width * 2 // 3  # pad ids only when that leaves room
    for row in rows:
        head = f"{row.id:<{id_width}}  {row.kind:<{kind_width}}" if aligned else f"{row.id}  {row.kind}"
        typer.echo(f"{head}  {row.file}".rstrip())
        for line in textwrap.wrap(row.title, width=width - 4, break_long_words=False, break_on_hyphens=False):
            typer.echo(f"    {line}")
        # full texts: how much structure came in; copies replaced by a fuller one say so (not indexed)
        details = [f"{row.sections} sections, {row.references} references" if row.references else "", row.status]
        if row.headings:
            details[0] += ": " + ", ".join(row.headings)
        if any(details):
            typer.echo("    " + " · ".join(d for d in details if d))
    typer.echo(f"{len(rows)} documents.")


@corpus_app.command("remove")
def remove(
    identifier: Annotated[str, typer.Argument(help="A document id (see `corpus list`) or a corpus file path.")],
    corpus_dir: CorpusDir = None,
    index_dir: IndexDir = None,
    no_index: NoIndex = False,
) -> None:
    """Remove a document (its file, or its entry in a multi-document file), then re-index."""
    from assistant.ingest.corpus_ops import remove_document
    from assistant.settings_checks import require_dir

    settings = _settings(corpus_dir, index_dir)
    typer.echo(remove_document(require_dir(settings, "corpus_dir", create=False), identifier))
    if not no_index:
        _reindex(settings)


@corpus_app.command("fetch")
def fetch(
    pmid: Annotated[list[str], typer.Option("--pmid", help="PMID to fetch; repeatable, or comma-separated.")] = [],  # noqa: B006
    doi: Annotated[list[str], typer.Option("--doi", help="DOI to resolve to a PMID and fetch; repeatable.")] = [],  # noqa: B006
    from_references: Annotated[
        bool, typer.Option("--from-references", help="Fetch every study the review's reference list identifies.")
    ] = False,
    from_digest: Annotated[
        bool, typer.Option("--from-digest", help="Also fetch the studies of the digest that carry a PMID/DOI.")
    ] = False,
    base_url: Annotated[
        Optional[str], typer.Option("--base-url", help="E-utilities base URL (default: RSA_EUTILS_BASE_URL or NCBI).")
    ] = None,
    review: Annotated[
        Optional[str],
        typer.Option(
            "--review",
            help="A review's DOI, PMID or PMCID: fetch its full text (PMC, JATS) and every cited abstract, then index.",
        ),
    ] = None,
    corpus_dir: CorpusDir = None,
    index_dir: IndexDir = None,
    no_index: NoIndex = False,
) -> None:
    """Fetch cited abstracts from PubMed (E-utilities) into corpus/pubmed/, skipping those already there.

    With --review: the review's full text from PubMed Central (or its abstract when it is not open
    access there) into corpus/fulltext/, then the abstracts of its references, then the index.
    """
    from assistant.errors import FetchError
    from assistant.ingest.corpus_ops import reference_identifiers
    from assistant.ingest.fetch import FetchSettings, fetch_abstracts

    settings = _settings(corpus_dir, index_dir)
    if review:
        _fetch_review(
            review, settings, (FetchSettings(eutils_base_url=base_url) if base_url else FetchSettings()), no_index
        )
        return
    pmids = [p for item in pmid for p in item.split(",")]
    dois = list(doi)
    if from_references or from_digest:
        from assistant.ingest import load_corpus

        found_pmids, found_dois = reference_identifiers(load_corpus(settings.corpus_dir).documents, digest=from_digest)
        pmids += found_pmids
        dois += found_dois
    if not pmids and not dois:
        raise FetchError(
            "Nothing to fetch.",
            hint="Give --pmid, --doi or --from-references (with a review that has a reference list).",
        )
    fetch_settings = FetchSettings(eutils_base_url=base_url) if base_url else FetchSettings()
    with progress_bars() as bars:
        tick = bars.stages()
        report = fetch_abstracts(
            pmids,
            dois,
            settings.corpus_dir / "pubmed",
            settings=fetch_settings,
            progress=lambda done, total: tick("Fetching abstracts", done, total),
        )
    typer.echo(f"fetched {len(report.fetched)}, already cached {len(report.skipped)}, not found {len(report.missing)}.")
    for item in report.missing:
        typer.echo(f"not found in PubMed: PMID {item}", err=True)
    for item in report.unresolved_dois:
        typer.echo(f"no PMID for DOI {item}", err=True)
    if report.fetched and not no_index:
        _reindex(settings)


def _fetch_review(identifier: str, settings, fetch_settings, no_index: bool) -> None:
    """`corpus fetch --review`: one bar per stage (on a terminal), then a summary, then the index."""
    from assistant.ingest.fetch import fetch_review

    with progress_bars(transient=False) as bars:
        report = fetch_review(identifier, settings.corpus_dir, settings=fetch_settings, progress=bars.stages())
    ids = ", ".join(f"{k} {v}" for k, v in (("DOI", report.doi), ("PMID", report.pmid), ("PMCID", report.pmcid)) if v)
    typer.echo(f"review {identifier}: {ids or 'no identifiers found'}")
    if report.full_text in ("fetched", "cached"):
        state = "fetched" if report.full_text == "fetched" else "already cached"
        typer.echo(f"full text (JATS): {state}, {report.full_text_file}; {report.references} references")
    else:
        typer.echo(f"full text: not fetched ({report.full_text_reason}); its abstract is used instead")
    abstracts = report.abstracts
    typer.echo(
        f"cited abstracts: fetched {len(abstracts.fetched)}, already cached {len(abstracts.skipped)}, "
        f"not fetched {len(abstracts.missing) + len(abstracts.unresolved_dois) + len(report.without_identifier)}."
    )
    for item in abstracts.missing:
        typer.echo(f"not fetched: PMID {item} (not found in PubMed)", err=True)
    for item in abstracts.unresolved_dois:
        typer.echo(f"not fetched: DOI {item} (PubMed has no PMID for it)", err=True)
    if report.without_identifier:
        numbers = ", ".join(str(n) for n in report.without_identifier)
        typer.echo(f"not fetched: references {numbers} (no PMID or DOI in the reference list)", err=True)
    if not no_index:
        _reindex(settings)
