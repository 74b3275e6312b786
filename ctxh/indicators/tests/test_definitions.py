"""The loader of ctxh/indicators/data/*.json (`load_indicator_data`): counts, idempotence, a new programme
file, and every kind of bad input refused with its file and JSON path, writing nothing.

The data files hold 3 disaggregations (7 options), 7 data elements, 5 indicators, 2 data sets (7 elements
each), 8 validation rules, 2 programmes and 16 targets (Plan 154: 8, Decision 112: 8). Every test database
has them already (the root conftest loads them).
"""

import copy
import io
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from ctxh.accounts.roles import Role
from ctxh.accounts.testing import login_verified
from ctxh.geo.models import UnitKind
from ctxh.indicators import definitions
from ctxh.indicators.definitions import DATA_DIR, DefinitionsError, load_indicator_data
from ctxh.indicators.models import (
    CategoryCombo,
    CategoryOptionCombo,
    DataElement,
    DataSet,
    DataSetElement,
    IndicatorDefinition,
    IndicatorFact,
    Programme,
    Target,
    ValidationRule,
)
from ctxh.indicators.targets import programme_for_unit, targets_for
from ctxh.testing import make_unit, make_user

pytestmark = pytest.mark.django_db

PLAN = "plan154_tuyen_quang.json"
REFERENCE = "reference.json"
ALL_COUNTS = {CategoryCombo: 3, CategoryOptionCombo: 7, DataElement: 7, IndicatorDefinition: 5, DataSet: 2,
              DataSetElement: 14, ValidationRule: 8, Programme: 2, Target: 16}


def original(name: str) -> dict:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def write(folder: Path, name: str, content: dict | str) -> Path:
    path = folder / name
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False, indent=1)
    path.write_text(text, encoding="utf-8")
    return path


def wipe() -> None:
    """An empty database (as before the first load)."""
    for model in (Target, Programme, ValidationRule, DataSetElement, DataSet, IndicatorDefinition,
                  DataElement, CategoryOptionCombo, CategoryCombo):
        model.objects.all().delete()


def counts(report, field: str) -> dict:
    return {model: getattr(report.get(model), field) for model in ALL_COUNTS}


def errors_of(paths) -> list[str]:
    with pytest.raises(DefinitionsError) as raised:
        load_indicator_data(paths)
    return raised.value.messages


# ---------------------------------------------------------------------------------------------- loading


def test_a_first_load_creates_everything_and_a_second_changes_nothing():
    wipe()
    first = load_indicator_data()
    assert first.files == ["decision112.json", PLAN, REFERENCE]
    assert counts(first, "created") == ALL_COUNTS
    assert {model: model.objects.count() for model in ALL_COUNTS} == ALL_COUNTS

    second = load_indicator_data()
    assert counts(second, "unchanged") == ALL_COUNTS
    assert not second.changed


def test_what_is_loaded_is_what_the_files_say():
    plan = Programme.objects.get(code="PLAN154_TQ")
    assert (plan.scope_unit_code, plan.is_active, plan.source_file) == ("08", True, PLAN)
    training = Target.objects.get(programme=plan, indicator__code="TRAINING", period_code="2021-2025")
    assert (training.value, training.comparison, training.applies_to, training.phase_code) == (
        Decimal(2000), ">", "programme_unit", "1")
    counselled = Target.objects.get(programme=plan, indicator__code="COUNSELLED", period_code="2030")
    assert (counselled.value, counselled.comparison, counselled.baseline_period_code) == (
        Decimal("0.3"), "growth>=", "2025")
    children = Target.objects.get(programme__code="QD112", indicator__code="CHILDREN", period_code="2025")
    assert (children.value, children.is_confirmed) == (Decimal("0.85"), True)
    assert not Target.objects.get(programme__code="QD112", indicator__code="CHILDREN",
                                  period_code="2030").is_confirmed
    indicator = IndicatorDefinition.objects.get(code="COUNSELLED")
    assert (indicator.source, indicator.method, indicator.data_element.code, indicator.combination_rule) == (
        "both", "counselled", "COUNSELLED_PEOPLE", "records_first")
    assert indicator.disaggregations == ["sex", "group", "age", "ethnicity"]
    assert IndicatorDefinition.objects.get(code="SERVICE_FACILITIES").source == "aggregate"
    assert list(DataSet.objects.get(code="CTXH_YEAR").data_set_elements.values_list(
        "data_element__code", flat=True))[:2] == ["COUNSELLED_PEOPLE", "COUNSELLED_BY_GROUP"]
    assert CategoryOptionCombo.objects.get(code="FEMALE").dimensions == {"sex": "female"}
    assert CategoryOptionCombo.objects.get(code="GROUP_PLAN154_CHILD").dimensions == {
        "group": "plan154_child"}
    rule = ValidationRule.objects.get(code="COUNSELLED_CHILDREN_LE_PEOPLE")
    assert (rule.data_set.code, rule.left_side, rule.operator, rule.right_side, rule.action) == (
        "CTXH_6M", "#{COUNSELLED_CHILDREN}", "<=", "#{COUNSELLED_PEOPLE}", "refuse")
    assert set(DataSet.objects.get(code="CTXH_YEAR").validation_rules.values_list("code", flat=True)) == {
        "COUNSELLED_CHILDREN_LE_PEOPLE_CTXH_YEAR", "CHILDREN_SERVED_LE_IN_GROUPS_CTXH_YEAR",
        "GROUPS_COVER_PEOPLE_CTXH_YEAR", "FACILITIES_PROVIDING_LE_TOTAL_CTXH_YEAR"}


def test_the_command_reports_what_it_did():
    out = io.StringIO()
    call_command("load_indicator_data", stdout=out)
    text = out.getvalue()
    assert "Đã đọc: decision112.json, plan154_tuyen_quang.json, reference.json." in text
    assert "Chỉ tiêu: tạo mới 0, cập nhật 0, không đổi 16." in text
    assert "Chương trình: tạo mới 0, cập nhật 0, không đổi 2." in text


def test_a_changed_target_is_updated_and_the_rest_left_as_it_is(tmp_path):
    content = original(PLAN)
    content["targets"][0]["value"] = 0.65
    content["targets"][0]["label_vi"] = "ít nhất 65 % vào cuối năm 2025"
    del content["targets"][7]  # CHILDREN 2030: missing from the file, kept in the database
    report = load_indicator_data([write(tmp_path, PLAN, content)])
    assert (report.get(Target).created, report.get(Target).updated, report.get(Target).unchanged) == (0, 1, 6)
    assert report.get(IndicatorDefinition).unchanged == 0  # only the programme file was read
    staffing = Target.objects.get(programme__code="PLAN154_TQ", indicator__code="STAFFING",
                                  period_code="2025")
    assert (staffing.value, staffing.label_vi) == (Decimal("0.65"), "ít nhất 65 % vào cuối năm 2025")
    assert Target.objects.filter(programme__code="PLAN154_TQ", indicator__code="CHILDREN",
                                 period_code="2030").exists()


def test_a_programme_file_given_on_the_command_line_becomes_active(tmp_path, small_geo):
    ca_mau = {
        "programme": {"code": "KH_CA_MAU", "name_vi": "Kế hoạch phát triển công tác xã hội tỉnh Cà Mau",
                      "scope_unit_code": "96", "start_date": "2021-01-01", "end_date": "2030-12-31",
                      "sort_order": 3},
        "targets": [{"indicator": "STAFFING", "phase_code": "1", "period_code": "2025",
                     "start_date": "2021-01-01", "deadline": "2025-12-31", "value": 0.7, "comparison": ">=",
                     "label_vi": "ít nhất 70 % vào cuối năm 2025"}],
    }
    out = io.StringIO()
    call_command("load_indicator_data", str(write(tmp_path, "ca_mau.json", ca_mau)), stdout=out)
    assert "Chỉ tiêu: tạo mới 1, cập nhật 0, không đổi 0." in out.getvalue()
    programme = Programme.objects.get(code="KH_CA_MAU")
    assert programme.is_active and programme.source_file == "ca_mau.json"
    assert [(t.programme.code, t.value) for t in targets_for("STAFFING", day=programme.start_date)] == [
        ("PLAN154_TQ", Decimal("0.6")), ("QD112", Decimal("0.6")), ("KH_CA_MAU", Decimal("0.7"))]
    ca_mau_province = make_unit("96", "Tỉnh Cà Mau", UnitKind.PROVINCE)
    assert programme_for_unit(ca_mau_province) == programme
    assert programme_for_unit(small_geo.n1).code == "PLAN154_TQ"


def test_a_programme_file_dropped_in_the_folder_is_loaded_with_the_others(tmp_path, monkeypatch):
    for path in DATA_DIR.glob("*.json"):
        shutil.copy(path, tmp_path / path.name)
    second = original("decision112.json")
    second["programme"] |= {"code": "KH_HA_NOI", "name_vi": "Kế hoạch của Hà Nội", "scope_unit_code": "01",
                            "sort_order": 3}
    write(tmp_path, "ha_noi.json", second)
    monkeypatch.setattr(definitions, "DATA_DIR", tmp_path)

    report = load_indicator_data()
    assert "ha_noi.json" in report.files
    assert (report.get(Programme).created, report.get(Target).created) == (1, 8)
    assert Programme.objects.get(code="KH_HA_NOI").targets.count() == 8


# ---------------------------------------------------------------------------------------------- bad input


def bad_plan(change) -> dict:
    content = copy.deepcopy(original(PLAN))
    change(content)
    return content


def bad_reference(change) -> dict:
    content = copy.deepcopy(original(REFERENCE))
    change(content)
    return content


def set_in(path: list, value):
    def change(content):
        node = content
        for key in path[:-1]:
            node = node[key]
        if value is KeyError:
            del node[path[-1]]
        else:
            node[path[-1]] = value
    return change


@pytest.mark.parametrize(("name", "content", "message"), [
    (PLAN, bad_plan(set_in(["targets", 2, "indicator"], "TRAINNING")),
     "plan154_tuyen_quang.json, targets[2].indicator: không có chỉ số mã “TRAINNING”."),
    (PLAN, bad_plan(set_in(["targets", 2, "value"], "2000")),
     "plan154_tuyen_quang.json, targets[2].value: “2000” không phải một số"),
    (PLAN, bad_plan(set_in(["targets", 0, "value"], 60)),
     "plan154_tuyen_quang.json, targets[0].value: chỉ số là một tỷ lệ: hãy viết chỉ tiêu từ 0 đến 1 "
     "(60 % là 0.6), không phải 60."),
    (PLAN, bad_plan(set_in(["targets", 0, "comparison"], "=>")),
     "plan154_tuyen_quang.json, targets[0].comparison: “=>” không hợp lệ. Giá trị hợp lệ: >=, >, <=, "
     "growth>=."),
    (PLAN, bad_plan(set_in(["targets", 4, "period_code"], "2025S3")),
     "plan154_tuyen_quang.json, targets[4].period_code: Mã kỳ “2025S3” không hợp lệ."),
    (PLAN, bad_plan(set_in(["targets", 4, "period_code"], "2025-07-01")),
     "plan154_tuyen_quang.json, targets[4].period_code: “2025-07-01” không dùng được làm kỳ của chỉ tiêu"),
    (PLAN, bad_plan(set_in(["targets", 6, "period_code"], "2026")),
     "plan154_tuyen_quang.json, targets[6].period_code: kỳ 2026 phải nằm trong khoảng từ ngày bắt đầu tính "
     "(01/01/2021) đến thời hạn (31/12/2025)."),
    (PLAN, bad_plan(set_in(["targets", 4, "baseline_period_code"], KeyError)),
     "plan154_tuyen_quang.json, targets[4].baseline_period_code: chỉ tiêu tăng trưởng (comparison "
     "“growth>=”) cần kỳ gốc để so sánh"),
    (PLAN, bad_plan(set_in(["targets", 0, "phase_code"], "3")),
     "plan154_tuyen_quang.json, targets[0].phase_code: không có giai đoạn mã “3”. Các giai đoạn: 1, 2."),
    (PLAN, bad_plan(set_in(["targets", 1, "deadline"], "2030-02-30")),
     "plan154_tuyen_quang.json, targets[1].deadline: “2030-02-30” không phải một ngày hợp lệ"),
    (PLAN, bad_plan(set_in(["programme", "name_vi"], KeyError)),
     "plan154_tuyen_quang.json, programme.name_vi: thiếu tên tiếng Việt (bắt buộc)."),
    (PLAN, bad_plan(set_in(["targets", 3, "label_vi"], " ")),
     "plan154_tuyen_quang.json, targets[3].label_vi: thiếu nội dung tiếng Việt (bắt buộc)."),
    (PLAN, bad_plan(set_in(["targets", 1, "vaule"], 0.9)),
     "plan154_tuyen_quang.json, targets[1].vaule: khóa không được dùng ở đây."),
    (PLAN, bad_plan(lambda content: content["targets"].append(dict(content["targets"][0]))),
     "plan154_tuyen_quang.json, targets[8]: trùng mã “STAFFING / 2025” với plan154_tuyen_quang.json, "
     "targets[0]."),
    (REFERENCE, bad_reference(set_in(["indicators", 2, "data_element"], "COUNSELED_PEOPLE")),
     "reference.json, indicators[2].data_element: không có phần tử dữ liệu mã “COUNSELED_PEOPLE”."),
    (REFERENCE, bad_reference(set_in(["indicators", 3, "denominator_element"], KeyError)),
     "reference.json, indicators[3].denominator_element: tỷ lệ lấy số liệu báo cáo cần phần tử dữ liệu của "
     "mẫu số."),
    (REFERENCE, bad_reference(set_in(["indicators", 2, "denominator_element"], "COUNSELLED_CHILDREN")),
     "reference.json, indicators[2].denominator_element: chỉ dùng cho một tỷ lệ lấy số liệu báo cáo"),
    (REFERENCE, bad_reference(set_in(["data_sets", 1, "elements", 3], "CHILDREN_IN_GROUP")),
     "reference.json, data_sets[1].elements[3]: không có phần tử dữ liệu mã “CHILDREN_IN_GROUP”."),
    (REFERENCE, bad_reference(set_in(["indicators", 0, "method"], "staff")),
     "reference.json, indicators[0].method: không có phương pháp tính “staff”."),
    (REFERENCE, bad_reference(set_in(["validation_rules", 0, "right_side"], "#{COUNSELLED_PEOPLE.CHILD}")),
     "reference.json, validation_rules[0].right_side: “CHILD” không phải một ô phân tổ của "
     "“COUNSELLED_PEOPLE”."),
    (REFERENCE, bad_reference(set_in(["validation_rules", 0, "left_side"], "COUNSELLED_CHILDREN")),
     "reference.json, validation_rules[0].left_side: “COUNSELLED_CHILDREN” không hợp lệ"),
    (REFERENCE, bad_reference(lambda c: c["data_elements"].append(dict(c["data_elements"][0]))),
     "reference.json, data_elements[7]: trùng mã “COUNSELLED_PEOPLE” với reference.json, data_elements[0]."),
    (REFERENCE, bad_reference(set_in(["category_combos", 1, "options", 1, "code"], "MALE")),
     "reference.json, category_combos[1].options[1]: trùng mã “MALE”"),
    (PLAN, '{"programme": {"code": "PLAN154_TQ",}}',
     "plan154_tuyen_quang.json: không đọc được JSON ở dòng 1, cột 37"),
])
def test_bad_input_is_refused_with_the_file_and_the_place_and_nothing_is_written(tmp_path, name, content,
                                                                                message):
    # A good change in another file, loaded together, must not be written either.
    other = REFERENCE if name == PLAN else PLAN
    good = original(other)
    if other == PLAN:
        good["programme"]["name_vi"] = "Tên đã đổi"
    else:
        good["indicators"][0]["name_vi"] = "Tên đã đổi"
    before = {model: list(model.objects.order_by("pk").values()) for model in ALL_COUNTS}

    messages = errors_of([write(tmp_path, other, good), write(tmp_path, name, content)])

    assert any(m.startswith(message) for m in messages), messages
    assert {model: list(model.objects.order_by("pk").values()) for model in ALL_COUNTS} == before


def test_a_programme_defined_twice_is_refused(tmp_path):
    copy_of_plan = original(PLAN)
    messages = errors_of([DATA_DIR / PLAN, write(tmp_path, "plan154_copy.json", copy_of_plan)])
    assert messages[0] == ("plan154_copy.json, programme: trùng mã “PLAN154_TQ” với "
                           "plan154_tuyen_quang.json, programme.")


def test_every_problem_of_a_stage_is_reported_at_once(tmp_path):
    """First each object on its own (types, required keys, choices), then, when all passed, the references
    and the rules between keys."""
    content = original(PLAN)
    content["targets"][0]["comparison"] = "=>"
    content["targets"][1]["value"] = "0,9"
    content["targets"][2]["indicator"] = "NOPE"
    messages = errors_of([write(tmp_path, PLAN, content)])
    assert [m.split(":")[0] for m in messages] == [
        "plan154_tuyen_quang.json, targets[0].comparison", "plan154_tuyen_quang.json, targets[1].value"]
    content["targets"][0]["comparison"] = ">="
    content["targets"][1]["value"] = -1
    messages = errors_of([write(tmp_path, PLAN, content)])
    assert [m.split(":")[0] for m in messages] == [
        "plan154_tuyen_quang.json, targets[1].value", "plan154_tuyen_quang.json, targets[2].indicator"]


def test_the_command_fails_with_the_messages_and_writes_nothing(tmp_path):
    content = original(PLAN)
    content["targets"][2]["indicator"] = "NOPE"
    content["programme"]["name_vi"] = "Tên đã đổi"
    with pytest.raises(CommandError) as raised:
        call_command("load_indicator_data", str(write(tmp_path, PLAN, content)))
    assert str(raised.value) == ("Không nạp được, chưa ghi gì:\n"
                                 "plan154_tuyen_quang.json, targets[2].indicator: không có chỉ số mã “NOPE”.")
    assert Programme.objects.get(code="PLAN154_TQ").name_vi.startswith("Kế hoạch thực hiện")


def test_a_file_that_does_not_exist_is_named(tmp_path):
    assert errors_of([tmp_path / "khong_co.json"])[0].startswith("khong_co.json: không mở được tệp")


# ---------------------------------------------------------------------------------------------- admin


def test_the_admin_lists_every_model_of_the_monitoring_engine(client, small_geo):
    IndicatorFact.objects.create(indicator_code="STAFFING", unit=small_geo.new08, period_code="2025",
                                 value=0.5, numerator=1, denominator=2, computed_at=timezone.now())
    login_verified(client, make_user("quantri", Role.ADMIN))
    for model in ("programme", "indicatordefinition", "target", "categorycombo", "categoryoptioncombo",
                  "dataelement", "dataset", "validationrule", "datavalue", "datavalueaudit",
                  "completedatasetregistration", "datasetlockexception", "allocationshare",
                  "unitcontribution", "indicatorfact", "dhis2mapping"):
        response = client.get(reverse(f"admin:indicators_{model}_changelist"))
        assert response.status_code == 200, model
    page = client.get(reverse("admin:indicators_programme_change",
                              args=[Programme.objects.get(code="PLAN154_TQ").pk])).content.decode()
    assert "trên 2.000 lượt người trong giai đoạn 2021-2025" in page  # its targets, inline
    facts = client.get(reverse("admin:indicators_indicatorfact_changelist")).content.decode()
    assert "Tử số" in facts and "Mẫu số" in facts
