import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from ctxh.cases import services
from ctxh.cases.models import Case, EventKind, ReferralStatus, Stage
from ctxh.cases.testing import at, make_case, make_person

pytestmark = pytest.mark.django_db


def errors_of(call, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    return caught.value.message_dict


@pytest.fixture
def child_case(world):
    child = make_person("Vàng Thị Mai", date_of_birth=dt.date(2015, 3, 9))  # 10 years old in 2025
    return make_case(child, world.org_a, world.worker_a, opened_at=at(2025, 9, 1), stage=Stage.INTERVENTION)


def send(world, case, **extra):
    data = {"case": case, "to_org": world.org_b, "reason": "Cần hỗ trợ y tế", "by": world.sw_a,
            "at": at(2025, 9, 5)} | extra
    return services.referral_send(**data)


def both_consent(case, **extra):
    data = {"person": case.person, "given_at": at(2025, 9, 2), "given_by_person": True,
            "representative_name": "Vàng A Páo", "representative_relationship": "Bố",
            "for_sharing": True} | extra
    return services.consent_record(**data)


def test_a_referral_to_the_organization_holding_the_case_is_refused(world, child_case):
    errors = errors_of(send, world=world, case=child_case, to_org=world.org_a)
    assert "chính tổ chức" in errors["to_org"][0]
    assert not child_case.referrals.exists()


def test_sharing_data_needs_a_recorded_consent(world, child_case):
    errors = errors_of(send, world=world, case=child_case, shares_data=True)
    assert "đồng ý" in errors["shares_data"][0]
    consent = both_consent(child_case)
    referral = send(world, child_case, shares_data=True)
    assert referral.consent == consent and referral.status == ReferralStatus.SENT
    assert child_case.events.filter(kind=EventKind.REFERRAL_SENT).exists()


def test_a_child_of_7_or_more_consents_with_the_representative(world, child_case):
    errors = errors_of(both_consent, case=child_case, given_by_person=False)
    assert "cả sự đồng ý của trẻ em" in errors["given_by_person"][0]
    errors = errors_of(both_consent, case=child_case, representative_name="")
    assert "representative_name" in errors
    toddler = make_person(date_of_birth=dt.date(2022, 1, 1))
    assert services.consent_record(person=toddler, given_at=at(2025, 9, 2), representative_name="Mẹ",
                                   representative_relationship="Mẹ", for_sharing=True).pk


def test_a_consent_not_covering_sharing_does_not_allow_a_sharing_referral(world, child_case):
    consent = both_consent(child_case, for_sharing=False)
    errors = errors_of(send, world=world, case=child_case, shares_data=True, consent=consent)
    assert "không bao gồm việc chia sẻ" in errors["consent"][0]


def test_a_withdrawn_consent_blocks_a_new_sharing_referral(world, child_case):
    consent = both_consent(child_case)
    send(world, child_case, shares_data=True)
    services.consent_withdraw(consent=consent, at=at(2025, 9, 6))
    errors = errors_of(send, world=world, case=child_case, shares_data=True, at=at(2025, 9, 7))
    assert "shares_data" in errors
    errors = errors_of(send, world=world, case=child_case, shares_data=True, consent=consent,
                       at=at(2025, 9, 7))
    assert "rút lại" in errors["consent"][0]
    assert send(world, child_case, at=at(2025, 9, 7)).pk  # a referral that shares nothing is still possible


def test_only_the_receiving_organization_accepts_and_then_sees_the_case(world, child_case):
    referral = send(world, child_case)
    assert not Case.objects.for_user(world.officer_b).filter(pk=child_case.pk).exists()
    for user in (world.officer_a, world.sw_b, world.sw_a):
        errors = errors_of(services.referral_respond, referral=referral, accept=True, by=user)
        assert "Chỉ tổ chức nhận" in errors["to_org"][0]
    referral = services.referral_respond(referral=referral, accept=True, by=world.officer_b,
                                         at=at(2025, 9, 6))
    assert referral.status == ReferralStatus.ACCEPTED and referral.responded_by == world.officer_b
    assert Case.objects.for_user(world.officer_b).filter(pk=child_case.pk).exists()
    assert "đã được trả lời" in errors_of(services.referral_respond, referral=referral, accept=False,
                                          by=world.officer_b, note="Không")["status"][0]
    referral = services.referral_complete(referral=referral, by=world.officer_b, at=at(2025, 9, 20))
    assert referral.status == ReferralStatus.COMPLETED
    kinds = set(child_case.events.values_list("kind", flat=True))
    assert {EventKind.REFERRAL_SENT, EventKind.REFERRAL_ACCEPTED, EventKind.REFERRAL_COMPLETED} <= kinds


def test_declining_needs_a_reason_and_the_sender_may_withdraw_an_open_referral(world, child_case):
    referral = send(world, child_case)
    assert "lý do" in errors_of(services.referral_respond, referral=referral, accept=False,
                                by=world.officer_b)["response_note"][0]
    errors = errors_of(services.referral_withdraw, referral=referral, by=world.officer_b, reason="Nhầm")
    assert "from_org" in errors
    referral = services.referral_withdraw(referral=referral, by=world.sw_a,
                                          reason="Gia đình tự đến bệnh viện")
    assert referral.status == ReferralStatus.WITHDRAWN
    assert "kết thúc" in errors_of(services.referral_withdraw, referral=referral, by=world.sw_a,
                                   reason="Lần nữa")["status"][0]
