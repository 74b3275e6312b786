import pytest

from ctxh.core.models import Ethnicity
from ctxh.core.reference import FOREIGN_NATIONAL_CODE


@pytest.mark.django_db
def test_the_54_ethnic_groups_and_foreign_nationals_are_loaded():
    assert Ethnicity.objects.count() == 55
    assert Ethnicity.objects.filter(code__regex=r"^[0-9]{2}$").count() == 54
    assert Ethnicity.objects.get(code="01").name == "Kinh"
    assert Ethnicity.objects.get(code="46").name == "Pà Thẻn"
    assert Ethnicity.objects.get(code=FOREIGN_NATIONAL_CODE).name == "Người nước ngoài"
    assert Ethnicity.objects.filter(search_name="pa then").exists()
    assert list(Ethnicity.objects.values_list("code", flat=True)[:3]) == ["01", "02", "03"]
