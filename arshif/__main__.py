from arshif.cli import cli

cli()
