"""The layer contract: the app on top, the archive library at the bottom, no import circles.

The contracts live in pyproject.toml (``[tool.importlinter]``); import-linter reads every
import, those inside functions included, so a lazy import cannot hide a wrong-way edge.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LINT = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def lint(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", LINT, "--no-cache", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_layers_and_no_circles_hold():
    result = lint()
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_the_contract_catches_the_archive_importing_the_crawler(tmp_path):
    """A copy of the tree where archive/ reaches up into crawler/ breaks the contract."""
    for package in ("archive", "arshif", "bench", "crawler", "pipelines", "samples"):
        (tmp_path / package).symlink_to(REPO / package)
    (tmp_path / "pyproject.toml").write_text((REPO / "pyproject.toml").read_text(encoding="utf-8"),
                                             encoding="utf-8")
    real = tmp_path / "archive"
    real.unlink()
    real.mkdir()
    for path in (REPO / "archive").iterdir():
        if path.name != "__pycache__":
            (real / path.name).symlink_to(path)
    (real / "wrong_way.py").write_text("def f():\n    from crawler.run import run_crawl\n", encoding="utf-8")
    result = lint(cwd=tmp_path)
    assert result.returncode != 0
    assert "archive.wrong_way -> crawler.run" in result.stdout
