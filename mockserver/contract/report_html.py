"""The contract report as one self-contained HTML page, rendered from the JSON report (`report_json`) alone.

No script, no font, no image, no stylesheet from anywhere: the CSS is inline and the page works from
`file://` with the network off. Stable hooks for readers and tests: `table.coverage-matrix` per API (the first
one also `id="coverage-matrix"`), `div.violation` per violation with `data-check` and `data-operation`.
"""

from __future__ import annotations

from html import escape
from typing import Any

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1200px;padding:1rem 2rem;
color:#1b1f24;background:#fff}
h1{font-size:1.6rem;margin:.2rem 0}h2{margin-top:2rem;border-bottom:2px solid #d0d7de;padding-bottom:.2rem}
.meta{color:#57606a}.meta span{margin-right:1.2rem}
.verdict{font-size:.85rem;padding:.1rem .5rem;border-radius:1rem;vertical-align:middle;color:#fff}
.verdict-conforms{background:#1a7f37}.verdict-violations{background:#cf222e}.verdict-error{background:#9a6700}
table{border-collapse:collapse;margin:.6rem 0;font-size:13px}th,td{border:1px solid #d0d7de;padding:.25rem .5rem}
thead th{background:#f6f8fa;position:sticky;top:0}tbody th{text-align:left;font-family:ui-monospace,monospace;
font-weight:normal;white-space:nowrap}td.num{text-align:right}
.cell{text-align:center;white-space:nowrap}.cell-checked{background:#dafbe1}.cell-provoked{background:#ddf4ff}
.cell-never{background:#ffebe9;color:#82071e}.cell-none{background:#f6f8fa;color:#8c959f}
.cell-undocumented{background:#ffd8b5}tr.not-run th{color:#8c959f}
.legend span{display:inline-block;margin-right:1rem;padding:.1rem .4rem;border:1px solid #d0d7de}
pre{background:#f6f8fa;border:1px solid #d0d7de;padding:.5rem;overflow:auto;white-space:pre-wrap;
word-break:break-all;font-size:12px;max-height:24rem}
.violation{border:1px solid #d0d7de;border-left:4px solid #cf222e;padding:.4rem .8rem;margin:.6rem 0}
.violation.baselined{border-left-color:#8c959f;opacity:.85}.badge{font-size:.75rem;background:#8c959f;color:#fff;
padding:.05rem .4rem;border-radius:.5rem;margin-left:.5rem}
.check-group>h4{font-family:ui-monospace,monospace;margin-bottom:.2rem}.label{font-weight:600}
details{margin:.4rem 0}summary{cursor:pointer}
"""
_SYMBOL = {"checked": "✓", "provoked": "◐", "never": "✗"}
_WHAT = {
    "checked": "answered and checked",
    "provoked": "answered only when asked for with Prefer: code=N (the mock)",
    "never": "never answered: its contract went unchecked",
}


def render_html(report: dict[str, Any]) -> str:
    """The page for `report` (the structure `report_json.build_report` returns)."""
    apis = report.get("apis", [])
    title = "Contract report: " + ", ".join(api["name"] for api in apis)
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<header><h1>{escape(title)}</h1>{_run(report)}</header>",
    ]
    for n, api in enumerate(apis):
        parts.append(_api(api, first=n == 0))
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _run(report: dict[str, Any]) -> str:
    run = report.get("run", {})
    tool = report.get("tool", {})
    items = [
        f"generated {report.get('generated_at', '')}",
        f"{tool.get('name', 'mockserver')} {tool.get('version', '')}",
        f"seed {run.get('seed')}",
        f"max examples {run.get('max_examples')}",
        "--allow-unsafe" if run.get("allow_unsafe") else "no --allow-unsafe (a URL gets safe methods only)",
    ]
    excluded = run.get("excluded_checks") or []
    items.append("excluded checks: " + (", ".join(excluded) if excluded else "none"))
    baseline = run.get("baseline")
    items.append(f"baseline: {baseline['path']} ({baseline['entries']} known)" if baseline else "baseline: none")
    spans = "".join(f'<span class="run-{n}">{escape(str(item))}</span>' for n, item in enumerate(items))
    return f'<p class="meta" id="run">{spans}</p>'


def _api(api: dict[str, Any], *, first: bool) -> str:
    name = str(api["name"])
    verdict = str(api["verdict"])
    parts = [
        f'<section class="api" id="api-{escape(name)}" data-api="{escape(name)}">',
        f'<h2>{escape(name)} <span class="verdict verdict-{escape(verdict)}">{escape(verdict)}</span></h2>',
        f'<p class="summary">{escape(str(api["summary"]))}</p>',
    ]
    if api.get("reproduce"):
        parts.append(f'<p class="reproduce"><span class="label">Reproducing:</span> {escape(api["reproduce"])}</p>')
    parts += [f'<p class="error">Run failed: {escape(str(e))}</p>' for e in api.get("errors", [])]
    parts += ["<h3>Coverage</h3>", _matrix(api, first=first), _legend(), _exercised(api)]
    parts.append(_violations(api))
    parts.append("</section>")
    return "\n".join(parts)


def _matrix(api: dict[str, Any], *, first: bool) -> str:
    columns = [str(c) for c in api.get("statuses", [])]
    ident = "coverage-matrix" if first else f"coverage-matrix-{api['name']}"
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    rows = []
    for op in api.get("operations", []):
        cells = {str(c["status"]): c for c in op.get("cells", [])}
        tds = "".join(_cell(cells.get(column)) for column in columns)
        undocumented = ", ".join(f"{u['status']} ×{u['count']}" for u in op.get("undocumented", []))
        extra = f'<td class="cell cell-undocumented">{escape(undocumented)}</td>' if undocumented else "<td></td>"
        run = "" if op.get("run", True) else ' class="not-run" title="not run: unsafe method, no --allow-unsafe"'
        rows.append(
            f'<tr data-operation="{escape(op["operation"])}"{run}><th>{escape(op["operation"])}</th>'
            f'<td class="num">{op.get("requests", 0)}</td><td class="num">{op.get("violations", 0)}'
            + (f" (+{op['baselined']} baselined)" if op.get("baselined") else "")
            + f"</td>{tds}{extra}</tr>"
        )
    return (
        f'<table id="{escape(ident)}" class="coverage-matrix" data-api="{escape(str(api["name"]))}">'
        f"<thead><tr><th>operation</th><th>requests</th><th>violations</th>{head}<th>undocumented answers</th>"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _cell(cell: dict[str, Any] | None) -> str:
    if cell is None:
        return '<td class="cell cell-none" title="not documented for this operation">–</td>'
    outcome = str(cell["outcome"])
    count = f" {cell['count']}" if cell.get("count") else ""
    tip = f"{cell['status']}: {_WHAT.get(outcome, outcome)}; {cell.get('description', '')}"
    return (
        f'<td class="cell cell-{escape(outcome)}" data-status="{escape(str(cell["status"]))}" '
        f'data-outcome="{escape(outcome)}" title="{escape(tip)}">{_SYMBOL.get(outcome, "?")}{count}</td>'
    )


def _legend() -> str:
    spans = "".join(
        f'<span class="cell-{outcome}">{_SYMBOL[outcome]} {escape(what)}</span>' for outcome, what in _WHAT.items()
    )
    return f'<p class="legend">{spans}<span class="cell-none">– not documented</span></p>'


def _exercised(api: dict[str, Any]) -> str:
    rows = []
    for op in api.get("operations", []):
        params = ", ".join(f"{p['in']}.{p['name']} ×{p['sent']}" for p in op.get("parameters", [])) or "none"
        keywords = "; ".join(f"{k} ({', '.join(w for w in v if w) or '—'})" for k, v in op.get("keywords", {}).items())
        scenarios = ", ".join(f"{k} ×{n}" for k, n in op.get("scenarios", {}).items())
        rows.append(
            f'<tr data-operation="{escape(op["operation"])}"><th>{escape(op["operation"])}</th>'
            f'<td class="num">{op.get("cases", 0)}</td><td>{escape(params)}</td><td>{escape(keywords or "none")}</td>'
            f"<td>{escape(scenarios or 'none')}</td></tr>"
        )
    return (
        "<details><summary>Parameters and schema keywords exercised (schemathesis' generated cases)</summary>"
        '<table class="exercised"><thead><tr><th>operation</th><th>cases</th><th>parameters (cases sending it)</th>'
        "<th>keywords (where)</th><th>coverage scenarios</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></details>"
    )


def _violations(api: dict[str, Any]) -> str:
    violations = api.get("violations", [])
    new = sum(1 for v in violations if not v.get("baselined"))
    head = f"<h3>Violations: {new} new, {len(violations) - new} baselined</h3>"
    if not violations:
        return head + '<p class="none">None found.</p>'
    groups: dict[str, list[dict[str, Any]]] = {}
    for v in violations:
        groups.setdefault(str(v["check"]), []).append(v)
    parts = [head]
    for check, items in sorted(groups.items()):
        parts.append(f'<section class="check-group" data-check="{escape(check)}"><h4>{escape(check)}</h4>')
        parts += [_violation(v) for v in sorted(items, key=lambda v: str(v["operation"]))]
        parts.append("</section>")
    return "\n".join(parts)


def _violation(v: dict[str, Any]) -> str:
    baselined = bool(v.get("baselined"))
    response = v.get("response", {})
    status = response.get("status")
    contract = v.get("contract", {})
    seen = f" — seen {v['seen']} times" if v.get("seen", 1) > 1 else ""
    badge = '<span class="badge">baselined</span>' if baselined else ""
    return (
        f'<div class="violation{" baselined" if baselined else ""}" data-check="{escape(str(v["check"]))}" '
        f'data-operation="{escape(str(v["operation"]))}" data-baselined="{str(baselined).lower()}">'
        f"<h5><code>{escape(str(v['operation']))}</code> — {escape(str(v['title']))}{badge}{escape(seen)}</h5>"
        f'<pre class="message">{escape(str(v["message"]))}</pre>'
        f'<p class="label">The contract (<code>{escape(str(contract.get("pointer", "")))}</code>)</p>'
        f'<pre class="contract">{escape(str(contract.get("excerpt", "")))}</pre>'
        f'<p class="label">What came back: {escape(str(status) if status is not None else "no response")}</p>'
        f'<pre class="got">{escape(str(response.get("body_excerpt", "")))}</pre>'
        f'<p class="label">Reproduce</p><pre class="curl">{escape(str(v["reproduce"]))}</pre>'
        "</div>"
    )
