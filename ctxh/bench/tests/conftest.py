import pytest
from django.utils import timezone

from ctxh.bench import generate as gen

TINY = 0.001  # 200 people, 60 cases, 1,000 services


@pytest.fixture
def network(small_geo):
    """The demo network (committees, schools, workers, trainings) on the small two-generation geography."""
    return gen.ensure_network("08")


@pytest.fixture
def tiny(network):
    """The bench data set at a tiny scale, written."""
    result = gen.generate(network, seed=7, scale=TINY, today=timezone.localdate())
    return network, result
