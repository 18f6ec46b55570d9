from hypothesis import given
from hypothesis import strategies as st

from gongjian.org.names import clean_text, name_key


def test_bracket_styles_and_traditional_characters_share_one_key():
    forms = ["区工信局(招商办)", "区工信局（招商办）", "區工信局(招商辦)", " 区工信局 ( 招商办 ) "]
    assert {name_key(f) for f in forms} == {"区工信局(招商办)"}


def test_crawl_pinyin_annotations_are_dropped():
    assert name_key("長(zhǎng)樂(lè)區(qū)") == "长乐区"
    assert name_key("營(yíng)商環(huán)境再優(yōu)化攻堅(jiān)") == "营商环境再优化攻坚"


def test_chinese_content_in_brackets_is_kept():
    assert name_key("区委组织部(人才办)") == "区委组织部(人才办)"
    assert name_key("区委组织部(人才办)") != name_key("区委组织部")


def test_doubled_commas_collapse():
    assert clean_text("湖南镇列入福州市,,长乐市") == "湖南镇列入福州市,长乐市"


@given(st.text(max_size=30))
def test_name_key_is_idempotent(text):
    assert name_key(name_key(text)) == name_key(text)
