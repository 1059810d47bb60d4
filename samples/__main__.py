"""`python -m samples serve|config|gold|export`: the farm without the arshif CLI."""

from __future__ import annotations

import logging

from samples.cli import farm_group

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
farm_group(prog_name="python -m samples")
