"""Test factories: the data sets, elements, disaggregations and rules of the shared design, made with the ORM.

The reference data of production is loaded from ctxh/indicators/data/*.json by `load_indicator_data`; the
tests of aggregate reporting build the same codes here so that they do not depend on the loader. Every factory
is idempotent (update_or_create by code), so it can run after the loader too (names and instructions are then
those written here, which the tests' messages expect).
"""

from types import SimpleNamespace

from ctxh.indicators.models import (
    CategoryCombo,
    CategoryOptionCombo,
    DataElement,
    DataSet,
    DataSetElement,
    PeriodType,
    ValidationAction,
    ValidationRule,
)

COMBOS = {
    "default": ("Mặc định", "Default", [("default", "Mặc định", "Default", {})]),
    "SEX": ("Giới tính", "Sex", [
        ("MALE", "Nam", "Male", {"sex": "male"}),
        ("FEMALE", "Nữ", "Female", {"sex": "female"}),
    ]),
    "GROUP": ("Nhóm đối tượng", "Group", [
        ("GROUP_CHILD_SPECIAL", "Trẻ em có hoàn cảnh đặc biệt", "Children in special circumstances",
         {"group": "child_special"}),
        ("GROUP_PLAN154_CHILD", "Nhóm trẻ em của Kế hoạch 154", "Plan 154 children's groups",
         {"group": "plan154_child"}),
        ("GROUP_SOCIAL_PROTECTION", "Đối tượng bảo trợ xã hội", "Social protection beneficiaries",
         {"group": "social_protection"}),
        ("GROUP_OTHER", "Nhóm yếu thế khác", "Other vulnerable groups", {"group": "other"}),
    ]),
}

# code, combo, Vietnamese name, English name
ELEMENTS = [
    ("COUNSELLED_PEOPLE", "SEX", "Số người có hoàn cảnh khó khăn được tư vấn, hỗ trợ",
     "Disadvantaged people counselled or supported"),
    ("COUNSELLED_BY_GROUP", "GROUP", "Số người được tư vấn, hỗ trợ theo nhóm đối tượng",
     "People counselled or supported, by group"),
    ("COUNSELLED_CHILDREN", "SEX", "Trong đó: trẻ em dưới 16 tuổi", "Of whom children under 16"),
    ("CHILDREN_IN_GROUPS", "SEX", "Số trẻ em thuộc sáu nhóm của Kế hoạch (cuối kỳ)",
     "Children in the plan's six groups (end of period)"),
    ("CHILDREN_SERVED", "SEX", "Trong đó: được trợ giúp xã hội và dịch vụ công tác xã hội",
     "Of whom served (assistance and social work services)"),
    ("FACILITIES_TOTAL", "default", "Số cơ sở thuộc diện", "Facilities in scope"),
    ("FACILITIES_PROVIDING", "default", "Số cơ sở cung cấp dịch vụ công tác xã hội",
     "Facilities providing social work services"),
]

# code, left, operator, right, action, Vietnamese instruction
RULES = [
    ("COUNSELLED_CHILDREN_LE_PEOPLE", "#{COUNSELLED_CHILDREN}", "<=", "#{COUNSELLED_PEOPLE}",
     ValidationAction.REFUSE,
     "Số trẻ em được tư vấn, hỗ trợ không được lớn hơn tổng số người được tư vấn, hỗ trợ."),
    ("CHILDREN_SERVED_LE_IN_GROUPS", "#{CHILDREN_SERVED}", "<=", "#{CHILDREN_IN_GROUPS}",
     ValidationAction.REFUSE, "Số trẻ em được phục vụ không được lớn hơn số trẻ em thuộc sáu nhóm."),
    ("GROUPS_COVER_PEOPLE", "#{COUNSELLED_BY_GROUP}", ">=", "#{COUNSELLED_PEOPLE}",
     ValidationAction.WARN, "Tổng theo nhóm đối tượng thường không nhỏ hơn tổng số người (một người có thể "
     "thuộc nhiều nhóm)."),
    ("FACILITIES_PROVIDING_LE_TOTAL", "#{FACILITIES_PROVIDING}", "<=", "#{FACILITIES_TOTAL}",
     ValidationAction.REFUSE, "Số cơ sở cung cấp dịch vụ không được lớn hơn số cơ sở thuộc diện."),
]

DATA_SETS = [
    ("CTXH_6M", PeriodType.SIX_MONTHLY, "Báo cáo công tác xã hội 6 tháng", "Six-monthly social work report"),
    ("CTXH_YEAR", PeriodType.YEARLY, "Báo cáo công tác xã hội năm", "Annual social work report"),
]


def make_combos() -> dict[str, CategoryCombo]:
    combos = {}
    for code, (name_vi, name_en, options) in COMBOS.items():
        combo, _ = CategoryCombo.objects.update_or_create(code=code, defaults={"name_vi": name_vi,
                                                                                "name_en": name_en})
        for order, (option_code, option_vi, option_en, dimensions) in enumerate(options):
            CategoryOptionCombo.objects.update_or_create(code=option_code, defaults={
                "combo": combo, "name_vi": option_vi, "name_en": option_en, "dimensions": dimensions,
                "sort_order": order})
        combos[code] = combo
    return combos


def make_data_set(code: str = "CTXH_6M", *, expiry_days: int = 30, timely_days: int = 15) -> DataSet:
    """One of the two data sets with all the elements and rules of the shared design."""
    combos = make_combos()
    elements = []
    for element_code, combo_code, name_vi, name_en in ELEMENTS:
        element, _ = DataElement.objects.update_or_create(code=element_code, defaults={
            "name_vi": name_vi, "name_en": name_en, "category_combo": combos[combo_code]})
        elements.append(element)
    period_type, name_vi, name_en = next((t, vi, en) for c, t, vi, en in DATA_SETS if c == code)
    data_set, _ = DataSet.objects.update_or_create(code=code, defaults={
        "period_type": period_type, "name_vi": name_vi, "name_en": name_en, "unit_level": 3,
        "expiry_days": expiry_days, "timely_days": timely_days})
    for order, element in enumerate(elements):
        DataSetElement.objects.update_or_create(data_set=data_set, data_element=element,
                                                defaults={"sort_order": order})
    for rule_code, left, operator, right, action, instruction in RULES:
        ValidationRule.objects.update_or_create(code=f"{rule_code}" if code == "CTXH_6M"
                                                else f"{rule_code}_{code}", defaults={
            "data_set": data_set, "name_vi": instruction, "left_side": left, "operator": operator,
            "right_side": right, "action": action, "instruction_vi": instruction})
    return data_set


def make_data_sets() -> SimpleNamespace:
    return SimpleNamespace(six_months=make_data_set("CTXH_6M"), year=make_data_set("CTXH_YEAR"))


def build_aggregate_world(small_geo) -> SimpleNamespace:
    """The two data sets and one user per kind of reader on the small two-generation geography:

    - `officer_n1`: officer of the new commune n1 (sees n1 and the old x1, x2, x3 merged into it);
    - `officer_n2`: officer of n2 (sees n2, y1 and x3, partly merged into it);
    - `manager`: programme manager of the new province (both generations), may reopen entry;
    - `leader`: leader of the new province (reads, does not enter);
    - `worker`: a social worker of n1 (reads indicators, does not enter numbers).
    """
    from ctxh.accounts.roles import Role
    from ctxh.testing import make_user

    g = small_geo
    sets = make_data_sets()
    return SimpleNamespace(
        geo=g, six_months=sets.six_months, year=sets.year,
        officer_n1=make_user("canbo.n1", Role.ORG_OFFICER, units=[g.n1], full_name="Hoàng Thu Trang"),
        officer_n2=make_user("canbo.n2", Role.ORG_OFFICER, units=[g.n2], full_name="Đặng Văn Sơn"),
        manager=make_user("quanly.tinh", Role.PROGRAMME_MANAGER, units=[g.new08],
                          full_name="Nguyễn Văn Quản"),
        leader=make_user("lanhdao.tinh", Role.LEADER, units=[g.new08], full_name="Lê Thị Lãnh"),
        worker=make_user("ctxh.n1", Role.SOCIAL_WORKER, units=[g.n1], full_name="Phạm Thị Cần"),
    )


def cells(**values) -> list:
    """ValueInputs from keyword arguments: cells(COUNSELLED_PEOPLE__FEMALE="12", FACILITIES_TOTAL="3")."""
    from ctxh.indicators.aggregate.services import ValueInput

    result = []
    for key, value in values.items():
        element, _sep, option = key.partition("__")
        result.append(ValueInput(element, option or "default", value))
    return result
