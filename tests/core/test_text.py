"""The one text check every service applies before storing what a user typed."""

import pytest

from gongjian.core.errors import ValidationFailed
from gongjian.core.text import check_text, check_texts
from gongjian.projects.models import Project


def test_nul_in_a_one_line_field_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_text(Project, "name", "新建\x00道路")
    assert "项目名称" in caught.value.message
    assert "控制字符" in caught.value.message


def test_text_longer_than_the_model_allows_is_refused_with_the_limit() -> None:
    limit = Project._meta.get_field("name").max_length
    with pytest.raises(ValidationFailed) as caught:
        check_text(Project, "name", "路" * (limit + 1))
    assert f"最长 {limit} 个字符" in caught.value.message


def test_outer_whitespace_is_stripped_and_inner_text_kept() -> None:
    assert check_text(Project, "name", "  滨海 大道 ") == "滨海 大道"


def test_line_breaks_refused_in_one_line_fields() -> None:
    with pytest.raises(ValidationFailed):
        check_text(Project, "name", "滨海\n大道")


def test_check_texts_checks_text_fields_and_leaves_the_rest() -> None:
    values = {"name": " 滨海大道 ", "total_investment_wan": 12, "not_a_field": "\x00"}
    assert check_texts(Project, values) == {
        "name": "滨海大道",
        "total_investment_wan": 12,
        "not_a_field": "\x00",
    }


def test_multi_line_text_keeps_its_line_breaks_as_newlines() -> None:
    assert check_text(Project, "description", "一、征迁\r\n二、开工") == "一、征迁\n二、开工"
