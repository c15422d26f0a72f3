"""The `xxgk` command: thin verbs over the package."""

from __future__ import annotations

import argparse
import sys


def _print_json(obj) -> None:
    from xxgk.jsonsafe import dumps

    sys.stdout.write(dumps(obj, ensure_ascii=False, indent=2) + "\n")


def cmd_parse(args) -> int:
    from xxgk.read import ReadError, read_report

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


def cmd_run(args) -> int:
    from xxgk.batch import zygote

    if not args.dask:  # the local run's zygote imports beside this process's own
        zygote.prestart()
    try:
        return _run_years(args)
    finally:
        zygote.discard_prestarted()


def _run_years(args) -> int:
    from pathlib import Path

    from xxgk import registry
    from xxgk.batch import run as batch

    data_root = Path(args.data) if args.data else None
    problem = registry.data_folder_problem(data_root)
    if problem:
        print(f"xxgk: {problem}", file=sys.stderr)
        return 2
    years = registry.report_years(registry.data_paths(data_root)[1]) if args.year == "all" else [int(args.year)]
    where = {"data_root": data_root} if data_root else {}
    if args.out:
        where["out_dir"] = Path(args.out)
    status = 0
    for year in years:
        try:
            summary = batch.run(
                year, agency_ids=args.agency, region=args.region, jobs=args.jobs, force=args.force,
                dask_address=args.dask, timeout=args.timeout, pdf=args.pdf, **where,
            )
        except batch.RunLocked as exc:
            print(f"xxgk: {exc}", file=sys.stderr)
            return 3
        except ValueError as exc:
            print(f"xxgk: {exc}", file=sys.stderr)
            return 2
        except OSError as exc:  # a read-only or unusable output folder: the path and the reason, one line
            print(f"xxgk: {exc.filename or args.out}: 无法写入输出目录（{exc.strerror or exc}）", file=sys.stderr)
            return 2
        counts = {}
        for r in summary.results:
            counts[r.status] = counts.get(r.status, 0) + 1
        done = "，".join(f"{k} {v}" for k, v in sorted(counts.items()))
        print(f"{year}：{done}；用时 {summary.seconds:.1f}s → {summary.index_html}")
        for r in summary.failed:
            print(f"  失败 {r.agency_id}: {r.error}", file=sys.stderr)
        if summary.unregistered:
            print(f"  未登记、未审查的报告文件（agencies.csv 中没有同名机关编号）：{'、'.join(summary.unregistered)}",
                  file=sys.stderr)
        if summary.failed:
            status = 1
    return status


def cmd_review(args) -> int:
    """One agency's review notebook, executed and exported to reports/<year>/<agency>.html."""
    from pathlib import Path

    from xxgk import config, registry
    from xxgk.review.render import render_review

    problem = registry.data_folder_problem(args.data)
    if problem:
        print(f"xxgk: {problem}", file=sys.stderr)
        return 2
    from xxgk.batch.run import RunLocked, output_lock

    out = Path(args.out) if args.out else config.OUTPUT_DIR
    try:
        with output_lock(out):  # a running `xxgk run` owns the folder
            page = render_review(
                args.agency, args.year, out,
                data_dir=Path(args.data) if args.data else config.DATA_DIR, timeout=args.timeout,
            )
    except RunLocked as exc:
        print(f"xxgk: {exc}", file=sys.stderr)
        return 3
    except Exception as exc:  # the notebook's own error (unknown agency, no report...) in one line
        lines = [ln for ln in str(exc).splitlines() if ln.strip()]
        print(f"xxgk: {args.agency} {args.year}: {lines[-1] if lines else type(exc).__name__}", file=sys.stderr)
        return 1
    from xxgk.batch import handover

    print(page)
    print(handover.write_agency(page.parent, args.agency, args.year))
    if args.pdf:
        for pdf in handover.print_reviews(page.parent, [args.agency]):
            print(pdf)
    return 0


def cmd_import(args) -> int:
    """Files, folders and zip archives of downloaded reports into a data folder (see importing.py)."""
    import tempfile
    from pathlib import Path

    from xxgk import config, importing

    data_dir = Path(args.data)
    if data_dir.resolve() == config.DATA_DIR.resolve():
        print(f"xxgk: {data_dir} 是项目自带的示例数据，不能导入；请用 --data 指定另一个目录", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="xxgk-import-") as work:
        plan = importing.plan(args.paths, data_dir, Path(work), Path(args.sources) if args.sources else None)
        print(("（预演，未写入）" if args.dry_run else "") + plan.summary())
        if not args.dry_run:
            importing.apply(plan)
    return 1 if plan.skipped else 0


def cmd_check(args) -> int:
    from xxgk import registry
    from xxgk.checking import check_many, result_json, result_text
    from xxgk.config import AGENCIES_CSV, PUBLICATIONS_CSV, WAIVERS_CSV
    from xxgk.read import ReadError, read_report

    agencies_csv = args.agencies or (AGENCIES_CSV if AGENCIES_CSV.exists() else None)
    publications = registry.load_publications(args.publications or PUBLICATIONS_CSV)
    try:
        reports = [read_report(f, year=args.year) for f in args.files]
        previous = read_report(args.previous) if args.previous else None
        agencies = registry.load_agencies(agencies_csv) if agencies_csv else None
    except (ReadError, ValueError) as exc:
        print(f"xxgk: {exc}", file=sys.stderr)
        return 2
    results = check_many(reports, previous, waivers=args.waivers or (WAIVERS_CSV if WAIVERS_CSV.exists() else None),
                         agencies=agencies, publications=publications)
    if args.json:
        out = [result_json(r, f, args.all) for r, f in results]
        _print_json(out[0] if len(out) == 1 else out)
    else:
        print("\n\n".join(result_text(r, f, args.all) for r, f in results))
    # For scripts: 1 when any error-level rule failed (waived findings excepted), like a linter.
    failed = any(f.severity == "error" and f.status == "fail" and not f.waived for _, fs in results for f in fs)
    return 1 if failed else 0


def cmd_rules(args) -> int:
    from xxgk.checking import catalog_text
    from xxgk.rules import catalog

    if args.json:
        _print_json([vars(m) for m in catalog().values()])
    else:
        print(catalog_text())
    return 0


def _seconds(text: str) -> float:
    """--timeout: a finite number of seconds above zero (nan, inf, 0 and -1 would disable or break the limit)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (0 < value < float("inf")):
        raise argparse.ArgumentTypeError(f"须为大于 0 的有限秒数，实为 {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xxgk", description="政府信息公开工作年度报告审查工具")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("parse", help="parse one report file into sections and table cells")
    p.add_argument("file")
    p.add_argument("--year", type=int)
    p.add_argument("--agency")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("check", help="check report files against the rule catalog")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--year", type=int)
    p.add_argument("--previous", metavar="FILE", help="the same agency's report for the previous year")
    p.add_argument("--waivers", metavar="CSV", help="waivers file (default: data/waivers.csv)")
    p.add_argument("--agencies", metavar="CSV", help="agency registry (default: data/agencies.csv)")
    p.add_argument("--publications", metavar="CSV",
                   help="publication dates per agency and year (default: data/publications.csv)")
    p.add_argument("--all", action="store_true", help="also list passed and not assessable outcomes")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("rules", help="print the rule catalog")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_rules)

    p = sub.add_parser("run", help="review every selected agency of a year into reports/<year>/")
    p.add_argument("--year", required=True, help="report year, or 'all' for every year under data/reports")
    p.add_argument("--agency", nargs="+", help="agency ids (default: all in data/agencies.csv)")
    p.add_argument("--region")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--force", action="store_true", help="re-render even when nothing changed")
    p.add_argument("--dask", metavar="ADDRESS", help="run on a Dask cluster, e.g. tcp://host:8786")
    p.add_argument("--timeout", type=_seconds, default=300, help="seconds allowed per agency notebook")
    p.add_argument("--data", help="data folder with agencies.csv and reports/ (default: the project's data/)")
    p.add_argument("--out", help="output folder (default: the project's reports/)")
    p.add_argument("--pdf", action="store_true", help="also print each review to <agency>.pdf (headless Chromium)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("import", help="import downloaded report files, folders and zips into a data folder")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--data", required=True, help="the data folder to create or extend")
    p.add_argument("--dry-run", action="store_true", help="print the plan, write nothing")
    p.add_argument("--sources", metavar="CSV", help="a CSV of url,file: where each file was downloaded from")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("review", help="render one agency's review to reports/<year>/<agency>.html")
    p.add_argument("agency", help="agency id in data/agencies.csv")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--timeout", type=_seconds, default=300, help="seconds allowed per notebook cell")
    p.add_argument("--data", help="data folder with agencies.csv and reports/ (default: the project's data/)")
    p.add_argument("--out", help="output folder (default: the project's reports/)")
    p.add_argument("--pdf", action="store_true", help="also print the review to <agency>.pdf (headless Chromium)")
    p.set_defaults(func=cmd_review)

    from xxgk.samples import data as sample_data

    p = sub.add_parser("sample-data", help="write the fictional sample data (refuses to overwrite without --force)")
    sample_data.add_arguments(p)
    p.set_defaults(func=sample_data.run)
    return parser


def _resolve_folders(args) -> None:
    """--data and --out made absolute once, here (papermill moves the working directory), never one inside
    the other (files.run_folders); for the commands that take both."""
    if not (hasattr(args, "data") and hasattr(args, "out")):
        return
    from xxgk import config, files

    data, out = files.run_folders(args.data or config.DATA_DIR, args.out or config.OUTPUT_DIR)
    args.data, args.out = str(data), str(out)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        _resolve_folders(args)
    except ValueError as exc:
        print(f"xxgk: {exc}", file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:  # Ctrl-C: earlier pages stay whole (atomic writes); one line, the shell's 130
        print("\nxxgk: 已中断（Ctrl-C）；已写完的页面保持完整，再次运行即可继续", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
