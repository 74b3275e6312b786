"""Pages for training: courses (list, page, create, edit), sessions (page, create, edit) and the attendance of
a session: named participants entered quickly (HTMX), their results, and counted attendance.

Each view checks the login and the capability (VIEW_TRAINING to read, CHANGE_TRAINING to change), reads
through the scoped selectors (Course/Session/Attendance.objects.for_user) and changes through
ctxh/training/services.py. A course or session outside the user's scope answers 404. Changing a course or a
session's attendance also needs the course to be organized or partnered by an organization of the user's
scope (`managed_by`): a user who sees a session only because their people attended it reads, and gets 403.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from ctxh.accounts.roles import Capability
from ctxh.training import selectors, services
from ctxh.training.forms import (
    CountedAttendanceForm,
    CourseFilterForm,
    CourseForm,
    ExternalPersonForm,
    SessionForm,
    WorkerEntryForm,
)
from ctxh.training.models import Attendance, Course, Session
from ctxh.training.services import AttendanceEntry
from ctxh.web.decorators import capability_required
from ctxh.web.forms import add_service_errors
from ctxh.workforce.models import Worker
from ctxh.workforce.services import ConcurrentEditError

PAGE_SIZE = 50
SUGGESTIONS = 8

VIEW = Capability.VIEW_TRAINING
CHANGE = Capability.CHANGE_TRAINING


# --- helpers ---


def _course(request, pk: int) -> Course:
    try:
        return selectors.course_detail(user=request.user, pk=pk)
    except Course.DoesNotExist as exc:
        raise Http404(_("Không tìm thấy khóa đào tạo.")) from exc


def _session(request, pk: int) -> Session:
    try:
        return selectors.session_detail(user=request.user, pk=pk)
    except Session.DoesNotExist as exc:
        raise Http404(_("Không tìm thấy lớp đào tạo.")) from exc


def _manages_course(user, course: Course) -> bool:
    return user.can(CHANGE) and Course.objects.managed_by(user).filter(pk=course.pk).exists()


def _manages_session(user, session: Session) -> bool:
    return user.can(CHANGE) and Session.objects.managed_by(user).filter(pk=session.pk).exists()


def _require_course_manager(request, course: Course) -> None:
    if not _manages_course(request.user, course):
        raise PermissionDenied(_("Chỉ đơn vị tổ chức hoặc cơ sở đào tạo phối hợp của khóa này mới được sửa."))


def _managed_session(request, pk: int) -> Session:
    """A session of the user's scope (404 otherwise) whose attendance the user keeps (403 otherwise)."""
    session = _session(request, pk)
    if not _manages_session(request.user, session):
        raise PermissionDenied(_("Chỉ đơn vị tổ chức hoặc cơ sở đào tạo phối hợp của khóa này mới được "
                                 "nhập danh sách dự lớp."))
    return session


def _first_message(exc: ValidationError) -> str:
    return exc.messages[0] if exc.messages else _("Dữ liệu không hợp lệ.")


# --- courses ---


@require_GET
@capability_required(VIEW)
@vary_on_headers("HX-Request")
def course_list(request):
    form = CourseFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    courses = selectors.course_list(user=request.user, filters=filters)
    page = Paginator(courses, PAGE_SIZE).get_page(request.GET.get("page"))
    stats = selectors.course_stats(user=request.user, course_ids=[course.pk for course in page.object_list])
    context = {
        "form": form,
        "page": page,
        "rows": [(course, stats[course.pk]) for course in page.object_list],
        "can_change": request.user.can(CHANGE),
    }
    if request.htmx and request.htmx.target == "course-results":
        return render(request, "web/training/course_list.html#results", context)
    return render(request, "web/training/course_list.html", context)


@require_GET
@capability_required(VIEW)
def course_detail(request, pk: int):
    course = _course(request, pk)
    sessions = list(selectors.course_sessions(user=request.user, course=course))
    stats = selectors.session_stats(user=request.user, session_ids=[session.pk for session in sessions])
    context = {
        "course": course,
        "rows": [(session, stats[session.pk]) for session in sessions],
        "total": selectors.course_stats(user=request.user, course_ids=[course.pk])[course.pk],
        "can_change": _manages_course(request.user, course),
    }
    return render(request, "web/training/course_detail.html", context)


@require_http_methods(["GET", "POST"])
@capability_required(CHANGE)
def course_create(request):
    form = CourseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data, topics = form.changes()
        try:
            course = services.course_create(topics=topics, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm khóa đào tạo “%(title)s”. Hãy thêm các lớp của khóa.") % {
                "title": course.title})
            return redirect("web:training_course_detail", pk=course.pk)
    return render(request, "web/training/course_form.html", {"form": form, "course": None})


@require_http_methods(["GET", "POST"])
@capability_required(CHANGE)
def course_edit(request, pk: int):
    course = _course(request, pk)
    _require_course_manager(request, course)
    form = CourseForm(request.POST or None, user=request.user, instance=course)
    if request.method == "POST" and form.is_valid():
        data, topics = form.changes()
        try:
            course = services.course_update(course=course, version=form.cleaned_data["version"] or 0,
                                            data=data, topics=topics)
        except ConcurrentEditError as exc:
            add_service_errors(form, exc)
            form.data = form.data.copy()
            form.data["version"] = Course.objects.get(pk=course.pk).version
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu khóa đào tạo “%(title)s”.") % {"title": course.title})
            return redirect("web:training_course_detail", pk=course.pk)
    return render(request, "web/training/course_form.html", {"form": form, "course": course})


# --- sessions ---


def _session_data(form: SessionForm) -> dict:
    data = dict(form.cleaned_data)
    data["end_date"] = data.get("end_date") or data["start_date"]
    return data


@require_http_methods(["GET", "POST"])
@capability_required(CHANGE)
def session_create(request, course_pk: int):
    course = _course(request, course_pk)
    _require_course_manager(request, course)
    form = SessionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(course=course, **_session_data(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm lớp ngày %(day)s. Nhập danh sách người dự bên dưới.") % {
                "day": session.start_date.strftime("%d/%m/%Y")})
            return redirect("web:training_session_detail", pk=session.pk)
    context = {"form": form, "course": course, "session": None}
    return render(request, "web/training/session_form.html", context)


@require_http_methods(["GET", "POST"])
@capability_required(CHANGE)
def session_edit(request, pk: int):
    session = _managed_session(request, pk)
    form = SessionForm(request.POST or None, user=request.user, instance=session)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_update(session=session, **_session_data(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu lớp ngày %(day)s.") % {
                "day": session.start_date.strftime("%d/%m/%Y")})
            return redirect("web:training_session_detail", pk=session.pk)
    context = {"form": form, "course": session.course, "session": session}
    return render(request, "web/training/session_form.html", context)


def _attendance_context(request, session: Session) -> dict:
    """What the attendance block of the session page shows (a constant number of queries)."""
    return {
        "session": session,
        "attendances": selectors.session_attendance(user=request.user, session=session),
        "stats": selectors.session_stats(user=request.user, session_ids=[session.pk])[session.pk],
        "can_manage": _manages_session(request.user, session),
    }


def _session_page(request, session: Session, *, counted_form=None, status: int = 200):
    can_manage = _manages_session(request.user, session)
    context = _attendance_context(request, session) | {
        "course": session.course,
        "counts": selectors.session_counts(user=request.user, session=session),
        "worker_form": WorkerEntryForm(),
        "external_form": ExternalPersonForm(user=request.user),
        "counted_form": counted_form or (CountedAttendanceForm(user=request.user, session=session)
                                         if can_manage else None),
    }
    return render(request, "web/training/session_detail.html", context, status=status)


@require_GET
@capability_required(VIEW)
def session_detail(request, pk: int):
    return _session_page(request, _session(request, pk))


# --- attendance entry (HTMX; every form also works without JavaScript) ---


def _entry_response(request, session: Session, *, ok: bool, message: str, form: str, candidates=None,
                    query: str = ""):
    """The answer to an entry form: the message under the form; on success the refreshed attendance list
    and an `attendanceAdded` event (the page clears the form and puts the cursor back in it)."""
    if not request.htmx:
        (messages.success if ok else messages.error)(request, message)
        return redirect(reverse("web:training_session_detail", args=[session.pk]) + "#nhap-danh-sach")
    context = _attendance_context(request, session) if ok else {"session": session}
    context |= {"ok": ok, "message": message, "form_name": form, "candidates": candidates, "q": query,
                "more": False}
    response = render(request, "web/training/_entry_response.html", context)
    if ok:
        response["HX-Trigger"] = "attendanceAdded"
    return response


@require_GET
@capability_required(CHANGE)
def worker_suggestions(request, pk: int):
    """The registered workers matching the words typed (HTMX; the list under the entry field)."""
    session = _managed_session(request, pk)
    query = request.GET.get("q", "").strip()
    found = list(selectors.worker_candidates(user=request.user, session=session, text=query)
                 [:SUGGESTIONS + 1])
    context = {"session": session, "q": query, "candidates": found[:SUGGESTIONS],
               "more": len(found) > SUGGESTIONS}
    return render(request, "web/training/session_detail.html#worker_options", context)


@require_POST
@capability_required(CHANGE)
def attendance_add_worker(request, pk: int):
    """Add a registered worker: the one picked in the suggestions, or the only one matching the words."""
    session = _managed_session(request, pk)
    form = WorkerEntryForm(request.POST)
    form.is_valid()
    query = (form.cleaned_data.get("q") or "").strip()
    worker_id = form.cleaned_data.get("worker")
    candidates = None
    worker = None
    if worker_id:
        worker = Worker.objects.for_user(request.user).filter(pk=worker_id).first()
        if worker is None:
            return _entry_response(request, session, ok=False, form="worker", message=_(
                "Không tìm thấy người này trong danh sách người làm CTXH thuộc phạm vi của bạn."))
    elif not query:
        return _entry_response(request, session, ok=False, form="worker", message=_(
            "Hãy gõ vài chữ của họ tên người làm CTXH rồi nhấn Enter."))
    else:
        found = list(selectors.worker_candidates(user=request.user, session=session, text=query)
                     [:SUGGESTIONS + 1])
        if not found:
            return _entry_response(request, session, ok=False, form="worker", query=query, message=_(
                "Không có người làm CTXH nào khớp với “%(q)s” trong phạm vi của bạn. Nếu là người ngoài danh "
                "sách, hãy nhập ở dòng “Người ngoài danh sách”.") % {"q": query})
        if len(found) > 1:
            candidates = found[:SUGGESTIONS]
            message = _("Có nhiều người khớp với “%(q)s”: chọn một người trong danh sách (mũi tên lên, xuống "
                        "rồi Enter) hoặc gõ thêm.") % {"q": query}
            return _entry_response(request, session, ok=False, form="worker", query=query,
                                   candidates=candidates, message=message)
        worker = found[0]
    try:
        services.attendance_add(session=session, entry=AttendanceEntry(worker=worker))
    except ValidationError as exc:
        return _entry_response(request, session, ok=False, form="worker", query=query,
                               message=_first_message(exc))
    return _entry_response(request, session, ok=True, form="worker",
                           message=_("Đã thêm %(name)s.") % {"name": worker.full_name})


@require_POST
@capability_required(CHANGE)
def attendance_add_external(request, pk: int):
    """Add a person who is not in the list of social workers, from one line."""
    session = _managed_session(request, pk)
    form = ExternalPersonForm(request.POST, user=request.user)
    if not form.is_valid():
        errors = [f"{form.fields[name].label}: {error}" if name in form.fields else error
                  for name, field_errors in form.errors.items() for error in field_errors]
        return _entry_response(request, session, ok=False, form="external", message=" ".join(errors))
    data = form.cleaned_data
    entry = AttendanceEntry(person_name=data["person_name"], organization=data["organization_obj"],
                            organization_name=data["organization_name"],
                            position_title=data["position_title"], sex=data["sex"])
    try:
        services.attendance_add(session=session, entry=entry)
    except ValidationError as exc:
        return _entry_response(request, session, ok=False, form="external", message=_first_message(exc))
    return _entry_response(request, session, ok=True, form="external",
                           message=_("Đã thêm %(name)s.") % {"name": entry.label})


@require_GET
@capability_required(CHANGE)
def organization_suggestions(request, pk: int):
    """<option>s of the organizations matching the words typed (HTMX; the organization field's datalist)."""
    session = _managed_session(request, pk)
    query = request.GET.get("organization", "").strip()
    organizations = selectors.organization_suggestions(user=request.user, text=query, day=session.start_date)
    return render(request, "web/training/session_detail.html#organization_options",
                  {"organizations": organizations[:SUGGESTIONS * 2]})


def _result_rows(request, session: Session):
    """The attendance rows a results form speaks of: one row (`only`, a click in the table) or all of them."""
    only = request.POST.get("only", "")
    rows = selectors.session_attendance(user=request.user, session=session)
    if only.isdigit():
        return rows.filter(pk=int(only))
    return rows.filter(pk__in=[int(v) for v in request.POST.getlist("rows") if v.isdigit()])


@require_POST
@capability_required(CHANGE)
def attendance_results(request, pk: int):
    """Save "hoàn thành" and the certificate number of one row (HTMX, as soon as it changes) or of every row
    (the form's button, without JavaScript): all or nothing."""
    session = _managed_session(request, pk)
    rows = list(_result_rows(request, session))
    changed = []
    for attendance in rows:
        completed = request.POST.get(f"completed-{attendance.pk}") == "on"
        certificate = request.POST.get(f"certificate-{attendance.pk}", "").strip()
        if (completed, certificate) != (attendance.completed, attendance.certificate_number):
            changed.append((attendance, completed, certificate))
    refused = services.attendance_set_results(results=changed)
    errors = {row_pk: _first_message(exc) for row_pk, exc in refused.items()}
    if request.htmx:
        context = _attendance_context(request, session) | {"rows": rows, "errors": errors}
        return render(request, "web/training/_results_response.html", context)
    if errors:
        names = {attendance.pk: attendance.display_name for attendance in rows}
        for row_pk, message in errors.items():
            messages.error(request, f"{names[row_pk]}: {message}")
        messages.error(request, _("Chưa lưu kết quả nào; hãy sửa các dòng trên rồi lưu lại."))
    else:
        messages.success(request, _("Đã lưu kết quả."))
    return redirect(reverse("web:training_session_detail", args=[session.pk]) + "#danh-sach")


def _attendance_block(request, session: Session):
    if request.htmx:
        return render(request, "web/training/session_detail.html#attendance",
                      _attendance_context(request, session))
    return redirect(reverse("web:training_session_detail", args=[session.pk]) + "#danh-sach")


@require_POST
@capability_required(CHANGE)
def attendance_complete_all(request, pk: int):
    session = _managed_session(request, pk)
    changed = services.attendance_complete_all(session=session)
    if not request.htmx:
        messages.success(request, _("Đã đánh dấu hoàn thành cho %(n)s người.") % {"n": changed})
    return _attendance_block(request, session)


@require_POST
@capability_required(CHANGE)
def attendance_remove(request, pk: int):
    session = _managed_session(request, pk)
    attendance_id = request.POST.get("attendance", "")
    attendance = (Attendance.objects.for_user(request.user).filter(session=session, pk=attendance_id).first()
                  if attendance_id.isdigit() else None)
    if attendance is None:
        raise Http404(_("Không tìm thấy người dự lớp."))
    name = attendance.display_name
    services.attendance_remove(attendance=attendance)
    if not request.htmx:
        messages.success(request, _("Đã xóa %(name)s khỏi danh sách dự lớp.") % {"name": name})
    return _attendance_block(request, session)


@require_POST
@capability_required(CHANGE)
def counted_attendance(request, pk: int):
    """Record how many people of a unit completed the session, where only numbers were kept."""
    session = _managed_session(request, pk)
    form = CountedAttendanceForm(request.POST, user=request.user, session=session)
    if form.is_valid():
        data = form.cleaned_data
        try:
            row = services.counted_attendance_set(
                session=session, unit=data["unit"], count=data["count"], org_kind=data["org_kind"],
                sex=data["sex"], note=data["note"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if row is None:
                messages.success(request, _("Đã xóa dòng số liệu của %(unit)s.") % {
                    "unit": data["unit"].name})
            else:
                messages.success(request, _("Đã ghi %(count)s lượt người hoàn thành của %(unit)s.") % {
                    "count": row.count, "unit": data["unit"].name})
            return redirect(reverse("web:training_session_detail", args=[session.pk]) + "#so-lieu")
    return _session_page(request, session, counted_form=form)


urlpatterns = [
    path("", course_list, name="training_course_list"),
    path("khoa/them/", course_create, name="training_course_create"),
    path("khoa/<int:pk>/", course_detail, name="training_course_detail"),
    path("khoa/<int:pk>/sua/", course_edit, name="training_course_edit"),
    path("khoa/<int:course_pk>/them-lop/", session_create, name="training_session_create"),
    path("lop/<int:pk>/", session_detail, name="training_session_detail"),
    path("lop/<int:pk>/sua/", session_edit, name="training_session_edit"),
    path("lop/<int:pk>/goi-y-nguoi/", worker_suggestions, name="training_worker_suggestions"),
    path("lop/<int:pk>/goi-y-to-chuc/", organization_suggestions, name="training_organization_suggestions"),
    path("lop/<int:pk>/them-nguoi/", attendance_add_worker, name="training_attendance_add_worker"),
    path("lop/<int:pk>/them-nguoi-ngoai/", attendance_add_external, name="training_attendance_add_external"),
    path("lop/<int:pk>/ket-qua/", attendance_results, name="training_attendance_results"),
    path("lop/<int:pk>/hoan-thanh-tat-ca/", attendance_complete_all, name="training_attendance_complete_all"),
    path("lop/<int:pk>/xoa-nguoi/", attendance_remove, name="training_attendance_remove"),
    path("lop/<int:pk>/so-lieu/", counted_attendance, name="training_counted_attendance"),
]
