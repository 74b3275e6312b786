"""Referrals between organizations and the consent they may need (Law 91/2025/QH15 on personal data).

A referral goes from the organization that holds the case to another one, which accepts or declines it; the
receiving organization completes it, the sending one may withdraw it while it is open. A referral that shares
the person's data needs a recorded consent covering sharing that is not withdrawn; for a child of 7 or more it
must be given by the child and the legal representative, for a younger child by the representative.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ctxh.cases.models import (
    CHILD_AGE,
    CONSENT_AGE,
    Case,
    Consent,
    EventKind,
    Person,
    Referral,
    ReferralStatus,
)
from ctxh.cases.scoping import can_act_for
from ctxh.cases.services.common import dmy, local_day, lock_case, now_or, record_event, refuse_closed, save
from ctxh.orgs.models import Organization


def consent_problem(consent: Consent, person: Person, day: dt.date) -> str | None:
    """Why `consent` does not allow sharing the person's data on `day`, or None when it does."""
    if consent.person_id != person.pk:
        return str(_("Sự đồng ý đã chọn là của một người khác."))
    if not consent.for_sharing:
        return str(_("Sự đồng ý đã ghi không bao gồm việc chia sẻ thông tin với tổ chức khác."))
    if consent.withdrawn_at is not None:
        return str(_("Sự đồng ý chia sẻ thông tin đã bị rút lại ngày %(day)s.")
                   % {"day": dmy(local_day(consent.withdrawn_at))})
    age = person.age_on(day)
    if age is not None and age < CHILD_AGE:
        if not consent.has_representative:
            return str(_("Với trẻ em, cần sự đồng ý của người đại diện hợp pháp."))
        if age >= CONSENT_AGE and not consent.given_by_person:
            return str(_("Trẻ em từ đủ 7 tuổi trở lên: cần sự đồng ý của cả trẻ em và người đại diện hợp "
                         "pháp."))
    elif not (consent.given_by_person or consent.has_representative):
        return str(_("Sự đồng ý phải do chính đối tượng hoặc người đại diện hợp pháp đưa ra."))
    return None


def sharing_consent(person: Person, day: dt.date) -> Consent | None:
    """The latest consent of the person that allows sharing on `day`, if any."""
    for consent in person.consents.filter(for_sharing=True, withdrawn_at__isnull=True).order_by("-given_at"):
        if consent_problem(consent, person, day) is None:
            return consent
    return None


def _open_cases(person: Person):
    return Case.objects.open().filter(person=person)


# --- consent ---


@transaction.atomic
def consent_record(*, person: Person, given_at: dt.datetime | None = None, given_by_person: bool = False,
                   representative_name: str = "", representative_relationship: str = "",
                   for_services: bool = True, for_sharing: bool = False, note: str = "", by=None) -> Consent:
    given_at = now_or(given_at)
    if given_at > timezone.now():
        raise ValidationError({"given_at": _("Thời điểm đồng ý không được sau thời điểm hiện tại.")})
    if not (for_services or for_sharing):
        raise ValidationError({"for_services": _("Hãy chọn ít nhất một mục đích: nhận dịch vụ hoặc chia sẻ "
                                                 "thông tin.")})
    representative_name = representative_name.strip()
    if representative_name and not representative_relationship.strip():
        raise ValidationError({"representative_relationship": _(
            "Hãy ghi quan hệ của người đại diện với đối tượng.")})
    age = person.age_on(local_day(given_at))
    if age is not None and age < CHILD_AGE:
        if not representative_name:
            raise ValidationError({"representative_name": _(
                "Đối tượng là trẻ em: cần sự đồng ý của người đại diện hợp pháp.")})
        if age >= CONSENT_AGE and not given_by_person:
            raise ValidationError({"given_by_person": _(
                "Trẻ em từ đủ 7 tuổi trở lên: cần cả sự đồng ý của trẻ em.")})
    elif not (given_by_person or representative_name):
        raise ValidationError({"given_by_person": _(
            "Hãy ghi ai đồng ý: chính đối tượng hoặc người đại diện hợp pháp.")})
    consent = Consent(person=person, given_at=given_at, given_by_person=given_by_person,
                      representative_name=representative_name,
                      representative_relationship=representative_relationship.strip(),
                      for_services=for_services, for_sharing=for_sharing, note=note, recorded_by=by)
    save(consent)
    for case in _open_cases(person):
        record_event(case, EventKind.CONSENT_RECORDED, by=by, at=given_at, consent=consent,
                     for_services=for_services, for_sharing=for_sharing)
    return consent


@transaction.atomic
def consent_withdraw(*, consent: Consent, at: dt.datetime | None = None, by=None) -> Consent:
    """Withdraw a consent: no new sharing referral may rely on it (referrals already answered are kept)."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        raise ValidationError({"consent": _("Sự đồng ý này đã được rút lại ngày %(day)s.")
                               % {"day": dmy(local_day(consent.withdrawn_at))}})
    at = now_or(at)
    if at < consent.given_at or at > timezone.now():
        raise ValidationError({"withdrawn_at": _(
            "Thời điểm rút lại phải sau thời điểm đồng ý và không sau thời điểm hiện tại.")})
    consent.withdrawn_at = at
    consent.save(update_fields=["withdrawn_at"])
    for case in _open_cases(consent.person):
        record_event(case, EventKind.CONSENT_WITHDRAWN, by=by, at=at, consent=consent)
    return consent


# --- referrals ---


@transaction.atomic
def referral_send(*, case: Case, to_org: Organization, reason: str, by=None, deadline: dt.date | None = None,
                  shares_data: bool = False, consent: Consent | None = None,
                  at: dt.datetime | None = None) -> Referral:
    case = lock_case(case)
    refuse_closed(case)
    at = now_or(at)
    day = local_day(at)
    if to_org.pk == case.organization_id:
        raise ValidationError({"to_org": _("Không thể chuyển tuyến cho chính tổ chức đang quản lý hồ sơ.")})
    if not to_org.is_valid_on(day):
        raise ValidationError({"to_org": _("Tổ chức “%(org)s” không hoạt động vào ngày %(day)s.")
                               % {"org": to_org.name, "day": dmy(day)}})
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy ghi lý do chuyển tuyến.")})
    if deadline is not None and deadline < day:
        raise ValidationError({"deadline": _("Thời hạn trả lời không được trước ngày gửi.")})
    if shares_data:
        person = case.person
        if consent is not None:
            consent = Consent.objects.get(pk=consent.pk)  # as it is now, not as the form read it
            problem = consent_problem(consent, person, day)
            if problem:
                raise ValidationError({"consent": problem})
        else:
            consent = sharing_consent(person, day)
            if consent is None:
                raise ValidationError({"shares_data": _(
                    "Chuyển tuyến có chia sẻ thông tin cần sự đồng ý đã ghi nhận (và chưa rút lại) của đối "
                    "tượng hoặc người đại diện hợp pháp; với trẻ em từ đủ 7 tuổi, của cả trẻ em và người đại "
                    "diện.")})
    referral = Referral(case=case, from_org=case.organization, to_org=to_org, reason=reason.strip(),
                        deadline=deadline, shares_data=shares_data, consent=consent if shares_data else None,
                        sent_at=at, sent_by=by)
    save(referral)
    record_event(case, EventKind.REFERRAL_SENT, by=by, at=at, referral=referral, to_org=to_org,
                 shares_data=shares_data)
    return referral


def _lock_referral(referral: Referral) -> Referral:
    return Referral.objects.select_for_update().select_related("to_org", "from_org").get(pk=referral.pk)


@transaction.atomic
def referral_respond(*, referral: Referral, accept: bool, by, note: str = "",
                     at: dt.datetime | None = None) -> Referral:
    """Accept or decline, by a user acting for the receiving organization only."""
    referral = _lock_referral(referral)
    if referral.status != ReferralStatus.SENT:
        raise ValidationError({"status": _("Chuyển tuyến này đã được trả lời (%(status)s).")
                               % {"status": referral.get_status_display()}})
    if not can_act_for(by, referral.to_org):
        raise ValidationError({"to_org": _("Chỉ tổ chức nhận (%(org)s) mới tiếp nhận hoặc từ chối được "
                                           "chuyển tuyến này.") % {"org": referral.to_org.name}})
    if not accept and not note.strip():
        raise ValidationError({"response_note": _("Hãy ghi lý do từ chối.")})
    at = now_or(at)
    if at < referral.sent_at:
        raise ValidationError({"responded_at": _("Thời điểm trả lời không được trước thời điểm gửi.")})
    referral.status = ReferralStatus.ACCEPTED if accept else ReferralStatus.DECLINED
    referral.responded_at = at
    referral.responded_by = by
    referral.response_note = note.strip()
    referral.save()
    kind = EventKind.REFERRAL_ACCEPTED if accept else EventKind.REFERRAL_DECLINED
    record_event(referral.case, kind, by=by, at=at, referral=referral, to_org=referral.to_org)
    return referral


@transaction.atomic
def referral_complete(*, referral: Referral, by, note: str = "", at: dt.datetime | None = None) -> Referral:
    """The receiving organization has done what was asked."""
    referral = _lock_referral(referral)
    if referral.status != ReferralStatus.ACCEPTED:
        raise ValidationError({"status": _("Chỉ chuyển tuyến đã được tiếp nhận mới hoàn thành được.")})
    if not can_act_for(by, referral.to_org):
        raise ValidationError({"to_org": _("Chỉ tổ chức nhận (%(org)s) mới xác nhận hoàn thành được.")
                               % {"org": referral.to_org.name}})
    referral.status = ReferralStatus.COMPLETED
    referral.closed_at = now_or(at)
    if note.strip():
        referral.response_note = f"{referral.response_note}\n{note.strip()}".strip()
    referral.save()
    record_event(referral.case, EventKind.REFERRAL_COMPLETED, by=by, at=referral.closed_at, referral=referral)
    return referral


@transaction.atomic
def referral_withdraw(*, referral: Referral, by, reason: str, at: dt.datetime | None = None) -> Referral:
    """The sending organization withdraws a referral that is still open (sent or accepted)."""
    referral = _lock_referral(referral)
    if referral.status not in (ReferralStatus.SENT, ReferralStatus.ACCEPTED):
        raise ValidationError({"status": _("Chuyển tuyến này đã kết thúc (%(status)s), không rút được.")
                               % {"status": referral.get_status_display()}})
    if not (by is not None and by.pk == referral.sent_by_id) and not can_act_for(by, referral.from_org):
        raise ValidationError({"from_org": _("Chỉ tổ chức chuyển (%(org)s) mới rút được chuyển tuyến.")
                               % {"org": referral.from_org.name}})
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy ghi lý do rút chuyển tuyến.")})
    referral.status = ReferralStatus.WITHDRAWN
    referral.closed_at = now_or(at)
    referral.response_note = f"{referral.response_note}\n{reason.strip()}".strip()
    referral.save()
    record_event(referral.case, EventKind.REFERRAL_WITHDRAWN, by=by, at=referral.closed_at, referral=referral)
    return referral
