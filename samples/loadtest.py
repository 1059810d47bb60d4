"""Measure a running farm's throughput with `concurrency` keep-alive aiohttp clients.

`python -m samples.loadtest --port P` (farm started separately) or without --port to
start one in-process on a background thread (the client then shares the machine, as
a crawler would).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import time

import aiohttp

from samples.farm import Farm, running_farm

logger = logging.getLogger(__name__)


def farm_urls(farm: Farm, port: int) -> list[str]:
    """Every article URL of every publisher, interleaved."""
    per_site = [[a.url(port) for a in site.articles] for site in farm.sites]
    return [u for group in itertools.zip_longest(*per_site) for u in group if u]


async def hammer(urls: list[str], seconds: float, concurrency: int, gzip: bool) -> dict[str, float]:
    cycle = itertools.cycle(urls)
    done = errors = received = 0
    deadline = time.perf_counter() + seconds
    headers = {"Accept-Encoding": "gzip" if gzip else "identity"}
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, auto_decompress=False, headers=headers) as session:
        async def worker() -> None:
            nonlocal done, errors, received
            while time.perf_counter() < deadline:
                async with session.get(next(cycle)) as response:
                    body = await response.read()
                    received += len(body)
                    done += 1
                    errors += response.status != 200
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {"requests": done, "errors": errors, "seconds": elapsed,
            "req_per_s": done / elapsed, "mb_per_s": received / elapsed / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--gzip", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.port is None:
        with running_farm(0, args.articles) as farm:
            result = asyncio.run(hammer(farm_urls(farm, farm.port), args.seconds, args.concurrency, args.gzip))
    else:
        from samples.farm import build_farm

        farm = build_farm(args.articles, args.port)
        result = asyncio.run(hammer(farm_urls(farm, args.port), args.seconds, args.concurrency, args.gzip))
    logger.info("%(requests)d requests, %(errors)d errors in %(seconds).1f s: "
                "%(req_per_s).0f req/s, %(mb_per_s).1f MB/s", result)


if __name__ == "__main__":
    main()
