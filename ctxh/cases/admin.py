"""The admin site's pages of the cases app: the reference tables administrators keep (vulnerability
categories, public holidays). People and cases are kept through the application's own pages, never here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ctxh.cases.models import PublicHoliday, VulnerabilityCategory


class YearFilter(admin.SimpleListFilter):
    title = _("năm")
    parameter_name = "nam"

    def lookups(self, request, model_admin):
        years = model_admin.get_queryset(request).dates("date", "year")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request, queryset):
        return queryset.filter(date__year=int(self.value())) if self.value() else queryset


@admin.register(PublicHoliday)
class PublicHolidayAdmin(admin.ModelAdmin):
    """Days off and make-up working days: correct a year when its official notice is published (tick
    "đã có văn bản"). Deadlines in working days follow this table at once."""

    list_display = ("date", "weekday", "name", "kind", "confirmed")
    list_filter = (YearFilter, "kind", "confirmed")
    search_fields = ("name", "note")
    date_hierarchy = "date"
    ordering = ("date",)

    @admin.display(description=_("thứ"))
    def weekday(self, obj) -> str:
        names = [_("Thứ Hai"), _("Thứ Ba"), _("Thứ Tư"), _("Thứ Năm"), _("Thứ Sáu"), _("Thứ Bảy"),
                 _("Chủ nhật")]
        return str(names[obj.date.weekday()])


@admin.register(VulnerabilityCategory)
class VulnerabilityCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "group", "plan154_child_group", "is_sensitive", "is_active")
    list_filter = ("group", "is_sensitive", "is_active")
    search_fields = ("code", "name")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # statuses refer to them: disable a category instead (is_active)
