"""/dhis2/: download an export, upload a payload, see the dry run, confirm. World: dhis2/testing.py."""

import json

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ctxh.accounts.roles import Role
from ctxh.audit.models import AccessAction, AccessLog
from ctxh.indicators.dhis2.testing import TODAY, build_dhis2_world, value_rows
from ctxh.testing import make_user

pytestmark = pytest.mark.django_db
PAGE, EXPORT, IMPORT, CONFIRM = "/dhis2/", "/dhis2/xuat/", "/dhis2/nhap/", "/dhis2/nhap/xac-nhan/"


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def world(small_geo):
    return build_dhis2_world(small_geo)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def manager(small_geo):
    return make_user("quanly", Role.PROGRAMME_MANAGER, units=[small_geo.new08])


@pytest.fixture
def browser(manager):
    return client_for(manager)


def upload(text: str, name: str = "dhis2.json", **options):
    return {"file": SimpleUploadedFile(name, text.encode()), "atomic_mode": "ALL",
            "import_strategy": "CREATE_AND_UPDATE", **options}


GOOD = {"dataSet": "CTXH_6M", "dataValues": [
    {"dataElement": "COUNSELLED_PEOPLE", "categoryOptionCombo": "MALE", "orgUnit": "02200",
     "period": "2025S2", "value": "8"}]}


def test_the_page_offers_export_and_import_to_the_managers(browser, world):
    page = browser.get(PAGE).content.decode()

    assert "Xuất tệp cho DHIS2" in page and "Nhập tệp từ DHIS2" in page
    assert 'href="/dhis2/"' in page  # in the navigation, for MANAGE_AGGREGATE


def test_a_leader_may_export_but_sees_no_import(world, small_geo):
    leader = client_for(make_user("lanhdao", Role.LEADER, units=[small_geo.new08]))

    page = leader.get(PAGE).content.decode()
    assert "Xuất tệp cho DHIS2" in page and "Nhập tệp từ DHIS2" not in page
    assert leader.post(IMPORT, upload(json.dumps(GOOD))).status_code == 403
    assert Client().get(PAGE).status_code == 302  # to the login page


def test_download_a_csv_export(browser, world):
    g = world.geo
    response = browser.get(EXPORT, {"data_set": "CTXH_6M", "period": "2025S2", "unit": g.new08.pk,
                                    "children": "on", "file_format": "csv"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="dataValueSets-CTXH_6M-2025S2-08.csv"'
    lines = response.content.decode().splitlines()
    assert lines[0] == ("dataelement,period,orgunit,catoptcombo,attroptcombo,value,storedby,lastupdated,"
                        "comment,followup")
    assert [line.split(",")[:6] for line in lines[1:]] == [
        ["COUNSELLED_PEOPLE", "2025S2", "02200", "FEMALE", "default", "7"],
        ["FACILITIES_PROVIDING", "2025S2", "02210", "default", "default", "1"],
        ["FACILITIES_TOTAL", "2025S2", "02210", "default", "default", "2"]]
    assert AccessLog.objects.get(action=AccessAction.EXPORT).count == 3


def test_download_a_json_export_of_indicator_values(browser, world):
    from ctxh.indicators.dhis2.testing import put_fact

    put_fact("COUNSELLED", world.geo.new08, "2025", 19)
    response = browser.get(EXPORT, {"indicators": "COUNSELLED", "period": "2025", "unit": world.geo.new08.pk,
                                    "file_format": "json"})

    assert response.status_code == 200
    rows = json.loads(response.content)["dataValues"]
    assert [(v["dataElement"], v["orgUnit"], v["value"]) for v in rows] == [("COUNSELLED", "08", "19")]


def test_an_export_form_with_problems_says_so(browser, world):
    g = world.geo
    nothing = browser.get(EXPORT, {"period": "2025S2", "unit": g.new08.pk, "file_format": "csv"})
    assert nothing.status_code == 400
    assert "Hãy chọn một bộ số liệu hoặc ít nhất một chỉ số." in nothing.content.decode()
    # The old Phan Thiết ended on 30/06/2025: it has no second half of 2025.
    ended = browser.get(EXPORT, {"data_set": "CTXH_6M", "period": "2025S2", "unit": g.x1.pk,
                                 "file_format": "csv"})
    assert ended.status_code == 400 and "không tồn tại trong kỳ đã chọn" in ended.content.decode()


def test_upload_preview_then_confirm(browser, world):
    before = value_rows()

    preview = browser.post(IMPORT, upload(json.dumps(GOOD)))

    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Chạy thử (chưa ghi gì): sẽ nhập mới 1" in page and "Xác nhận nhập" in page
    assert value_rows() == before
    token = preview.context["token"]
    done = browser.post(CONFIRM, {"token": token})
    assert done.status_code == 200 and "Đã nhập mới 1" in done.content.decode()
    assert len(value_rows()) == len(before) + 1
    # The same token cannot import twice.
    again = browser.post(CONFIRM, {"token": token}, follow=True)
    assert "Không còn bản chạy thử nào chờ xác nhận" in again.content.decode()


def test_a_refused_preview_offers_no_confirmation(browser, world):
    bad = {"dataValues": [{**GOOD["dataValues"][0], "value": "tám"}]}
    csv_text = ("dataelement,period,orgunit,catoptcombo,attroptcombo,value\n"
                "NOPE,2025S2,02200,default,default,1\n")

    for text, name in ((json.dumps(bad), "bad.json"), (csv_text, "bad.csv")):
        page = browser.post(IMPORT, upload(text, name)).content.decode()
        assert "Không có gì được ghi" in page and "Xác nhận nhập" not in page
    assert "“tám” không phải một số." in browser.post(IMPORT, upload(json.dumps(bad))).content.decode()


def test_an_unreadable_file_is_refused_on_the_page(browser, world):
    response = browser.post(IMPORT, upload("{not json", "x.json"))

    assert response.status_code == 400 and "Tệp JSON không đọc được" in response.content.decode()
    empty = browser.post(IMPORT, upload(json.dumps({"dataValues": []})))
    assert empty.status_code == 400 and "rỗng" in empty.content.decode()


def test_mappings_are_uploaded_from_a_small_csv(browser, world):
    text = "kind,ctxh_code,dhis2_code\ndataElement,COUNSELLED_PEOPLE,DE_TUVAN\n"

    done = browser.post("/dhis2/anh-xa/", {"file": SimpleUploadedFile("m.csv", text.encode()),
                                          "instance": "default"}, follow=True)

    page = done.content.decode()
    assert "Bảng ánh xạ mã: thêm 1, sửa 0, không đổi 0." in page and "DE_TUVAN" in page
    broken = SimpleUploadedFile("m.csv", b"kind,ctxh_code,dhis2_code\nx,y\n")
    bad = browser.post("/dhis2/anh-xa/", {"file": broken, "instance": "default"})
    assert bad.status_code == 400 and "Dòng 2: cần đúng 3 cột." in bad.content.decode()
