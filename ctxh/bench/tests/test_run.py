"""The bench's measurements, end to end on the tiny data set: every figure measured, DuckDB equal to the
facts. (Timings are printed by `make bench`, never asserted.)"""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from ctxh.bench import run
from ctxh.cases.models import ServiceDelivery
from ctxh.indicators.models import IndicatorFact


@pytest.mark.django_db(transaction=True)  # the freshness figure needs real commits (on_commit refresh)
def test_every_figure_is_measured_on_the_tiny_data_set(tiny, tmp_path):
    geo, _result = tiny
    call_command("load_indicator_data", stdout=io.StringIO())
    services = ServiceDelivery.objects.count()
    report = run.Report()
    rebuild = run.measure_rebuild(report)
    user = run.bench_user(geo)
    client = Client()
    client.force_login(user)
    run.measure_dashboard(report, client, geo, repeat=2)
    run.measure_lists(report, client, repeat=2)
    run.measure_freshness(report, geo, user)
    run.measure_duckdb(report, rebuild, timezone.localdate(), tmp_path)

    rows = {row.figure: row for row in report.rows}
    assert rebuild is not None and rebuild > 0
    assert rows["(a) full rebuild (unit map + every indicator)"].value.endswith(" s")
    assert report.notes[0].startswith("(a) unit map ") and report.notes[0].endswith(" facts")
    dashboards = [row for figure, row in rows.items() if figure.startswith("(b) dashboard warm")]
    assert len(dashboards) == 2 and all(row.value.startswith("median ") for row in dashboards)
    lists = [row for figure, row in rows.items() if figure.startswith("(d) ")]
    assert len(lists) == 6 and all(row.value.startswith("median ") for row in lists)
    assert rows["(c) saved record to indicators"].value.startswith("median ")
    assert rows["(c) saved record to indicators"].value.endswith(" of 3")
    assert rows["(e) DuckDB = ctxh facts"].verdict == "OK"
    assert len(report.notes) == 1  # no mismatch, no fact left behind by the freshness figure
    # The freshness service was taken away again: the data set is as generated, the facts agree with it.
    assert ServiceDelivery.objects.count() == services
    assert IndicatorFact.objects.filter(indicator_code="COUNSELLED").exists()

    out = io.StringIO()
    report.print(out)
    assert "(e) ratio ctxh / DuckDB (COUNSELLED + CHILDREN)" in out.getvalue()
