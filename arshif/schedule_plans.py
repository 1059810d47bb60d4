"""When each site is crawled: periods ("every 6h") and cron expressions, read from the
sites config. Cron expressions are read by croniter: minute hour day-of-month month
day-of-week, each ``*``, a number, a range ``a-b``, a step ``*/n`` or ``a-b/n``, or a comma
list of those; month and weekday names (jan, mon...) and the macros @hourly, @daily,
@midnight, @weekly, @monthly, @yearly. When both day fields are restricted, either matching
is enough (as in cron); an expression with no match within five years is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from croniter import CroniterBadDateError, croniter

from crawler.sites import Site, load_sites, select_sites

DEFAULT_EVERY = "6h"
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
PERIOD_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")
MAX_CRON_YEARS = 5  # an expression with no match within this many years never matches (31 feb)


class ScheduleError(ValueError):
    """A schedule or cron expression that cannot be used."""


def parse_period(text: str) -> float:
    """Seconds in "every 6h", "6h", "1h30m", "90s", "1d"."""
    spec = text.strip().lower().removeprefix("every").strip()
    parts = PERIOD_RE.findall(spec)
    if not parts or PERIOD_RE.sub("", spec).strip():
        raise ScheduleError(f"not a period: {text!r} (use e.g. 'every 6h', '30m', '1h30m', '1d')")
    seconds = sum(float(n) * UNITS[unit] for n, unit in parts)
    if seconds <= 0:
        raise ScheduleError(f"period must be positive: {text!r}")
    return seconds


@dataclass(frozen=True)
class Cron:
    """A 5-field cron expression in UTC, read by croniter (day-of-month OR day-of-week
    when both are restricted, as in cron)."""

    expression: str

    @classmethod
    def parse(cls, expression: str) -> Cron:
        text = expression.strip()
        # croniter also takes 6- and 7-field (seconds, year) forms; a site entry is cron's own 5
        if len(text.split()) != 5 and not text.startswith("@"):
            raise ScheduleError(f"a cron expression has 5 fields (minute hour day month weekday): {expression!r}")
        if not croniter.is_valid(text):
            raise ScheduleError(f"not a cron expression: {expression!r}")
        return cls(text)

    def _iter(self, start: datetime) -> croniter:
        return croniter(self.expression, start.astimezone(UTC), max_years_between_matches=MAX_CRON_YEARS)

    def next_after(self, moment: datetime) -> datetime:
        """The first matching minute strictly after ``moment`` (UTC)."""
        try:
            return self._iter(moment).get_next(datetime)
        except CroniterBadDateError as error:
            raise ScheduleError(f"cron expression never matches: {self.expression!r}") from error

    def previous_before(self, moment: datetime, horizon: timedelta = timedelta(days=40)) -> datetime | None:
        """The last matching minute at or before ``moment`` within ``horizon``."""
        # get_prev is strictly before its start: start just after moment's own minute
        start = moment.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
        try:
            found = self._iter(start).get_prev(datetime)
        except CroniterBadDateError:
            return None
        return found if found >= start - timedelta(minutes=1) - horizon else None


@dataclass(frozen=True)
class Plan:
    """When one site is crawled: every ``period`` seconds, or on a cron expression."""

    site: str
    period: float | None = None
    cron: Cron | None = None

    def describe(self) -> str:
        return f"cron '{self.cron.expression}' (UTC)" if self.cron else f"every {self.period:g} s"


def plan_for(site: Site, default_every: str = DEFAULT_EVERY) -> Plan | None:
    """The site's plan; None when its schedule is "off"."""
    if site.cron and site.schedule:
        raise ScheduleError(f"site {site.name}: give either schedule or cron, not both")
    if site.cron:
        return Plan(site.name, cron=Cron.parse(site.cron))
    spec = site.schedule or default_every
    if spec.strip().lower() in ("off", "never", "manual"):
        return None
    return Plan(site.name, period=parse_period(spec))


def load_plans(config: str | Path, names: list[str] | tuple[str, ...] = (),
               default_every: str = DEFAULT_EVERY) -> list[Plan]:
    plans = []
    for site in select_sites(load_sites(config), list(names)):
        try:
            plan = plan_for(site, default_every)
        except ScheduleError as exc:
            raise ScheduleError(f"{config}: site {site.name}: {exc}") from None
        if plan is not None:
            plans.append(plan)
    return plans
