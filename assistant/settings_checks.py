"""File-system checks of the folders settings name, so a bad path is one settings error (exit 3).

A setting such as RSA_INDEX_DIR may point at a file, at /proc, under /dev/null, or at a folder the user
cannot write. Without these checks the first `open` deep inside a build or an evaluation fails with a raw
OSError; with them the user gets one line naming the setting and what to do, before any work is done
(an evaluation checks its reports folder before it runs, so no results are lost).
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from assistant.errors import SettingsError
from assistant.settings import Settings, shown_path

#: setting field -> (environment variable, CLI flag or "")
_PATH_SETTINGS: dict[str, tuple[str, str]] = {
    "corpus_dir": ("RSA_CORPUS_DIR", "--corpus-dir"),
    "index_dir": ("RSA_INDEX_DIR", "--index-dir"),
    "reports_dir": ("RSA_REPORTS_DIR", ""),
    "feedback_dir": ("RSA_FEEDBACK_DIR", ""),
    "cache_dir": ("RSA_CACHE_DIR", ""),
}


def _name(field: str) -> str:
    variable, flag = _PATH_SETTINGS[field]
    return f"{variable} (or {flag})" if flag else variable


def _error(field: str, path: Path, problem: str, *, writable: bool = True) -> SettingsError:
    variable, _ = _PATH_SETTINGS[field]
    return SettingsError(
        f"{variable}={shown_path(path)} cannot be used: {problem}.",
        hint=f"Point {_name(field)} at a folder you can {'write to' if writable else 'read'}.",
    )


def require_dir(settings: Settings, field: str, *, writable: bool = True, create: bool = True) -> Path:
    """The folder `settings.<field>` names, checked (and created when `create`); else a SettingsError."""
    path = Path(getattr(settings, field))
    try:
        if path.exists() and not path.is_dir():
            raise _error(field, path, "it is a file, not a folder", writable=writable)
        if not path.exists():
            if not create:
                # missing is for the caller to report ("no index yet"); a file on the way is a bad setting
                blocker = next((p for p in path.absolute().parents if p.exists()), None)
                if blocker is not None and not blocker.is_dir():
                    raise _error(field, path, "a part of the path is a file, not a folder", writable=writable)
                return path
            path.mkdir(parents=True, exist_ok=True)
        if writable:
            # os.access is not enough (read-only mounts, /proc): create and remove a real file
            handle, probe = tempfile.mkstemp(prefix=".rsa-write-check-", dir=path)
            os.close(handle)
            os.unlink(probe)
        elif not os.access(path, os.R_OK | os.X_OK):
            raise _error(field, path, "it is not readable", writable=writable)
    except SettingsError:
        raise
    except OSError as exc:
        raise _error(field, path, _reason(exc), writable=writable) from None
    return path


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOTDIR:
        return "a part of the path is a file, not a folder"
    return (exc.strerror or type(exc).__name__).lower()


def error_for(settings: Settings | None, exc: OSError) -> SettingsError | None:
    """The settings error an OSError amounts to, when its file lies under a folder a setting names."""
    if settings is None or not exc.filename:
        return None
    try:
        failed = Path(os.fsdecode(exc.filename)).absolute()
    except (TypeError, ValueError):
        return None
    for field in _PATH_SETTINGS:
        root = Path(getattr(settings, field)).absolute()
        if failed == root or root in failed.parents or failed in root.parents:
            return _error(field, root, _reason(exc))
    return None


def error_for_environment(exc: OSError) -> SettingsError | None:
    """`error_for` against the settings the environment gives (for errors caught outside a command)."""
    from assistant.errors import ConfigurationError
    from assistant.settings import load_settings

    try:
        settings = load_settings()
    except ConfigurationError:
        return None
    return error_for(settings, exc)
