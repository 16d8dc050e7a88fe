"""Context packing: the retrieved passages that fit the LLM prompt's token budget, numbered [1..n].

Passages go in by retrieval rank (best first). Length is measured with tiktoken for the configured
model's encoding, including the numbered block header, so the budget is the real prompt cost. A
passage that does not fit whole is cut at a sentence boundary (never mid-sentence); one whose first
sentence does not fit is skipped and smaller later passages still get their chance.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.generation import prompts
from assistant.text import split_sentences
from assistant.tokens import count_tokens, encoding_for_model
from assistant.types import Passage


@dataclass
class PackedSource:
    """One numbered source of the prompt: the passage and the (possibly shortened) text shown."""

    n: int
    passage: Passage
    text: str
    tokens: int

    @property
    def truncated(self) -> bool:
        return self.text != self.passage.text


def source_block(n: int, passage: Passage, text: str) -> str:
    return prompts.SOURCE_BLOCK.format(n=n, title=passage.source.title, section=passage.section, text=text)


def pack_context(passages: list[Passage], budget: int, model: str) -> list[PackedSource]:
    """Best-ranked passages first, as many as fit in `budget` tokens (blocks joined by blank lines)."""
    encoding = encoding_for_model(model)
    separator = count_tokens("\n\n", encoding)
    packed: list[PackedSource] = []
    used = 0
    for passage in sorted(passages, key=lambda p: p.rank or 10**6):
        room = budget - used - (separator if packed else 0)
        n = len(packed) + 1
        text = _fitting_prefix(n, passage, room, encoding)
        if not text:
            continue
        tokens = count_tokens(source_block(n, passage, text), encoding)
        packed.append(PackedSource(n, passage, text, tokens))
        used += tokens + (separator if len(packed) > 1 else 0)
    return packed


def _fitting_prefix(n: int, passage: Passage, room: int, encoding: str) -> str:
    """The passage text, or its longest run of leading whole sentences, that fits in `room` tokens."""
    if room <= 0:
        return ""
    if count_tokens(source_block(n, passage, passage.text), encoding) <= room:
        return passage.text
    best = ""
    for _, end in split_sentences(passage.text):
        candidate = passage.text[:end].strip()
        if count_tokens(source_block(n, passage, candidate), encoding) > room:
            break
        best = candidate
    return best


def render_sources(packed: list[PackedSource]) -> str:
    return "\n\n".join(source_block(s.n, s.passage, s.text) for s in packed)
