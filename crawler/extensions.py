"""Find a running extension from another component (pipelines and middlewares)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

T = TypeVar("T")


def enabled_extension(crawler: Crawler, kind: type[T]) -> T | None:
    """The crawler's enabled extension of class ``kind``; None when it is off or not built yet."""
    extensions = getattr(crawler, "extensions", None)
    for extension in getattr(extensions, "middlewares", ()):
        if isinstance(extension, kind):
            return extension
    return None
