"""Default locations: the checkout's folders in a checkout; bundled data + the user data folder when installed."""

from __future__ import annotations

from pathlib import Path

from assistant import paths
from assistant.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_a_checkout_uses_its_own_folders(monkeypatch):
    for name in ("RSA_CORPUS_DIR", "RSA_INDEX_DIR", "RSA_REPORTS_DIR", "RSA_CACHE_DIR", "RSA_FEEDBACK_DIR"):
        monkeypatch.delenv(name, raising=False)
    assert paths.checkout_root() == REPO_ROOT
    settings = Settings()
    assert settings.corpus_dir == REPO_ROOT / "corpus"
    assert settings.index_dir == REPO_ROOT / "index"
    assert settings.reports_dir == REPO_ROOT / "eval" / "reports"
    assert settings.cache_dir == REPO_ROOT / ".cache"
    assert paths.bundled("ui/app.py") == REPO_ROOT / "ui" / "app.py"


def test_an_installed_package_writes_under_the_user_data_folder(tmp_path, monkeypatch):
    package = tmp_path / "site-packages" / "assistant"
    (package / "_data" / "corpus" / "review").mkdir(parents=True)
    (package / "_data" / "corpus" / "review" / "a.txt").write_text("bundled text")
    monkeypatch.setattr(paths, "PACKAGE_DIR", package)
    monkeypatch.setattr(paths, "PACKAGED_DATA", package / "_data")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    for name in ("RSA_CORPUS_DIR", "RSA_INDEX_DIR", "RSA_REPORTS_DIR", "RSA_CACHE_DIR", "RSA_FEEDBACK_DIR"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "xdg" / "msc-rsa-assistant"

    assert paths.checkout_root() is None
    assert paths.bundled("eval/curated.yaml") == package / "_data" / "eval" / "curated.yaml"
    settings = Settings()
    assert (settings.corpus_dir, settings.index_dir, settings.reports_dir, settings.cache_dir) == (
        home / "corpus",
        home / "index",
        home / "reports",
        home / "cache",
    )
    # the corpus is a user copy (so `corpus add` never writes into site-packages), made once
    assert (home / "corpus" / "review" / "a.txt").read_text() == "bundled text"
    (home / "corpus" / "review" / "a.txt").write_text("edited by the user")
    Settings()
    assert (home / "corpus" / "review" / "a.txt").read_text() == "edited by the user"
    # settings still win
    assert Settings(index_dir=tmp_path / "elsewhere").index_dir == tmp_path / "elsewhere"
