"""Documentation is part of the contract: settings and commands must be documented."""

import re
from pathlib import Path

import click
from click.testing import CliRunner

import crawler.settings
from arshif.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SETTINGS_DOC = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")


def custom_settings() -> list[str]:
    return [name for name in vars(crawler.settings) if re.match(r"^(ARSHIF|WARC)_[A-Z_]+$", name)]


def test_every_custom_setting_is_documented():
    names = custom_settings()
    assert "WARC_MAX_SIZE" in names and "ARSHIF_DATA_DIR" in names
    assert [n for n in names if f"`{n}`" not in SETTINGS_DOC] == []


def test_readme_links_resolve():
    """Every relative link in the README points at a file of the repository."""
    links = re.findall(r"\]\(([^)#:]+)\)", README)
    assert "docs/settings.md" in links
    assert [link for link in links if not (ROOT / link).exists()] == []


def walk(group: click.Group, prefix: str = ""):
    for name, command in group.commands.items():
        yield prefix + name, command
        if isinstance(command, click.Group):
            yield from walk(command, prefix + name + " ")


def test_every_command_has_help_and_is_in_readme():
    runner = CliRunner()
    for name, command in walk(cli):
        assert command.help, f"arshif {name} has no help text"
        result = runner.invoke(cli, [*name.split(), "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                assert param.help, f"arshif {name} {param.opts[0]} has no help text"
        if not isinstance(command, click.Group):
            assert f"arshif {name}" in README, f"`arshif {name}` missing from README"
