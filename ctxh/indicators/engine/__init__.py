"""The indicator engine: facts `value(indicator, unit, period, disaggregation)` computed set-based in the
database from records and reported numbers, kept in `IndicatorFact` (see docs/engine.md).

    from ctxh.indicators.engine import rebuild_facts, refresh_for, fact_periods
    rebuild_facts()                      # everything (manage.py rebuild_facts)
    rebuild_facts(["COUNSELLED"], ["2024"])

Modules: `periods` (fact periods, half-years, reporting slots), `context` (a run's shared state and the
staging table), one module per method (`counselled`, `children`, `staffing`, `training`), `reported`
(aggregate numbers and the no-double-counting rule), `run` (rebuild and refresh), `sql` (the portable SQL
seam), `testing` (factories for tests).
"""

from ctxh.indicators.engine.periods import fact_periods
from ctxh.indicators.engine.run import METHODS, Change, RunResult, rebuild_facts, refresh_for

__all__ = ["METHODS", "Change", "RunResult", "fact_periods", "rebuild_facts", "refresh_for"]
