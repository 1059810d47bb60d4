"""Shared fixtures: the real sample-site farm and a real crawl of it, each started once.

The farm and the crawl run as subprocesses (``python -m arshif ...``), exactly
as a user runs them; tests then read the files they produced.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from arshif.demo import start_farm, stop_farm

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Farm:
    port: int
    process: subprocess.Popen


@dataclass
class Crawl:
    data_dir: Path
    config: Path
    stdout: str
    stderr: str
    returncode: int

    @property
    def db_path(self) -> Path:
        return self.data_dir / "archive.db"


def arshif(*args: str, timeout: float = 600, **kwargs) -> subprocess.CompletedProcess:
    """Run the ``arshif`` CLI in a subprocess from the repository root."""
    return subprocess.run([sys.executable, "-m", "arshif", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout, **kwargs)


def crawl_farm(farm: Farm, data_dir: Path, *extra: str) -> Crawl:
    from samples.config import sites_config

    data_dir.mkdir(parents=True, exist_ok=True)
    config = data_dir / "sites.toml"
    config.write_text(sites_config(farm.port), encoding="utf-8")
    result = arshif("crawl", "--config", str(config), "--data", str(data_dir),
                    "--set", "AUTOTHROTTLE_ENABLED=False", *extra)
    return Crawl(data_dir, config, result.stdout, result.stderr, result.returncode)


@pytest.fixture(scope="session")
def farm():
    process, port = start_farm(0)
    yield Farm(port, process)
    stop_farm(process)


@pytest.fixture(scope="session")
def crawled(farm, tmp_path_factory) -> Crawl:
    crawl = crawl_farm(farm, tmp_path_factory.mktemp("crawl") / "data")
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    return crawl


@pytest.fixture(scope="session")
def gold(farm) -> list[dict]:
    from samples.gold import iter_gold

    return list(iter_gold(farm.port))


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    # loopback only: a proxy from the environment must never see test traffic
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "*")
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")


@pytest.fixture
def arshif_plugin():
    """The Datasette plugin, registered for tests run without the installed entry point."""
    from datasette.plugins import pm

    import archive.web.plugin as plugin

    if pm.is_registered(plugin):
        yield plugin
        return
    pm.register(plugin, name="arshif")
    yield plugin
    pm.unregister(plugin)
