"""`make bench`: a deterministic province-scale data set and the timings the monitoring engine promises.

`generate.py` writes the data set, `duck.py` computes the same facts with DuckDB over an export of the same
tables (the practical floor), `run.py` measures and prints the table. See docs/bench.md.
"""
