"""The local network: committees of every commune and district, health stations, schools, health centres."""

import datetime as dt

from ctxh.demo.geography import LAST_OLD_DAY, REORG_DAY
from ctxh.demo.services import demo_load
from ctxh.geo.models import UnitKind
from ctxh.orgs.models import HealthLevel, Organization, OrgKind, SchoolLevel, Sector
from ctxh.testing import make_unit


def committees_of(unit, day):
    return Organization.objects.as_of(day).filter(kind=OrgKind.COMMUNE_COMMITTEE, unit=unit)


def test_every_new_commune_has_exactly_one_peoples_committee_from_the_reorganization(demo):
    geo = demo.geo
    for commune in (geo.n1, geo.n2):
        committee = committees_of(commune, geo.after).get()
        assert committee.valid_from == REORG_DAY and committee.valid_to is None
        assert committee.sector == Sector.LOCAL_GOVERNMENT
        assert not committees_of(commune, geo.before).exists()
    assert committees_of(geo.n1, geo.after).get().name == "Ủy ban nhân dân phường Minh Xuân"
    assert committees_of(geo.n2, geo.after).get().code == "UBND-02210-2025"


def test_every_old_commune_committee_ends_on_30_june_2025_with_a_new_committee_as_successor(demo):
    geo = demo.geo
    for commune in (geo.x1, geo.x2, geo.x3, geo.y1):
        committee = committees_of(commune, geo.before).get()
        assert committee.valid_to == LAST_OLD_DAY
        assert not committee.is_valid_on(REORG_DAY)
        successor = committee.successor
        assert successor.kind == OrgKind.COMMUNE_COMMITTEE
        assert successor.unit in {geo.n1, geo.n2} and successor.valid_from == REORG_DAY
    assert committees_of(geo.y1, geo.before).get().successor.unit == geo.n2
    assert committees_of(geo.x2, geo.before).get().successor.unit == geo.n1


def test_a_split_commune_names_its_main_successor_and_says_so(demo):
    geo = demo.geo
    tra_da = committees_of(geo.x3, geo.before).get()
    # Xã Tràng Đà went partly to 02200 and partly to 02210: the first in the conversion table is chosen.
    assert tra_da.successor.unit == geo.n1
    assert "Phường Minh Xuân" in tra_da.succession_note and "Xã Nông Tiến" in tra_da.succession_note
    assert "kế thừa chính" in tra_da.succession_note
    assert committees_of(geo.x1, geo.before).get().succession_note == ""


def test_old_district_committees_end_without_successor(demo):
    geo = demo.geo
    districts = Organization.objects.filter(unit__in=[geo.d070, geo.d024])
    assert sorted(districts.values_list("name", flat=True)) == [
        "Ủy ban nhân dân thành phố Hà Giang", "Ủy ban nhân dân thành phố Tuyên Quang"]
    for committee in districts:
        assert committee.kind == OrgKind.OTHER and committee.sector == Sector.LOCAL_GOVERNMENT
        assert committee.valid_to == LAST_OLD_DAY and committee.successor is None
        assert "cấp huyện" in committee.closed_reason


def test_each_new_commune_has_a_health_station_and_schools_of_three_levels(demo):
    geo = demo.geo
    for commune in (geo.n1, geo.n2):
        here = Organization.objects.as_of(geo.after).filter(unit=commune)
        station = here.get(health_level=HealthLevel.HEALTH_STATION)
        assert station.kind == OrgKind.HEALTH and station.name.startswith("Trạm Y tế ")
        levels = set(here.filter(kind=OrgKind.SCHOOL).values_list("school_level", flat=True))
        assert {SchoolLevel.PRESCHOOL, SchoolLevel.PRIMARY, SchoolLevel.LOWER_SECONDARY} <= levels
    # A ward always has an upper secondary school; names follow the official pattern.
    names = set(Organization.objects.filter(unit=geo.n1, kind=OrgKind.SCHOOL).values_list("name", flat=True))
    assert {"Trường Mầm non Minh Xuân", "Trường Tiểu học Minh Xuân", "Trường THCS Minh Xuân",
            "Trường THPT Minh Xuân"} <= names


def test_schools_and_health_stations_were_in_an_old_commune_before_and_in_the_new_one_after(demo):
    geo = demo.geo
    long_lived = Organization.objects.filter(kind__in=[OrgKind.SCHOOL, OrgKind.HEALTH],
                                             unit__in=[geo.n1, geo.n2])
    assert long_lived.count() >= 8
    predecessors = {geo.n1: {geo.x1, geo.x2, geo.x3}, geo.n2: {geo.x3, geo.y1}}
    for org in long_lived:
        old, new = org.locations.order_by("valid_from")
        assert org.valid_from < dt.date(2020, 1, 1)
        assert old.unit in predecessors[org.unit] and old.valid_to == LAST_OLD_DAY
        assert new.unit == org.unit and new.valid_from == REORG_DAY and new.valid_to is None
    # The ward's own schools stood in the old ward whose name it took.
    primary = Organization.objects.get(unit=geo.n1, name="Trường Tiểu học Minh Xuân")
    assert primary.locations.order_by("valid_from").first().unit == geo.x2
    assert Organization.objects.as_of(geo.before).filter(locations__unit=geo.x2, kind=OrgKind.SCHOOL).exists()


def test_district_health_centres_keep_running_in_the_successor_of_the_district_seat(demo):
    geo = demo.geo
    centre = Organization.objects.get(code="TTYT-070")
    assert centre.name == "Trung tâm Y tế thành phố Tuyên Quang"
    assert centre.health_level == HealthLevel.HEALTH_CENTRE and centre.valid_to is None
    old, new = centre.locations.order_by("valid_from")
    assert old.unit == geo.x1  # the first ward of the provincial city
    assert new.unit == geo.n1 == centre.unit
    assert Organization.objects.filter(code="TTYT-024", unit=geo.n2).exists()


def test_locations_cover_each_organization_without_gaps_and_end_in_its_unit(demo):
    for org in Organization.objects.prefetch_related("locations"):
        places = sorted(org.locations.all(), key=lambda p: p.valid_from or dt.date.min)
        assert places, org.code
        assert places[0].valid_from == org.valid_from, org.code
        assert places[-1].valid_to == org.valid_to, org.code
        assert places[-1].unit_id == org.unit_id, org.code
        for before, after in zip(places, places[1:], strict=False):
            assert before.valid_to + dt.timedelta(days=1) == after.valid_from, org.code
        for place in places:
            assert place.unit.is_valid_on(place.valid_to or place.valid_from or REORG_DAY), org.code


def test_successors_are_running_on_the_day_after_the_predecessor_ends(demo):
    closed = Organization.objects.filter(successor__isnull=False).select_related("successor")
    assert closed.count() >= 10
    for org in closed:
        assert org.valid_to is not None
        assert org.successor.is_valid_on(org.valid_to + dt.timedelta(days=1)), org.code


def test_organizations_are_searchable_without_diacritics(demo):
    assert Organization.objects.search("tram y te xa nong tien").count() == 1
    assert Organization.objects.search("UBND-02210-2025").get().unit == demo.geo.n2


def test_an_old_commune_left_unmapped_by_the_conversion_table_is_reported(small_geo, credentials):
    make_unit("02482", "Xã Phú Thịnh", UnitKind.COMMUNE, small_geo.d070, valid_to=LAST_OLD_DAY)
    result = demo_load(province=small_geo.new08, password=None, credentials_path=credentials)
    committee = Organization.objects.get(code="UBND-02482-CU")
    assert committee.valid_to == LAST_OLD_DAY and committee.successor is None
    assert "cần bổ sung" in committee.succession_note
    assert any("Xã Phú Thịnh" in warning for warning in result.stats.warnings)
