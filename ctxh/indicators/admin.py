"""The admin site's pages of the monitoring engine (/quan-tri/indicators/).

Programmes, definitions, targets, disaggregations, data elements, data sets and validation rules come from
the data files (`manage.py load_indicator_data`, docs/programmes.md): they can be corrected here, but the
next load puts back what the files say, so a lasting change belongs in the files. What is entered or
computed elsewhere (reported values and their history, completed reports, reopened entry, allocation
shares, the unit map, the facts) is read only here: it changes only through the services that validate it,
audit it and refresh the facts.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ctxh.indicators.models import (
    AllocationShare,
    CategoryCombo,
    CategoryOptionCombo,
    CompleteDataSetRegistration,
    DataElement,
    DataSet,
    DataSetElement,
    DataSetLockException,
    DataValue,
    DataValueAudit,
    Dhis2Mapping,
    IndicatorDefinition,
    IndicatorFact,
    Programme,
    Target,
    UnitContribution,
    ValidationRule,
)

FROM_FILES = _("Nạp từ tệp dữ liệu (ctxh/indicators/data/): sửa ở đây chỉ có tác dụng đến lần nạp sau; "
               "muốn sửa lâu dài, hãy sửa tệp.")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Seen here, changed only by the application's services (validation, audit, refreshing the facts)."""

    actions = None
    show_full_result_count = False
    list_per_page = 100

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# --- Programmes, definitions, targets ---


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    fields = ("indicator", "phase_code", "period_code", "start_date", "deadline", "value", "comparison",
              "baseline_period_code", "applies_to", "label_vi", "is_confirmed")
    autocomplete_fields = ("indicator",)


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("code", "name_vi", "scope_unit_code", "start_date", "end_date", "is_active", "sort_order",
                    "source_file")
    list_filter = ("is_active",)
    search_fields = ("code", "name_vi", "name_en", "document")
    readonly_fields = ("source_file",)
    inlines = [TargetInline]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs.setdefault("help_texts", {"code": FROM_FILES})
        return super().get_form(request, obj, change, **kwargs)


@admin.register(IndicatorDefinition)
class IndicatorDefinitionAdmin(admin.ModelAdmin):
    list_display = ("code", "name_vi", "kind", "value_kind", "source", "method", "data_element", "is_active",
                    "sort_order")
    list_filter = ("is_active", "kind", "source")
    search_fields = ("code", "name_vi", "name_en", "short_name_vi")
    autocomplete_fields = ("data_element", "denominator_element")

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs.setdefault("help_texts", {"code": FROM_FILES})
        return super().get_form(request, obj, change, **kwargs)


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("programme", "indicator", "phase_code", "period_code", "value", "comparison",
                    "baseline_period_code", "deadline", "applies_to", "label_vi", "is_confirmed")
    list_filter = ("programme", "indicator", "phase_code", "is_confirmed", "applies_to")
    search_fields = ("label_vi", "label_en", "indicator__code", "programme__code")
    list_select_related = ("programme", "indicator")
    autocomplete_fields = ("programme", "indicator")


# --- Aggregate reporting: reference data ---


class CategoryOptionComboInline(admin.TabularInline):
    model = CategoryOptionCombo
    extra = 0
    fields = ("code", "name_vi", "name_en", "dimensions", "sort_order")


@admin.register(CategoryCombo)
class CategoryComboAdmin(admin.ModelAdmin):
    list_display = ("code", "name_vi", "name_en")
    search_fields = ("code", "name_vi")
    inlines = [CategoryOptionComboInline]


@admin.register(CategoryOptionCombo)
class CategoryOptionComboAdmin(admin.ModelAdmin):
    list_display = ("code", "name_vi", "combo", "dimensions", "sort_order")
    list_filter = ("combo",)
    search_fields = ("code", "name_vi")
    list_select_related = ("combo",)


@admin.register(DataElement)
class DataElementAdmin(admin.ModelAdmin):
    list_display = ("code", "name_vi", "category_combo", "value_type", "zero_is_significant")
    list_filter = ("category_combo", "value_type")
    search_fields = ("code", "name_vi", "name_en", "short_name_vi")
    list_select_related = ("category_combo",)


class DataSetElementInline(admin.TabularInline):
    model = DataSetElement
    extra = 0
    fields = ("data_element", "sort_order")
    autocomplete_fields = ("data_element",)
    verbose_name = _("phần tử dữ liệu của bộ")
    verbose_name_plural = _("phần tử dữ liệu của bộ")


class ValidationRuleInline(admin.TabularInline):
    model = ValidationRule
    extra = 0
    fields = ("code", "left_side", "operator", "right_side", "action", "instruction_vi")
    show_change_link = True


@admin.register(DataSet)
class DataSetAdmin(admin.ModelAdmin):
    list_display = ("code", "name_vi", "period_type", "unit_level", "expiry_days", "timely_days", "is_active")
    list_filter = ("period_type", "is_active")
    search_fields = ("code", "name_vi")
    inlines = [DataSetElementInline, ValidationRuleInline]


@admin.register(ValidationRule)
class ValidationRuleAdmin(admin.ModelAdmin):
    list_display = ("code", "data_set", "left_side", "operator", "right_side", "action")
    list_filter = ("data_set", "action")
    search_fields = ("code", "name_vi", "left_side", "right_side")
    list_select_related = ("data_set",)


@admin.register(Dhis2Mapping)
class Dhis2MappingAdmin(admin.ModelAdmin):
    list_display = ("instance", "kind", "ctxh_code", "dhis2_code")
    list_filter = ("instance", "kind")
    search_fields = ("ctxh_code", "dhis2_code")


# --- What is entered or computed by the application: read only ---
# Several of these models have no Vietnamese field names (the models are fixed this round): the columns
# and filters below carry them.


def column(name: str, description, *, boolean: bool = False, ordering: str | None = None):
    """A list column showing the attribute `name` (a related object as its text, a method's answer) under a
    Vietnamese title."""

    def show(obj):
        value = getattr(obj, name)
        return value() if callable(value) else value

    show.__name__ = f"{name}_column"
    return admin.display(description=description, ordering=ordering or name, boolean=boolean)(show)


def values_filter(name: str, title) -> type[admin.SimpleListFilter]:
    """A list filter on the distinct values of a plain field, under a Vietnamese title."""

    class ValuesFilter(admin.SimpleListFilter):
        parameter_name = name

        def lookups(self, request, model_admin):
            labels = dict(model_admin.model._meta.get_field(name).choices or [])
            values = model_admin.get_queryset(request).order_by(name).values_list(name, flat=True).distinct()
            return [(value, labels.get(value, value)) for value in values]

        def queryset(self, request, queryset):
            return queryset.filter(**{name: self.value()}) if self.value() else queryset

    ValuesFilter.title = title
    return ValuesFilter


UNIT = column("unit", _("đơn vị"))
PERIOD = column("period_code", _("kỳ"))
PERIOD_FILTER = values_filter("period_code", _("kỳ"))
DATA_SET = column("data_set", _("bộ số liệu"))


@admin.register(DataValue)
class DataValueAdmin(ReadOnlyAdmin):
    list_display = ("data_element", "category_option_combo", "unit", "period_code", "value", "follow_up",
                    "stored_by", "updated_at")
    list_filter = ("data_element", "follow_up", PERIOD_FILTER)
    search_fields = ("unit__code", "unit__name", "period_code")
    list_select_related = ("data_element", "category_option_combo", "unit", "stored_by")


@admin.register(DataValueAudit)
class DataValueAuditAdmin(ReadOnlyAdmin):
    list_display = (column("at", _("lúc")), column("get_action_display", _("thao tác"), ordering="action"),
                    column("data_element", _("phần tử dữ liệu")),
                    column("category_option_combo", _("ô phân tổ")), UNIT, PERIOD,
                    column("previous_value", _("giá trị cũ")), column("value", _("giá trị mới")),
                    column("user", _("người sửa")), column("source", _("nguồn")))
    list_filter = (values_filter("action", _("thao tác")), values_filter("source", _("nguồn")), PERIOD_FILTER)
    search_fields = ("unit__code", "period_code", "user__username")
    list_select_related = ("data_element", "category_option_combo", "unit", "user")


@admin.register(CompleteDataSetRegistration)
class CompleteDataSetRegistrationAdmin(ReadOnlyAdmin):
    list_display = (DATA_SET, UNIT, PERIOD, column("completed_by", _("người hoàn thành")),
                    column("completed_at", _("hoàn thành lúc")))
    list_filter = (PERIOD_FILTER,)
    search_fields = ("unit__code", "unit__name")
    list_select_related = ("data_set", "unit", "completed_by")


@admin.register(DataSetLockException)
class DataSetLockExceptionAdmin(ReadOnlyAdmin):
    list_display = (DATA_SET, UNIT, PERIOD, "open_until", "reason", column("opened_by", _("người mở")),
                    column("opened_at", _("mở lúc")))
    list_filter = (PERIOD_FILTER,)
    list_select_related = ("data_set", "unit", "opened_by")


@admin.register(AllocationShare)
class AllocationShareAdmin(ReadOnlyAdmin):
    list_display = ("predecessor", "successor", "share", "basis", "updated_by", "updated_at")
    search_fields = ("predecessor__code", "predecessor__name", "successor__code", "successor__name")
    list_select_related = ("predecessor", "successor", "updated_by")


@admin.register(UnitContribution)
class UnitContributionAdmin(ReadOnlyAdmin):
    list_display = (UNIT, column("ancestor", _("tính vào đơn vị")), column("weight", _("trọng số")))
    search_fields = ("unit__code", "ancestor__code")
    list_select_related = ("unit", "ancestor")


@admin.register(IndicatorFact)
class IndicatorFactAdmin(ReadOnlyAdmin):
    list_display = (column("indicator_code", _("chỉ số")), UNIT, PERIOD, column("dimension", _("phân tổ")),
                    column("category", _("nhóm")), column("value", _("giá trị")),
                    column("numerator", _("tử số")), column("denominator", _("mẫu số")),
                    column("is_estimate", _("ước tính"), boolean=True), column("computed_at", _("tính lúc")))
    list_filter = (values_filter("indicator_code", _("chỉ số")), PERIOD_FILTER,
                   values_filter("dimension", _("phân tổ")))
    search_fields = ("unit__code", "unit__name")
    list_select_related = ("unit",)
