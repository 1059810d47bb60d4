"""Requests as JSON: what the job journal (crawler/jobs.py) and the Redis frontier
(crawler/redis_queue.py) keep, so a request can be scheduled again in another process.

A request read back may come from outside the process (a Redis frontier): it is rebuilt
only as a ``scrapy.http`` request class calling the spider's own listed callbacks, never
unpickled or imported by name.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.utils.misc import load_object

# per-attempt or per-process meta that must not travel to a resumed crawl
_VOLATILE_META = {"download_slot", "download_latency", "download_timeout", "depth", "retry_times",
                  "redirect_ttl", "arshif_bytes_received", "arshif_first_byte", "arshif_last_byte",
                  "warc"}


def request_to_json(request: Request, spider, drop: frozenset[str] | set[str] = _VOLATILE_META) -> dict[str, Any]:
    """What is needed to schedule ``request`` again in another process, without the ``drop`` meta."""
    def name(func):
        if func is None:
            return None
        if getattr(func, "__self__", None) is not spider:
            raise ValueError(f"{func!r} is not a method of the spider")
        return func.__name__

    meta = {k: v for k, v in request.meta.items() if k not in drop and not k.startswith("_")}
    data = {"url": request.url, "method": request.method, "callback": name(request.callback),
            "errback": name(request.errback), "meta": meta, "priority": request.priority,
            "dont_filter": request.dont_filter, "cb_kwargs": request.cb_kwargs}
    if request.headers:  # e.g. the Referer; bytes as latin-1, one to one
        data["headers"] = {k.decode("latin-1"): [v.decode("latin-1") for v in values]
                           for k, values in request.headers.items()}
    if type(request) is not Request:
        data["_class"] = f"{type(request).__module__}.{type(request).__name__}"
    return data


def _spider_method(spider, name: Any):
    """The spider's callback ``name``; only those the spider lists in ``callbacks``."""
    if name is None:
        return None
    if not isinstance(name, str) or name not in getattr(spider, "callbacks", ()):
        raise ValueError(f"{name!r} is not a callback of the spider")
    return getattr(spider, name)


def request_from_json(data: dict[str, Any], spider, dont_filter: bool = True) -> Request:
    """The request ``request_to_json`` described; ValueError/TypeError for anything else.

    The dict may come from outside the process (a Redis frontier, crawler/distributed.py):
    only a scrapy.http Request class and the spider's own callbacks are accepted, and
    every field must have the type a request gives it.
    """
    if not isinstance(data, dict) or not isinstance(data.get("url"), str):
        raise ValueError("not a request")
    cls = Request
    if "_class" in data:
        path = data["_class"]
        if not isinstance(path, str) or not path.startswith("scrapy.http."):
            raise ValueError(f"request class {path!r} refused")
        cls = load_object(path)
        if not (isinstance(cls, type) and issubclass(cls, Request)):
            raise ValueError(f"{path!r} is not a request class")
    meta, cb_kwargs, priority = data.get("meta") or {}, data.get("cb_kwargs") or {}, data.get("priority", 0)
    if not isinstance(meta, dict) or not isinstance(cb_kwargs, dict) or type(priority) is not int:
        raise TypeError("meta and cb_kwargs must be objects, priority an integer")
    headers = {name.encode("latin-1"): [value.encode("latin-1") for value in values]
               for name, values in (data.get("headers") or {}).items()}
    return cls(data["url"], method=str(data.get("method", "GET")), headers=headers,
               callback=_spider_method(spider, data.get("callback")),
               errback=_spider_method(spider, data.get("errback")),
               meta=meta, priority=priority, dont_filter=dont_filter or bool(data.get("dont_filter")),
               cb_kwargs=cb_kwargs)
