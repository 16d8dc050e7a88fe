"""The project's own trained models (issue 20), shipped as package data; rebuilt by `make models`.

`verifier/`: the learned verifier read by `assistant.claims.learned` (model card: verifier/CARD.md);
`relevance/`: the relevance model read by `assistant.generation.relevance` (relevance/CARD.md).
`file_sha256` is the one way both check their files against their manifests.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_sha256(path: Path) -> str:
    """The sha256 of a file, read in 1 MiB blocks (a model file is tens of MB)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
