"""Where things live by default: the checkout's folders in a checkout, a per-user data folder otherwise.

In a source checkout (this package sits beside `pyproject.toml` and `corpus/`), the defaults are the
repository's `corpus/`, `index/`, `eval/`, `feedback/` and `.cache/`, as the README describes.

An installed wheel carries the corpus, the curated evaluation set and the UI as package data
(`assistant/_data/`, copied there by `setup.py` when the wheel is built) and writes everything it
makes (index, caches, reports, feedback, and its own copy of the corpus so `corpus add` never writes
into site-packages) under the user data folder that `platformdirs` names, e.g.
`~/.local/share/msc-rsa-assistant`. Settings (`RSA_*`) override every one of these.
"""

from __future__ import annotations

import shutil
from pathlib import Path

APP_NAME = "msc-rsa-assistant"
PACKAGE_DIR = Path(__file__).resolve().parent
#: The wheel's copy of the shipped folders (absent in a checkout, where they sit at the top level).
PACKAGED_DATA = PACKAGE_DIR / "_data"


def checkout_root() -> Path | None:
    """The repository root when the package is imported from a source checkout (editable installs too)."""
    root = PACKAGE_DIR.parent
    if (root / "pyproject.toml").is_file() and (root / "corpus").is_dir() and not PACKAGED_DATA.is_dir():
        return root
    return None


def bundled(relative: str) -> Path:
    """A shipped, read-only file or folder (`corpus`, `eval/curated.yaml`, `ui/app.py`)."""
    root = checkout_root()
    return (root if root is not None else PACKAGED_DATA) / relative


def user_data_dir() -> Path:
    """The per-user folder an installed package writes into (platformdirs; honours XDG_DATA_HOME)."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def writable(relative: str) -> Path:
    """Default location of something the assistant writes: inside the checkout, else the user data folder."""
    root = checkout_root()
    return (root if root is not None else user_data_dir()) / relative


def default_corpus_dir() -> Path:
    """The checkout's corpus/; for an installed package a user copy of the bundled corpus, made on first use."""
    root = checkout_root()
    if root is not None:
        return root / "corpus"
    target = user_data_dir() / "corpus"
    if not target.exists():
        source = PACKAGED_DATA / "corpus"
        if source.is_dir():
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f"corpus.{id(target)}.partial")
            shutil.copytree(source, partial, dirs_exist_ok=True)
            try:
                partial.rename(target)  # atomic: a half-copied corpus is never taken for the real one
            except OSError:  # another process won the race; its copy is as good as ours
                shutil.rmtree(partial, ignore_errors=True)
    return target


def default_reports_dir() -> Path:
    root = checkout_root()
    return root / "eval" / "reports" if root is not None else user_data_dir() / "reports"


def default_cache_dir() -> Path:
    return writable(".cache") if checkout_root() is not None else user_data_dir() / "cache"
