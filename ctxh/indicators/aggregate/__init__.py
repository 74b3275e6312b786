"""DHIS2-style aggregate reporting: communes that keep no records report numbers per data set and period.

- `services`: save values (all or nothing, audited, optimistic locking), complete a report, reopen entry.
- `selectors`: the entry form, the entry status (open / locked / not started), completeness and timeliness,
  the reported values the engine reads.
- `rules`: validation rules `#{ELEMENT} + #{ELEMENT.OPTION} <= ...`.
- `outliers`: a value far from the same cell's history (median and MAD).
See docs/aggregate.md.
"""
