"""The `xxgk` command: thin verbs over the package."""

from __future__ import annotations

import argparse
import json
import sys

from xxgk.read import ReadError, read_report


def _print_json(obj) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def cmd_parse(args) -> int:
    try:
        report = read_report(args.file, year=args.year, agency=args.agency)
    except ReadError as exc:
        print(f"xxgk: {exc}", file=sys.stderr)
        return 2
    if args.json:
        _print_json(report.to_json())
        return 0
    print(f"{report.agency or '（未识别机关）'}  {report.year or '?'}年度  格式 {report.format_version}  [{report.rendering}]")
    print(f"  年度依据：{report.year_reason}\n  格式依据：{report.version_reason}")
    for s in report.sections:
        print(f"  {s.heading}（{s.chars} 字）")
    import pandas as pd

    with pd.option_context("display.max_rows", 200, "display.max_columns", 20, "display.width", 200):
        for name in ("二", "三", "四"):
            wide = report.wide(name)
            if not wide.empty:
                print(f"\n表{name}")
                print(wide.fillna("").to_string())
    if report.notes:
        print("\n读取说明：")
        for n in report.notes:
            print(f"  - {n}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xxgk", description="政府信息公开工作年度报告审查工具")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("parse", help="parse one report file into sections and table cells")
    p.add_argument("file")
    p.add_argument("--year", type=int)
    p.add_argument("--agency")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_parse)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
