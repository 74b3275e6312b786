"""The monitoring engine's data: programmes, indicator definitions and targets (loaded from data files),
DHIS2-style aggregate reporting (data elements, data sets, data values, validation rules, completeness,
locks), restatement across reorganizations (allocation shares, the unit map) and the fact table.

Periods are DHIS2 codes (`2025`, `2025S1`); values that are estimates (allocated from a partly merged unit)
say so. Nothing here is ever hard-deleted from the UI.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ctxh.geo.models import Unit


class BilingualName(models.Model):
    """`name_vi` / `name_en`, with `name` in the active language (Vietnamese when English is missing)."""

    name_vi = models.CharField(_("tên (tiếng Việt)"), max_length=300)
    name_en = models.CharField(_("tên (tiếng Anh)"), max_length=300, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def name(self) -> str:
        if (get_language() or "vi").startswith("en") and self.name_en:
            return self.name_en
        return self.name_vi


# --- Programmes, definitions, targets (loaded by `load_programmes` from ctxh/indicators/data/*.json) ---


class Programme(BilingualName):
    """A programme whose targets ctxh tracks: a province's plan (Plan 154), a national one (Decision 112)."""

    code = models.CharField(_("mã"), max_length=30, unique=True)
    document = models.CharField(_("văn bản"), max_length=300, blank=True)
    # The unit the programme is for (a province); empty for a national programme (any unit).
    scope_unit_code = models.CharField(_("mã đơn vị áp dụng"), max_length=10, blank=True)
    start_date = models.DateField(_("từ ngày"))
    end_date = models.DateField(_("đến ngày"))
    is_active = models.BooleanField(_("đang theo dõi"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    source_file = models.CharField(_("tệp dữ liệu"), max_length=200, blank=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("chương trình")
        verbose_name_plural = _("chương trình")


class IndicatorKind(models.TextChoices):
    RATIO_STOCK = "ratio_stock", _("Tỷ lệ tại một thời điểm (lấy giá trị ngày cuối kỳ)")
    COUNT_FLOW = "count_flow", _("Số lượt cộng dồn trong kỳ")
    DISTINCT_FLOW = "distinct_flow", _("Số người (không trùng) trong kỳ")
    RATIO_FLOW = "ratio_flow", _("Tỷ lệ: người tại ngày cuối kỳ, được phục vụ trong kỳ")
    REPORTED = "reported", _("Số liệu báo cáo tổng hợp")


class Source(models.TextChoices):
    RECORDS = "records", _("Từ hồ sơ, dữ liệu chi tiết")
    AGGREGATE = "aggregate", _("Từ báo cáo số liệu tổng hợp")
    BOTH = "both", _("Cả hai, theo quy tắc không tính trùng")


class CombinationRule(models.TextChoices):
    """How records and reported numbers meet when an indicator has both (see docs/indicators.md)."""

    NONE = "", _("Không áp dụng")
    # Per lowest unit and reporting period: the records when the unit has any, the reported number otherwise.
    RECORDS_FIRST = "records_first", _(
        "Ưu tiên hồ sơ: số báo cáo chỉ dùng khi đơn vị không có hồ sơ trong kỳ")


class Direction(models.TextChoices):
    UP = "up", _("Càng cao càng tốt")
    DOWN = "down", _("Càng thấp càng tốt")


class IndicatorDefinition(BilingualName):
    code = models.CharField(_("mã"), max_length=40, unique=True)
    short_name_vi = models.CharField(_("tên ngắn (tiếng Việt)"), max_length=120, blank=True)
    short_name_en = models.CharField(_("tên ngắn (tiếng Anh)"), max_length=120, blank=True)
    description_vi = models.TextField(_("cách tính (tiếng Việt)"), blank=True)
    description_en = models.TextField(_("cách tính (tiếng Anh)"), blank=True)
    kind = models.CharField(_("loại"), max_length=20, choices=IndicatorKind.choices)
    value_kind = models.CharField(_("dạng giá trị"), max_length=10,
                                  choices=[("ratio", _("tỷ lệ")), ("count", _("số lượng"))])
    source = models.CharField(_("nguồn số liệu"), max_length=10, choices=Source.choices,
                              default=Source.RECORDS)
    # The computation from records, by name (ctxh.indicators.engine.METHODS): "staffing", "counselled", ...
    method = models.CharField(_("phương pháp tính"), max_length=40, blank=True)
    # The data element whose reported values feed the indicator (source aggregate or both).
    data_element = models.ForeignKey("DataElement", verbose_name=_("phần tử dữ liệu"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="indicators")
    # A ratio reported as numbers: the element holding its denominator (the numerator is `data_element`).
    denominator_element = models.ForeignKey("DataElement", verbose_name=_("phần tử dữ liệu của mẫu số"),
                                            null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    combination_rule = models.CharField(_("quy tắc kết hợp"), max_length=20, choices=CombinationRule.choices,
                                        blank=True, default=CombinationRule.NONE)
    # Disaggregation codes the engine keeps facts for: "sex", "group", "age", "ethnicity", "kind", ...
    disaggregations = models.JSONField(_("phân tổ"), default=list, blank=True)
    direction = models.CharField(_("chiều tốt"), max_length=4, choices=Direction.choices,
                                 default=Direction.UP)
    sort_order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("chỉ số")
        verbose_name_plural = _("chỉ số")

    @property
    def short_name(self) -> str:
        english = (get_language() or "vi").startswith("en")
        return (self.short_name_en if english and self.short_name_en else self.short_name_vi) or self.name

    @property
    def description(self) -> str:
        english = (get_language() or "vi").startswith("en")
        return self.description_en if english and self.description_en else self.description_vi


class Comparison(models.TextChoices):
    AT_LEAST = ">=", _("ít nhất")
    MORE_THAN = ">", _("trên")
    AT_MOST = "<=", _("nhiều nhất")
    # Growth against the baseline period: value >= baseline x (1 + target value).
    GROWTH_AT_LEAST = "growth>=", _("tăng ít nhất (so với kỳ gốc)")


class TargetScope(models.TextChoices):
    ANY_UNIT = "any", _("Mọi đơn vị")
    PROGRAMME_UNIT = "programme_unit", _("Chỉ đơn vị của chương trình (tỉnh)")


class Target(models.Model):
    """A programme's target for an indicator over a phase or a year.

    `period_code` is what the value is measured on: a span of years for a count cumulated over a phase
    (`2021-2025`), a year for a yearly value (`2025`). `deadline` is the day the target must be met.
    """

    programme = models.ForeignKey(Programme, verbose_name=_("chương trình"), on_delete=models.CASCADE,
                                  related_name="targets")
    indicator = models.ForeignKey(IndicatorDefinition, verbose_name=_("chỉ số"), on_delete=models.CASCADE,
                                  related_name="targets")
    phase_code = models.CharField(_("giai đoạn"), max_length=10, blank=True)
    period_code = models.CharField(_("kỳ đo"), max_length=20)
    start_date = models.DateField(_("tính từ ngày"))
    deadline = models.DateField(_("thời hạn"))
    value = models.DecimalField(_("giá trị"), max_digits=14, decimal_places=4)
    comparison = models.CharField(_("so sánh"), max_length=10, choices=Comparison.choices)
    baseline_period_code = models.CharField(_("kỳ gốc"), max_length=20, blank=True)
    applies_to = models.CharField(_("áp dụng cho"), max_length=20, choices=TargetScope.choices,
                                  default=TargetScope.ANY_UNIT)
    label_vi = models.CharField(_("diễn giải (tiếng Việt)"), max_length=300)
    label_en = models.CharField(_("diễn giải (tiếng Anh)"), max_length=300, blank=True)
    is_confirmed = models.BooleanField(_("đã xác nhận"), default=True)

    class Meta:
        ordering = ["programme__sort_order", "indicator__sort_order", "deadline"]
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        constraints = [
            models.UniqueConstraint(fields=["programme", "indicator", "period_code"],
                                    name="indicators_target_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.programme.code} {self.indicator.code} {self.period_code}: {self.label}"

    @property
    def label(self) -> str:
        english = (get_language() or "vi").startswith("en")
        return self.label_en if english and self.label_en else self.label_vi


# --- Aggregate reporting (DHIS2-style) ---


class CategoryCombo(BilingualName):
    """A disaggregation of a data element: "default" (none), "sex", "sex and group", ..."""

    code = models.CharField(_("mã"), max_length=40, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("cách phân tổ")
        verbose_name_plural = _("cách phân tổ")


class CategoryOptionCombo(BilingualName):
    """One cell of a disaggregation, e.g. female children. `dimensions` maps it onto the indicators'
    disaggregations: {"sex": "female", "group": "children"}."""

    combo = models.ForeignKey(CategoryCombo, verbose_name=_("cách phân tổ"), on_delete=models.CASCADE,
                              related_name="options")
    code = models.CharField(_("mã"), max_length=60, unique=True)
    dimensions = models.JSONField(_("thuộc tính phân tổ"), default=dict, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["combo", "sort_order", "code"]
        verbose_name = _("ô phân tổ")
        verbose_name_plural = _("ô phân tổ")


class ValueType(models.TextChoices):
    INTEGER_ZERO_OR_POSITIVE = "INTEGER_ZERO_OR_POSITIVE", _("Số nguyên không âm")
    NUMBER = "NUMBER", _("Số")
    PERCENTAGE = "PERCENTAGE", _("Phần trăm")


class DataElement(BilingualName):
    code = models.CharField(_("mã"), max_length=60, unique=True)
    short_name_vi = models.CharField(_("tên ngắn (tiếng Việt)"), max_length=120, blank=True)
    description_vi = models.TextField(_("hướng dẫn (tiếng Việt)"), blank=True)
    description_en = models.TextField(_("hướng dẫn (tiếng Anh)"), blank=True)
    value_type = models.CharField(_("kiểu giá trị"), max_length=30, choices=ValueType.choices,
                                  default=ValueType.INTEGER_ZERO_OR_POSITIVE)
    category_combo = models.ForeignKey(CategoryCombo, verbose_name=_("cách phân tổ"),
                                       on_delete=models.PROTECT, related_name="data_elements")
    zero_is_significant = models.BooleanField(_("lưu cả giá trị 0"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("phần tử dữ liệu")
        verbose_name_plural = _("phần tử dữ liệu")


class PeriodType(models.TextChoices):
    SIX_MONTHLY = "SixMonthly", _("Sáu tháng")
    YEARLY = "Yearly", _("Năm")


class DataSet(BilingualName):
    code = models.CharField(_("mã"), max_length=40, unique=True)
    period_type = models.CharField(_("loại kỳ"), max_length=20, choices=PeriodType.choices)
    elements = models.ManyToManyField(DataElement, through="DataSetElement", related_name="data_sets",
                                      verbose_name=_("phần tử dữ liệu"))
    # Units that report: level 3 (communes) by default; a unit reports only for periods it existed in.
    unit_level = models.PositiveSmallIntegerField(_("cấp đơn vị báo cáo"), default=3)
    # Entry closes this many days after the period ends, unless the province opens it (DataSetLockException).
    expiry_days = models.PositiveSmallIntegerField(_("số ngày được nhập sau kỳ"), default=30)
    # A report is on time when completed within this many days after the period ends.
    timely_days = models.PositiveSmallIntegerField(_("số ngày nộp đúng hạn"), default=15)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("bộ số liệu")
        verbose_name_plural = _("bộ số liệu")


class DataSetElement(models.Model):
    data_set = models.ForeignKey(DataSet, on_delete=models.CASCADE, related_name="data_set_elements")
    data_element = models.ForeignKey(DataElement, on_delete=models.PROTECT, related_name="data_set_elements")
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["data_set", "sort_order"]
        verbose_name = _("phần tử của bộ số liệu")
        verbose_name_plural = _("phần tử của bộ số liệu")
        constraints = [
            models.UniqueConstraint(fields=["data_set", "data_element"], name="indicators_dse_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.data_set_id}:{self.data_element_id}"


class DataValue(models.Model):
    """One reported number: element x cell x unit x period. Changes are kept in DataValueAudit."""

    data_element = models.ForeignKey(DataElement, verbose_name=_("phần tử dữ liệu"), on_delete=models.PROTECT,
                                     related_name="values")
    category_option_combo = models.ForeignKey(CategoryOptionCombo, verbose_name=_("ô phân tổ"),
                                              on_delete=models.PROTECT, related_name="values")
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT,
                             related_name="data_values")
    period_code = models.CharField(_("kỳ"), max_length=20)
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    value = models.DecimalField(_("giá trị"), max_digits=18, decimal_places=4)
    comment = models.CharField(_("ghi chú"), max_length=500, blank=True)
    follow_up = models.BooleanField(_("cần kiểm tra lại"), default=False)
    stored_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người nhập"), null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("nhập lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("sửa lúc"), auto_now=True)
    # Optimistic concurrency (ctxh.core.concurrency): a save with a stale version is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("giá trị báo cáo")
        verbose_name_plural = _("giá trị báo cáo")
        constraints = [
            models.UniqueConstraint(fields=["data_element", "category_option_combo", "unit", "period_code"],
                                    name="indicators_datavalue_unique"),
        ]
        indexes = [models.Index(fields=["period_code", "unit"]),
                   models.Index(fields=["unit", "period_start"])]

    def __str__(self) -> str:
        return (f"{self.data_element_id}/{self.category_option_combo_id} {self.unit_id} {self.period_code}: "
                f"{self.value}")


class DataValueAudit(models.Model):
    """Every create, update and delete of a DataValue (DHIS2's data value audit)."""

    class Action(models.TextChoices):
        CREATE = "create", _("Nhập mới")
        UPDATE = "update", _("Sửa")
        DELETE = "delete", _("Xóa")

    data_element = models.ForeignKey(DataElement, on_delete=models.PROTECT, related_name="+")
    category_option_combo = models.ForeignKey(CategoryOptionCombo, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    period_code = models.CharField(max_length=20)
    action = models.CharField(max_length=10, choices=Action.choices)
    previous_value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    source = models.CharField(max_length=20, default="form")  # form, api, dhis2_import
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("lịch sử giá trị báo cáo")
        verbose_name_plural = _("lịch sử giá trị báo cáo")

    def __str__(self) -> str:
        return f"{self.action} {self.data_element_id} {self.unit_id} {self.period_code}"


class ValidationAction(models.TextChoices):
    WARN = "warn", _("Lưu và cảnh báo")
    REFUSE = "refuse", _("Không cho lưu")


class ValidationRule(BilingualName):
    """`left operator right`, each side a sum of terms `#{ELEMENT}` (all cells) or `#{ELEMENT.CELL}`."""

    code = models.CharField(_("mã"), max_length=60, unique=True)
    data_set = models.ForeignKey(DataSet, verbose_name=_("bộ số liệu"), on_delete=models.CASCADE,
                                 related_name="validation_rules")
    left_side = models.CharField(_("vế trái"), max_length=500)
    operator = models.CharField(_("phép so sánh"), max_length=2,
                                choices=[("<=", "≤"), ("<", "<"), ("==", "="), (">=", "≥"), (">", ">")])
    right_side = models.CharField(_("vế phải"), max_length=500)
    action = models.CharField(_("khi vi phạm"), max_length=10, choices=ValidationAction.choices,
                              default=ValidationAction.WARN)
    instruction_vi = models.CharField(_("thông báo (tiếng Việt)"), max_length=300)
    instruction_en = models.CharField(_("thông báo (tiếng Anh)"), max_length=300, blank=True)

    class Meta:
        ordering = ["data_set", "code"]
        verbose_name = _("quy tắc kiểm tra")
        verbose_name_plural = _("quy tắc kiểm tra")

    @property
    def instruction(self) -> str:
        english = (get_language() or "vi").startswith("en")
        return self.instruction_en if english and self.instruction_en else self.instruction_vi


class CompleteDataSetRegistration(models.Model):
    """A unit declared its report for a period complete (completeness; timeliness from `completed_at`)."""

    data_set = models.ForeignKey(DataSet, on_delete=models.CASCADE, related_name="registrations")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    period_code = models.CharField(max_length=20)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("báo cáo đã hoàn thành")
        verbose_name_plural = _("báo cáo đã hoàn thành")
        constraints = [
            models.UniqueConstraint(fields=["data_set", "unit", "period_code"],
                                    name="indicators_cdsr_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.data_set_id} {self.unit_id} {self.period_code}"


class DataSetLockException(models.Model):
    """The province reopens entry after the deadline: for one unit (or all units when empty), one period."""

    data_set = models.ForeignKey(DataSet, on_delete=models.CASCADE, related_name="lock_exceptions")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    period_code = models.CharField(max_length=20)
    open_until = models.DateField(_("mở đến ngày"))
    reason = models.CharField(_("lý do"), max_length=300, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mở khóa nhập liệu")
        verbose_name_plural = _("mở khóa nhập liệu")


# --- Restatement across reorganizations ---

    def __str__(self) -> str:
        return f"{self.data_set_id} {self.unit_id or '*'} {self.period_code} → {self.open_until:%d/%m/%Y}"


class AllocationShare(models.Model):
    """The share of a partly merged old unit that went into one of its successors.

    Used to allocate the old unit's numbers (reported, and record-based ones restated into today's units)
    among its successors; such values are estimates. Defaults are equal shares until someone enters
    population shares; `basis` says which.
    """

    predecessor = models.ForeignKey(Unit, verbose_name=_("đơn vị cũ"), on_delete=models.CASCADE,
                                    related_name="allocation_shares_out")
    successor = models.ForeignKey(Unit, verbose_name=_("đơn vị mới"), on_delete=models.CASCADE,
                                  related_name="allocation_shares_in")
    share = models.DecimalField(_("tỷ lệ phân bổ"), max_digits=7, decimal_places=6)
    basis = models.CharField(_("căn cứ"), max_length=200, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tỷ lệ phân bổ")
        verbose_name_plural = _("tỷ lệ phân bổ")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="indicators_allocation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor_id} → {self.successor_id}: {self.share}"


class UnitContribution(models.Model):
    """The unit map the engine aggregates through: `unit`'s data counts towards `ancestor` with `weight`.

    Materialized from the hierarchy and the successions (`ctxh.indicators.unitmap.rebuild_unit_map`): a unit
    contributes to itself, its parents, and every later unit it flowed into; weight 1 when wholly inside,
    the allocation share when partly merged (an estimate).
    """

    ancestor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", db_index=False)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    weight = models.FloatField(default=1.0)

    class Meta:
        verbose_name = _("đóng góp của đơn vị")
        verbose_name_plural = _("bản đồ đơn vị")
        constraints = [
            models.UniqueConstraint(fields=["ancestor", "unit"], name="indicators_unitcontribution_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} → {self.ancestor_id} ({self.weight})"


class IndicatorFact(models.Model):
    """One computed number: indicator x unit x period x (disaggregation, category).

    The total has dimension "" and category "". Updated within seconds of a change (ctxh.indicators.engine
    `refresh`) and rebuilt by `manage.py rebuild_facts`.
    """

    indicator_code = models.CharField(max_length=40)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", db_index=False)
    period_code = models.CharField(max_length=20)
    dimension = models.CharField(max_length=20, blank=True, default="")
    category = models.CharField(max_length=60, blank=True, default="")
    value = models.FloatField(null=True)
    numerator = models.FloatField(null=True)
    denominator = models.FloatField(null=True)
    records_part = models.FloatField(null=True)  # from records
    reported_part = models.FloatField(null=True)  # from aggregate reports
    is_estimate = models.BooleanField(default=False)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("giá trị chỉ số đã tính")
        verbose_name_plural = _("bảng giá trị chỉ số đã tính")
        constraints = [
            models.UniqueConstraint(fields=["indicator_code", "unit", "period_code", "dimension", "category"],
                                    name="indicators_fact_unique"),
        ]
        indexes = [
            models.Index(fields=["unit", "indicator_code", "period_code"], name="indicators_fact_lookup"),
            models.Index(fields=["indicator_code", "period_code", "dimension"],
                         name="indicators_fact_period"),
        ]

    def __str__(self) -> str:
        return (f"{self.indicator_code} {self.unit_id} {self.period_code} {self.dimension}={self.category}: "
                f"{self.value}")


class Dhis2Mapping(models.Model):
    """A ctxh code and the code a DHIS2 instance knows it by (idScheme=code)."""

    class Kind(models.TextChoices):
        DATA_ELEMENT = "dataElement", _("Phần tử dữ liệu / chỉ số")
        CATEGORY_OPTION_COMBO = "categoryOptionCombo", _("Ô phân tổ")
        ORG_UNIT = "orgUnit", _("Đơn vị")
        DATA_SET = "dataSet", _("Bộ số liệu")

    instance = models.CharField(_("hệ thống DHIS2"), max_length=60, default="default")
    kind = models.CharField(_("loại"), max_length=30, choices=Kind.choices)
    ctxh_code = models.CharField(_("mã trong ctxh"), max_length=80)
    dhis2_code = models.CharField(_("mã trong DHIS2"), max_length=80)

    class Meta:
        verbose_name = _("ánh xạ mã DHIS2")
        verbose_name_plural = _("ánh xạ mã DHIS2")
        constraints = [
            models.UniqueConstraint(fields=["instance", "kind", "ctxh_code"], name="indicators_dhis2_ctxh"),
            models.UniqueConstraint(fields=["instance", "kind", "dhis2_code"], name="indicators_dhis2_code"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.ctxh_code} → {self.dhis2_code}"
