"""Shared fixtures: the real bundled model, a real Chroma index in a temp dir, built once per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
for _name in list(os.environ):
    if _name.startswith("RSA_"):
        del os.environ[_name]  # tests never inherit a developer's configuration

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = REPO_ROOT / "corpus"


@pytest.fixture(scope="session")
def corpus_copy(tmp_path_factory) -> Path:
    """A private copy of the bundled corpus that tests may read (never modify the repo's)."""
    target = tmp_path_factory.mktemp("corpus") / "corpus"
    shutil.copytree(CORPUS_DIR, target)
    return target


@pytest.fixture(scope="session")
def settings(tmp_path_factory, corpus_copy):
    from assistant.settings import load_settings

    root = tmp_path_factory.mktemp("index")
    return load_settings(
        corpus_dir=corpus_copy,
        index_dir=root / "index",
        feedback_dir=root / "feedback",
        reports_dir=root / "reports",
        cache_dir=root / "cache",
    )


def subprocess_env(settings, **extra: str) -> dict[str, str]:
    """The environment for a child process that must use the session's settings (its corpus, index,
    cache, reports and feedback folders) and import this checkout; `extra` adds or overrides."""
    return {
        **os.environ,
        "RSA_CORPUS_DIR": str(settings.corpus_dir),
        "RSA_INDEX_DIR": str(settings.index_dir),
        "RSA_CACHE_DIR": str(settings.cache_dir),
        "RSA_REPORTS_DIR": str(settings.reports_dir),
        "RSA_FEEDBACK_DIR": str(settings.feedback_dir),
        "PYTHONPATH": str(REPO_ROOT),
        **extra,
    }


@pytest.fixture(scope="session")
def built_index(settings):
    from assistant.indexing.build import build_index

    return build_index(settings)


@pytest.fixture(scope="session")
def assistant(settings, built_index):
    from assistant.api import Assistant

    return Assistant(settings)


@pytest.fixture()
def make_settings(tmp_path):
    """Fresh settings in a temp dir (own corpus copy and index), for tests that change things."""
    from assistant.settings import load_settings

    def factory(**overrides):
        corpus = tmp_path / "corpus"
        if not corpus.exists():
            shutil.copytree(CORPUS_DIR, corpus)
        values = dict(
            corpus_dir=corpus,
            index_dir=tmp_path / "index",
            feedback_dir=tmp_path / "feedback",
            reports_dir=tmp_path / "reports",
            cache_dir=tmp_path / "cache",
        )
        values.update(overrides)
        return load_settings(**values)

    return factory
