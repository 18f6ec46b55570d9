"""Run the benchmarks: `make bench` (or `python -m bench [NAME ...]`).

Each `bench/bench_*.py` module has `run(args) -> list[Result]`; every result is a measured time
and the floor it is compared with (a bare SQL query, a raw file read) taken in the same run, so
the ratio means something on a shared, noisy machine. Figures go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import platform
import sys
from pathlib import Path

import bench


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("names", nargs="*", help="只运行这些基准（默认全部）")
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="数据规模系数：1.0 为省级规模（10 万个项目、120 万条填报；考评 1 万个单位 × 40 项指标），0.01 为其百分之一",
    )
    parser.add_argument("--database", default="both", choices=["sqlite", "postgres", "both"])
    args = parser.parse_args()
    modules = sorted(
        m.name
        for m in pkgutil.iter_modules([str(Path(bench.__file__).parent)])
        if m.name.startswith("bench_")
    )
    chosen = [m for m in modules if not args.names or m.removeprefix("bench_") in args.names]
    if not chosen:
        print("没有找到基准：bench/bench_*.py", file=sys.stderr)
        return 2
    print(
        f"# 机器：{platform.node()} · {platform.processor() or platform.machine()} · Python {platform.python_version()}"
    )
    for name in chosen:
        module = importlib.import_module(f"bench.{name}")
        for result in module.run(args):
            print(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
