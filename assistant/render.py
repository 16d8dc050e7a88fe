"""Terminal rendering of answers (rich): the answer, its notices, and the numbered sources."""

from __future__ import annotations

from assistant.types import Answer


def print_answer(answer: Answer) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False)
    if answer.searched_query and answer.searched_query != answer.question:
        console.print(f"[dim]Searched for: {escape(answer.searched_query)}[/dim]")
    if answer.notice:
        console.print(f"[yellow]Note:[/yellow] {escape(answer.notice)}")
    if answer.refused:
        console.print(escape(answer.text))
    else:
        for sentence in answer.sentences:
            marks = "".join(f"[{n}]" for n in sentence.citations)
            flag = "" if sentence.supported else " [red](unsupported)[/red]"
            console.print(f"{escape(sentence.text)} [cyan]{escape(marks)}[/cyan]{flag}", soft_wrap=True)
    if answer.citations:
        console.print("\n[bold]Sources[/bold]")
        for citation in answer.citations:
            source = citation.passage.source
            links = "  ".join(f"{name}: {url}" for name, url in source.links.items())
            meta = ", ".join(str(x) for x in (source.kind.label, source.evidence, source.year) if x)
            console.print(f"[cyan]\\[{citation.n}][/cyan] {escape(source.title)} — {escape(citation.passage.section)} ({escape(meta)})")
            if links:
                console.print(f"    [dim]{escape(links)}[/dim]")
            console.print(f"    “{escape(citation.quote)}”", soft_wrap=True)
            for reference in citation.references:
                ids = " ".join(x for x in (f"PMID {reference.pmid}" if reference.pmid else "", f"DOI {reference.doi}" if reference.doi else "") if x)
                console.print(f"    [dim]cites [{reference.number}] {escape(reference.text[:120])} {escape(ids)}[/dim]")
                if reference.key_sentence:
                    console.print(f"      [dim]abstract {escape(reference.abstract_id)}: “{escape(reference.key_sentence)}”[/dim]", soft_wrap=True)
    if answer.disclaimer:
        console.print(f"\n[dim]{escape(answer.disclaimer)}[/dim]")
