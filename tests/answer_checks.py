"""Assertions several answer tests share (what a well-formed answer of one kind looks like)."""

from __future__ import annotations


def assert_defined_first(answer, definition: str) -> None:
    """The answer opens with the definition as a supported sentence citing the glossary, and only it."""
    first = answer.sentences[0]
    assert first.text == definition and first.supported, answer.text
    cited = [c for c in answer.citations if c.n in first.citations]
    assert cited and {c.passage.source.kind.value for c in cited} == {"glossary"}, answer.text


def assert_rejected(claim: str, evidence: list[str], reason: str) -> None:
    """The verifier rejects the claim against the evidence, for this reason."""
    from assistant.claims import check_sentence

    check = check_sentence(claim, evidence)
    assert not check.supported and check.reason == reason, (claim, check.reason)
