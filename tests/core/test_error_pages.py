"""Refusals on pages: one styled Chinese page per kind, saying which refusal it is, once."""

from __future__ import annotations

from django.template import loader
from django.test import RequestFactory

from gongjian.core.errors import NotFound, PermissionDenied, ValidationFailed
from gongjian.core.http import DomainErrorPages


def test_unknown_page_is_a_styled_chinese_404(client, org):
    client.force_login(org.hunan_staff)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "<h1>页面不存在</h1>" in body
    assert "攻坚行动督查考评平台" in body  # the site's own header, not a bare "Not Found"
    assert "Not Found" not in body


def test_domain_error_from_a_page_view_becomes_its_page_with_the_reason_once(org):
    request = RequestFactory().get("/dashboard/unit/56/")
    request.user = org.hunan_staff
    middleware = DomainErrorPages(lambda r: None)
    cases = [
        (NotFound("单位不存在。"), 404, "页面不存在"),
        (PermissionDenied("您无权填报该项目的进度。"), 403, "无权访问"),
        (ValidationFailed("截止日期不能早于今天。"), 422, "输入有误"),
    ]
    for error, status, title in cases:
        response = middleware.process_exception(request, error)
        assert response is not None
        assert response.status_code == status
        body = response.content.decode()
        assert f"<h1>{title}</h1>" in body
        assert body.count(error.message) == 1


def test_other_exceptions_are_left_to_django(org):
    request = RequestFactory().get("/")
    request.user = org.hunan_staff
    assert DomainErrorPages(lambda r: None).process_exception(request, KeyError("x")) is None


def test_server_error_page_renders_without_a_request_context():
    body = loader.get_template("500.html").render()
    assert "服务器出错" in body
    assert "您的操作未完成" in body
