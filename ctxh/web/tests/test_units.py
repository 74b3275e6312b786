"""Browsing administrative units as of a date, within the user's scope."""

import re

import pytest

from ctxh.accounts.roles import Role
from ctxh.testing import REORG_DAY, make_org, make_user


def get_page(client, url: str, **params) -> str:
    return client.get(url, params).content.decode()


def names_in_table(page: str) -> list[str]:
    """The unit names listed in the results table, in order."""
    table = page[page.index('id="unit-results"'):]
    return re.findall(r'<td><a href="/don-vi-hanh-chinh/\d+/[^"]*">([^<]+)</a></td>', table)


def section(page: str, title_id: str) -> str:
    """The part of the page from the heading with this id to the end of its section."""
    start = page.index(f'id="{title_id}"')
    return page[start:page.index("</section>", start)]


@pytest.fixture
def manager_client(client, small_geo):
    """A provincial programme manager of the new Tuyên Quang (sees both generations of the province)."""
    client.force_login(make_user("quanly", Role.PROGRAMME_MANAGER, units=[small_geo.new08]))
    return client


def test_the_list_as_of_2024_shows_the_old_provinces_and_as_of_2025_the_new_one(manager_client, small_geo):
    before = manager_client.get("/don-vi-hanh-chinh/", {"as_of": "2024-06-01"}).content.decode()
    assert names_in_table(before) == ["Tỉnh Hà Giang", "Tỉnh Tuyên Quang"]
    assert "ngày 01/06/2024" in before

    after = manager_client.get("/don-vi-hanh-chinh/", {"as_of": "2025-08-01"}).content.decode()
    assert names_in_table(after) == ["Tỉnh Tuyên Quang"]


def test_drilling_down_lists_the_children_as_of_the_date(manager_client, small_geo):
    old_city = manager_client.get(
        "/don-vi-hanh-chinh/", {"as_of": "2024-06-01", "parent": small_geo.d070.pk}
    ).content.decode()
    assert names_in_table(old_city) == ["Phường Phan Thiết", "Phường Minh Xuân", "Xã Tràng Đà"]
    # Breadcrumbs lead back up to the old province.
    assert f"?as_of=2024-06-01&amp;parent={small_geo.old08.pk}" in old_city

    new_province = manager_client.get(
        "/don-vi-hanh-chinh/", {"as_of": "2025-08-01", "parent": small_geo.new08.pk}
    ).content.decode()
    assert names_in_table(new_province) == ["Phường Minh Xuân", "Xã Nông Tiến"]
    # Counts per kind, for the listed units.
    assert re.search(r"Phường <span class=\"badge[^\"]*\">1</span>", new_province)
    assert re.search(r"Xã <span class=\"badge[^\"]*\">1</span>", new_province)


def test_a_parent_that_ended_points_to_its_successors(manager_client, small_geo):
    page = manager_client.get(
        "/don-vi-hanh-chinh/", {"as_of": "2025-08-01", "parent": small_geo.old08.pk}
    ).content.decode()
    assert "chỉ có hiệu lực đến ngày 30/06/2025" in page
    assert f"parent={small_geo.new08.pk}" in page
    assert names_in_table(page) == []


def test_the_kind_filter_narrows_the_list(manager_client, small_geo):
    page = manager_client.get(
        "/don-vi-hanh-chinh/", {"as_of": "2024-06-01", "parent": small_geo.d070.pk, "kind": "commune"}
    ).content.decode()
    assert names_in_table(page) == ["Xã Tràng Đà"]


def test_search_ignores_diacritics(manager_client, small_geo):
    page = get_page(manager_client, "/don-vi-hanh-chinh/", as_of="2024-06-01", q="trang da")
    assert names_in_table(page) == ["Xã Tràng Đà"]
    assert "Thành phố Tuyên Quang" in page  # the parent, to tell same-named units apart

    by_code = get_page(manager_client, "/don-vi-hanh-chinh/", as_of="2024-06-01", q="02206")
    assert names_in_table(by_code) == ["Xã Tràng Đà"]


def test_a_commune_user_sees_the_old_communes_merged_into_theirs(client, small_geo):
    client.force_login(make_user("canbo", Role.ORG_OFFICER, units=[small_geo.n1]))
    before = client.get("/don-vi-hanh-chinh/", {"as_of": "2024-06-01"}).content.decode()
    assert names_in_table(before) == ["Phường Phan Thiết", "Phường Minh Xuân", "Xã Tràng Đà"]
    after = client.get("/don-vi-hanh-chinh/", {"as_of": "2025-08-01"}).content.decode()
    assert names_in_table(after) == ["Phường Minh Xuân"]
    # Phường Quang Trung (old Hà Giang) merged into the other new commune: not in this user's scope.
    assert "Quang Trung" not in get_page(client, "/don-vi-hanh-chinh/", as_of="2024-06-01", q="quang")


def test_a_unit_outside_the_scope_is_not_found(client, small_geo):
    client.force_login(make_user("canbo", Role.ORG_OFFICER, units=[small_geo.n1]))
    assert client.get(f"/don-vi-hanh-chinh/{small_geo.n2.pk}/").status_code == 404
    assert client.get(f"/don-vi-hanh-chinh/{small_geo.y1.pk}/").status_code == 404
    assert client.get("/don-vi-hanh-chinh/", {"parent": small_geo.new08.pk}).status_code == 404
    assert client.get(f"/don-vi-hanh-chinh/{small_geo.n1.pk}/").status_code == 200


def test_the_units_pages_need_a_login(client, small_geo):
    response = client.get("/don-vi-hanh-chinh/")
    assert response.status_code == 302 and response["Location"].startswith("/tai-khoan/dang-nhap/")


def test_a_bad_date_is_shown_next_to_the_date_field(manager_client, small_geo):
    page = manager_client.get("/don-vi-hanh-chinh/", {"as_of": "2024-13-45"}).content.decode()
    assert 'name="as_of" value="2024-13-45" class="form-control is-invalid"' in page
    assert '<div class="invalid-feedback d-block" id="id_as_of_error"><div>Nhập một ngày hợp lệ.' in page
    assert names_in_table(page) == ["Tỉnh Tuyên Quang"]  # today's units meanwhile


def test_an_htmx_request_gets_only_the_results(manager_client, small_geo):
    response = manager_client.get(
        "/don-vi-hanh-chinh/", {"as_of": "2024-06-01", "q": "trang"},
        headers={"HX-Request": "true", "HX-Target": "unit-results"},
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="unit-results">')
    assert "<html" not in page and names_in_table(page) == ["Xã Tràng Đà"]
    assert "HX-Request" in response["Vary"]


def test_long_lists_are_paginated(manager_client, small_geo):
    from ctxh.testing import make_unit
    from ctxh.web.views import units

    for number in range(units.PAGE_SIZE + 5):
        make_unit(f"9{number:04d}", f"Xã Thử {number:02d}", parent=small_geo.new08, valid_from=REORG_DAY)
    first = manager_client.get("/don-vi-hanh-chinh/", {"parent": small_geo.new08.pk}).content.decode()
    assert len(names_in_table(first)) == units.PAGE_SIZE
    assert f"parent={small_geo.new08.pk}&amp;page=2" in first
    second = get_page(manager_client, "/don-vi-hanh-chinh/", parent=small_geo.new08.pk, page=2)
    assert len(names_in_table(second)) == 7


def test_the_unit_page_shows_validity_children_and_successions(manager_client, small_geo):
    old = manager_client.get(f"/don-vi-hanh-chinh/{small_geo.x3.pk}/").content.decode()
    assert "Xã Tràng Đà" in old and "đến 30/06/2025" in old
    assert "Hết hiệu lực sau ngày 30/06/2025" in old
    # Tràng Đà was split between the two new communes, partly into each.
    successors = section(old, "successors-title")
    assert f'href="/don-vi-hanh-chinh/{small_geo.n1.pk}/">Phường Minh Xuân' in successors
    assert f'href="/don-vi-hanh-chinh/{small_geo.n2.pk}/">Xã Nông Tiến' in successors
    assert successors.count("một phần") == 2 and "01/07/2025" in successors
    assert f'href="/don-vi-hanh-chinh/{small_geo.d070.pk}/' in old  # its parent

    new = manager_client.get(f"/don-vi-hanh-chinh/{small_geo.n1.pk}/").content.decode()
    predecessors = section(new, "predecessors-title")
    for unit in (small_geo.x1, small_geo.x2, small_geo.x3):
        assert f'href="/don-vi-hanh-chinh/{unit.pk}/">{unit.name}' in predecessors


def test_the_unit_page_lists_children_as_of_a_date_within_its_validity(manager_client, small_geo):
    # Asked for a day after the old province ended: its last day is shown instead.
    page = get_page(manager_client, f"/don-vi-hanh-chinh/{small_geo.old08.pk}/", as_of="2025-08-01")
    assert "Đơn vị trực thuộc ngày 30/06/2025" in page
    assert "Thành phố Tuyên Quang" in page
    assert "đang hiển thị ngày 30/06/2025" in page


def test_successions_outside_the_scope_are_counted_not_shown(client, small_geo):
    client.force_login(make_user("canbo", Role.ORG_OFFICER, units=[small_geo.n1]))
    page = client.get(f"/don-vi-hanh-chinh/{small_geo.x3.pk}/").content.decode()
    assert "Phường Minh Xuân" in page
    assert "Nông Tiến" not in page
    assert "Và 1 đơn vị ngoài phạm vi của bạn." in page


def test_the_unit_page_lists_the_organizations_located_there_within_the_scope(client, small_geo):
    committee = make_org(small_geo.n1, "UBND phường Minh Xuân")
    make_org(small_geo.n2, "UBND xã Nông Tiến")
    officer = make_user("canbo", Role.ORG_OFFICER, organizations=[committee])
    client.force_login(officer)
    page = client.get(f"/don-vi-hanh-chinh/{small_geo.n1.pk}/").content.decode()
    assert "UBND phường Minh Xuân" in page
    assert "Nông Tiến" not in page
