"""Build hook: the wheel carries the bundled corpus, the curated evaluation set and the UI.

They stay at the top of the repository (corpus/, eval/, ui/), where a checkout uses them; when a wheel
is built they are copied into `assistant/_data/`, where an installed package finds them
(assistant/paths.py). Everything else about the package is declared in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
#: the shipped folders (eval/: the curated set, the lie suite, thresholds; never generated reports)
BUNDLED = ("corpus", "ui", "eval")
_SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".DS_Store", "reports")


class BuildWithData(build_py):
    """build_py that also copies the bundled folders into the build (not for editable installs)."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install imports from the checkout, which has the folders itself
        target = Path(self.build_lib) / "assistant" / "_data"
        for folder in BUNDLED:
            shutil.copytree(HERE / folder, target / folder, ignore=_SKIP, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildWithData})
