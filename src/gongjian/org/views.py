"""Account pages: own API tokens, password change, the lockout page, and the office's view of
the security audit log (paged, and as .xlsx). Each view parses, calls a service or selector,
renders."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from gongjian.core import audit, paging
from gongjian.core.errors import GongjianError
from gongjian.core.forms import StaffForm
from gongjian.core.http import flash_error
from gongjian.org import selectors, services
from gongjian.org.language import remember_language
from gongjian.org.sso import sso_enabled


class LoginView(auth_views.LoginView):
    """The password login (the demo's, break-glass administrators'), and the single sign-on
    button when the identity service is configured."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "sso_enabled": sso_enabled()}


class TokenForm(StaffForm):
    name = forms.CharField(label=_l("用途"), max_length=100)
    expires_on = forms.DateField(
        label=_l("有效期至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            secret = services.issue_api_token(
                actor=request.user,
                user=request.user,  # type: ignore[arg-type]
                name=form.cleaned_data["name"],
                expires_on=form.cleaned_data["expires_on"],
                request=request,
            )
        except GongjianError as exc:
            flash_error(request, exc)
        else:
            form = TokenForm()
    rows = selectors.tokens_of(request.user)
    return render(
        request,
        "org/tokens.html",
        {"form": form, "secret": secret, "tokens": rows, "today": timezone.localdate()},
    )


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = services.revoke_api_token(actor=request.user, token_id=token_id, request=request)
    except GongjianError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("已撤销令牌“%(name)s”。") % {"name": token.name})
    return redirect("account:tokens")


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)  # type: ignore[arg-type]
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(
                actor=request.user,
                user=request.user,  # type: ignore[arg-type]
                new_password=form.cleaned_data["new_password1"],
                request=request,
            )
        except GongjianError as exc:
            flash_error(request, exc)
        else:
            update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
            messages.success(request, _("密码已修改。"))
            return redirect(next_url or "home")
    due = services.password_change_due(request.user)
    return render(request, "org/password_change.html", {"form": form, "due": due, "next": next_url})


def locked_out(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' lockout page: in Chinese, saying when the user may try again."""
    from django.conf import settings

    retry = timezone.localtime(timezone.now() + settings.AXES_COOLOFF_TIME)
    message = _(
        "登录失败次数过多，账号或来源地址已被锁定 %(minutes)s 分钟，请于 %(time)s 后重试。"
    ) % {
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "time": retry.strftime("%H:%M"),
    }
    return render(request, "org/locked_out.html", {"message": message}, status=429)


class SecurityFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_l("事件"), required=False)
    username = forms.CharField(label=_l("用户名"), required=False, max_length=150)
    since = forms.DateField(
        label=_l("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_l("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(label=_l("对象或详情"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("全部")), *audit.EventKind.choices]  # type: ignore[attr-defined]


def _security_filter(request: HttpRequest) -> tuple[SecurityFilterForm, selectors.SecurityFilter]:
    """The log page's filter form and what it asks for: the page and its export read both."""
    form = SecurityFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return form, selectors.SecurityFilter(
        kind=data.get("kind") or None,
        username=data.get("username") or "",
        since=data.get("since"),
        until=data.get("until"),
        q=data.get("q") or "",
    )


def _events(request: HttpRequest) -> Any:
    _form, f = _security_filter(request)
    return selectors.filtered_security_events(request.user, f)


@login_required
def security_log(request: HttpRequest) -> HttpResponse:
    """The audit log a page at a time (the API's selector): filters, sort and cursor in the URL;
    a refusal is the styled 403 page (core.http)."""
    form, f = _security_filter(request)
    req = paging.parse_params(selectors.SECURITY_SORTS, request.GET)
    found = selectors.security_events_page(request.user, f, req)
    return render(
        request,
        "org/security_log.html",
        {
            "form": form,
            "page": found,
            "pager": paging.pager(request.GET, found, selectors.SECURITY_SORTS),
        },
    )


@login_required
def security_log_xlsx(request: HttpRequest) -> HttpResponse:
    from openpyxl import Workbook

    events = _events(request)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("安全审计"))
    sheet.append([_("时间"), _("事件"), _("用户名"), _("来源地址"), _("对象"), _("详情")])
    labels = dict(audit.EventKind.choices)
    for e in events.iterator():
        at = timezone.localtime(e.at).replace(tzinfo=None)
        sheet.append([at, str(labels.get(e.kind, e.kind)), e.username, e.ip, e.target, e.detail])
    out = io.BytesIO()
    book.save(out)
    audit.record(audit.EventKind.EXPORT, request=request, target=_("安全审计记录"))
    name = f"security-log-{dt.date.today():%Y%m%d}.xlsx"  # noqa: DTZ011 - a file name
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (the cookie, back to `next`), and the choice kept on the user."""
    response = django_set_language(request)
    if request.user.is_authenticated:
        try:
            remember_language(actor=request.user, language=request.POST.get("language", ""))
        except GongjianError as exc:
            flash_error(request, exc)
    return response
