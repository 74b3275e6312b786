"""The whole demo on the real units of the country (loaded by load_admin_units), kept to a few seconds."""

from io import StringIO

import pytest
from django.core.management import call_command

from ctxh.accounts.models import User
from ctxh.demo.geography import LAST_OLD_DAY, REORG_DAY
from ctxh.geo.models import Level, Unit
from ctxh.orgs.models import Organization, OrgKind

pytestmark = [pytest.mark.xdist_group("geo_loader"), pytest.mark.django_db]


def test_load_demo_on_the_real_tuyen_quang(tmp_path, monkeypatch):
    monkeypatch.delenv("CTXH_DEMO_PASSWORD", raising=False)
    call_command("load_admin_units", stdout=StringIO())
    credentials = tmp_path / "demo_credentials.txt"
    call_command("load_demo", credentials_file=credentials, stdout=StringIO())

    province = Unit.objects.by_code("08", REORG_DAY).get(level=Level.PROVINCE)
    communes = Unit.objects.as_of(REORG_DAY).filter(parent=province)
    committees = Organization.objects.filter(kind=OrgKind.COMMUNE_COMMITTEE)
    assert committees.filter(valid_from=REORG_DAY, unit__in=communes).count() == 124
    old = committees.filter(valid_to=LAST_OLD_DAY)
    assert old.count() == 137 + 193
    assert not old.filter(successor__isnull=True).exists()
    assert not old.exclude(successor__unit__in=communes).exists()
    assert Organization.objects.filter(kind=OrgKind.OTHER, code__regex=r"^UBND-\d{3}-CU$").count() == 7 + 11
    officer = User.objects.get(username="canbo.xa")
    assert officer.scopes.get().unit.name == "Phường Minh Xuân"

    out = StringIO()
    call_command("load_demo", credentials_file=credentials, stdout=out)
    assert "tạo mới 0," in out.getvalue()
