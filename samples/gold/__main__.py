"""`python -m samples.gold`: rewrite samples/gold/*.gold.json from the generator."""

from __future__ import annotations

import logging

from samples.gold import write_gold

logging.basicConfig(level=logging.INFO, format="%(message)s")
write_gold()
