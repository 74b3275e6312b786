import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from ctxh.core.models import Ethnicity
from ctxh.core.reference import Sex
from ctxh.orgs.models import OrgKind
from ctxh.testing import make_org
from ctxh.workforce import services
from ctxh.workforce.models import AllowanceChange, BaseSalary, Category, Dedication, Position, Worker
from ctxh.workforce.selectors import base_salary_on
from ctxh.workforce.testing import make_position, make_worker

pytestmark = pytest.mark.django_db
JULY_1 = dt.date(2024, 7, 1)


def errors_of(call, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    return caught.value.message_dict


def new_worker(**extra) -> Worker:
    data = {"full_name": "Nguyễn Thị Hoa", "sex": Sex.FEMALE, "date_of_birth": dt.date(1990, 5, 17)} | extra
    return services.worker_create(**data)


def test_a_worker_is_stored_in_nfc_and_found_without_diacritics():
    worker = new_worker(full_name="  Nguye\u0302\u0303n Văn A ", sex=Sex.MALE, cccd="008 090 123456",
                        date_of_birth=dt.date(1990, 1, 1), ethnicity=Ethnicity.objects.get(code="02"))
    assert worker.full_name == "Nguyễn Văn A" and worker.cccd == "008090123456"
    assert list(Worker.objects.search("nguyen van a")) == [worker]
    assert list(Worker.objects.search("008090123456")) == [worker]
    assert not Worker.objects.search("999").exists()


def test_an_invalid_cccd_is_refused_with_the_reason_and_nothing_is_written():
    errors = errors_of(new_worker, cccd="008290123456")  # 2 = male born in the 2000s
    assert "cccd" in errors
    assert "giới tính nam" in errors["cccd"][0]
    assert not Worker.objects.exists()


def test_a_duplicate_cccd_is_refused():
    new_worker(cccd="008190123456")
    errors = errors_of(new_worker, full_name="Trần Thị Hoa", cccd="008190123456")
    assert errors["cccd"] == ["Số CCCD này đã có trong danh sách, ghi cho một người khác."]
    assert Worker.objects.count() == 1


def test_workers_without_cccd_are_not_duplicates():
    new_worker()
    new_worker(cccd="")
    assert Worker.objects.filter(cccd__isnull=True).count() == 2


def test_a_stale_update_is_refused_with_what_changed():
    worker = new_worker()
    read_version = worker.version
    services.worker_update(worker=worker, version=read_version, data={"phone": "0912345678"})
    with pytest.raises(services.ConcurrentEditError) as caught:
        services.worker_update(worker=worker, version=read_version, data={"full_name": "Nguyễn Thị Hòa"})
    assert [change.field for change in caught.value.changes] == ["phone"]
    assert "điện thoại" in caught.value.messages[0]
    worker.refresh_from_db()
    assert worker.full_name == "Nguyễn Thị Hoa" and worker.version == read_version + 1
    updated = services.worker_update(worker=worker, version=worker.version,
                                     data={"full_name": "Nguyễn Thị Hòa"})
    assert updated.search_name == "nguyen thi hoa" and updated.history.count() == 3


def position_kwargs(org, **extra):
    return {"worker": make_worker(), "organization": org, "category": Category.STAFF,
            "dedication": Dedication.PART_TIME, "start_date": dt.date(2022, 1, 1)} | extra


def test_a_position_with_its_first_allowance(small_geo):
    org = make_org(small_geo.x1)
    position = services.position_create(**position_kwargs(org), monthly_allowance_vnd="2340000")
    [change] = position.allowances.all()
    assert (change.effective_date, change.monthly_allowance_vnd) == (dt.date(2022, 1, 1), 2_340_000)


def test_a_position_ending_before_it_starts_is_refused(small_geo):
    org = make_org(small_geo.x1)
    errors = errors_of(services.position_create, **position_kwargs(org, end_date=dt.date(2021, 1, 1)))
    assert errors["end_date"] == ["Ngày kết thúc không được trước ngày bắt đầu (01/01/2022)."]
    assert not Position.objects.exists()


def test_a_position_in_an_organization_not_active_on_the_start_date_is_refused(small_geo):
    org = make_org(small_geo.x1, valid_from=dt.date(2023, 1, 1))
    errors = errors_of(services.position_create, **position_kwargs(org))
    assert "không hoạt động vào ngày bắt đầu 01/01/2022" in errors["start_date"][0]


def test_a_position_outliving_its_closed_organization_is_refused(small_geo):
    org = make_org(small_geo.x1, valid_to=dt.date(2025, 6, 30))
    errors = errors_of(services.position_create, **position_kwargs(org))
    assert "chấm dứt hoạt động ngày 30/06/2025" in errors["end_date"][0]
    services.position_create(**position_kwargs(org, end_date=dt.date(2025, 6, 30)))


@pytest.mark.parametrize(("amount", "message"), [
    (-1, "Số tiền không được âm."),
    ("2340000.5", "Số tiền phải là số nguyên đồng, không có phần lẻ."),
    ("hai triệu", "Số tiền phải là một số nguyên (đồng)."),
])
def test_a_negative_or_fractional_allowance_is_refused(small_geo, amount, message):
    position = make_position(make_worker(), make_org(small_geo.x1), allowance=None)
    errors = errors_of(services.allowance_set, position=position, effective_date=dt.date(2024, 7, 1),
                       monthly_allowance_vnd=amount)
    assert errors["monthly_allowance_vnd"] == [message]
    assert not AllowanceChange.objects.exists()


def test_allowance_changes_are_recorded_not_overwritten(small_geo):
    position = make_position(make_worker(), make_org(small_geo.x1), allowance=1_800_000)
    services.allowance_set(position=position, effective_date=JULY_1, monthly_allowance_vnd=2_340_000)
    assert list(position.allowances.values_list("monthly_allowance_vnd", flat=True)) == [2_340_000, 1_800_000]
    errors = errors_of(services.allowance_set, position=position, effective_date=dt.date(2024, 7, 1),
                       monthly_allowance_vnd=2_500_000)
    assert "đã có mức phụ cấp 2.340.000 đồng áp dụng từ ngày 01/07/2024" in errors["effective_date"][0]
    change = position.allowances.get(effective_date=dt.date(2024, 7, 1))
    services.allowance_correct(change=change, monthly_allowance_vnd=2_350_000)
    assert list(change.history.values_list("monthly_allowance_vnd", flat=True)) == [2_350_000, 2_340_000]


def test_an_allowance_outside_the_position_is_refused(small_geo):
    position = make_position(make_worker(), make_org(small_geo.x1), start=dt.date(2022, 1, 1),
                             end=dt.date(2023, 12, 31))
    errors = errors_of(services.allowance_set, position=position, effective_date=dt.date(2024, 7, 1),
                       monthly_allowance_vnd=2_340_000)
    assert errors["effective_date"] == [
        "Ngày áp dụng phải trong thời gian giữ vị trí (từ 01/01/2022 đến 31/12/2023)."]


def test_ending_a_position_before_a_recorded_allowance_is_refused(small_geo):
    position = make_position(make_worker(), make_org(small_geo.x1, kind=OrgKind.SCHOOL))
    services.allowance_set(position=position, effective_date=JULY_1, monthly_allowance_vnd=2_340_000)
    errors = errors_of(services.position_end, position=position, end_date=dt.date(2024, 6, 30))
    assert "01/07/2024" in errors["end_date"][0]
    ended = services.position_end(position=position, end_date=dt.date(2024, 12, 31))
    assert ended.end_date == dt.date(2024, 12, 31)


def test_the_base_salary_table_is_loaded_and_can_be_corrected():
    rows = BaseSalary.objects.order_by("effective_date")
    assert [(row.effective_date, row.amount_vnd, row.confirmed) for row in rows] == [
        (dt.date(2019, 7, 1), 1_490_000, True), (dt.date(2023, 7, 1), 1_800_000, True),
        (dt.date(2024, 7, 1), 2_340_000, True), (dt.date(2026, 7, 1), 2_530_000, False),
    ]
    assert base_salary_on(dt.date(2024, 6, 30)).amount_vnd == 1_800_000
    assert base_salary_on(dt.date(2024, 7, 1)).amount_vnd == 2_340_000
    row = services.base_salary_upsert(effective_date=dt.date(2026, 7, 1), amount_vnd=2_530_000,
                                      instrument="Nghị định 999/2026/NĐ-CP", confirmed=True)
    assert row.confirmed and row.history.count() == 2
    assert BaseSalary.objects.count() == 4
    errors = errors_of(services.base_salary_upsert, effective_date=dt.date(2027, 1, 1), amount_vnd=0)
    assert errors["amount_vnd"] == ["Mức lương cơ sở phải lớn hơn 0."]
