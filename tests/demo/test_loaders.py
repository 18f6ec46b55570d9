"""The demo's loaders on an empty database (not the demo built once for its modules)."""

import pytest

from gongjian.demo.supervision_loader import DemoDataMissing, load_supervision


def test_the_loader_refuses_to_invent_projects(db):
    from gongjian.demo.org_loader import load_org

    load_org()
    with pytest.raises(DemoDataMissing, match="湖南镇在 2026-12-31 只有 0 个红灯或黄灯项目"):
        load_supervision()
