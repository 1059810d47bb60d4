"""The extraction pool: worker processes that yield the CPU to the reactor."""

from __future__ import annotations

import os

import pytest
from scrapy.utils.test import get_crawler

from pipelines.extract import ExtractPipeline


@pytest.mark.parametrize("nice", [0, 7])
def test_workers_run_at_the_configured_niceness(nice):
    crawler = get_crawler(settings_dict={"ARSHIF_EXTRACT_WORKERS": 1, "ARSHIF_EXTRACT_NICE": nice})
    pipeline = ExtractPipeline.from_crawler(crawler)
    pipeline.open_spider()
    try:
        # os.nice(0) in the worker reports its niceness without changing it
        assert pipeline.pool.submit(os.nice, 0).result(timeout=60) == os.nice(0) + nice
    finally:
        pipeline.spider_closed()
