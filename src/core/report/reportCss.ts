/**
 * Styles of the server-rendered parts of the HTML report (summary, comparison). They use the panel's
 * colour variables (media/panel.css) with fallbacks, follow the OS colour scheme, and print cleanly.
 */
export const REPORT_CSS = `
.tio-report { --r-fg: var(--tio-fg, #1f2328); --r-muted: var(--tio-muted, #656d76); --r-bg: var(--tio-bg, #ffffff);
  --r-line: rgba(127,127,127,.3); --r-red: var(--tio-red, #cf222e); --r-orange: var(--tio-orange, #bc4c00);
  --r-green: var(--tio-green, #1a7f37); --r-blue: var(--tio-blue, #0969da);
  color: var(--r-fg); max-width: 1200px; margin: 0 auto; }
/* the comparison page has no panel stylesheet: it sets its own page font and colours */
.tio-report.tio-standalone { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--r-bg);
  padding: 16px 24px; }
@media (prefers-color-scheme: dark) { .tio-report { --r-fg: var(--tio-fg, #e6edf3); --r-muted: var(--tio-muted, #9198a1);
  --r-bg: var(--tio-bg, #0d1117); } }
body:has(> .tio-standalone) { margin: 0; background: #ffffff; color-scheme: light dark; }
@media (prefers-color-scheme: dark) { body:has(> .tio-standalone) { background: #0d1117; } }
.tio-report h1 { font-size: 1.6em; margin: .2em 0; }
.tio-report h2 { font-size: 1.15em; margin: 1.4em 0 .5em; border-bottom: 1px solid var(--r-line); padding-bottom: .2em; }
.tio-report code { font: .92em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.tio-command code { font-size: 1.05em; }
.tio-meta, .tio-muted { color: var(--r-muted); }
.tio-cut { color: var(--r-orange); font-weight: 600; }
.tio-cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 10px; margin: 0; }
.tio-card { border: 1px solid var(--r-line); border-radius: 6px; padding: 8px 12px; break-inside: avoid; }
.tio-card dt { color: var(--r-muted); font-size: .85em; text-transform: uppercase; letter-spacing: .04em; }
.tio-card dd { margin: 0; }
.tio-card strong { display: block; font-size: 1.6em; font-variant-numeric: tabular-nums; }
.tio-card span { color: var(--r-muted); font-size: .9em; }
.tio-card.tio-critical strong, .tio-critical > .tio-severity { color: var(--r-red); }
.tio-card.tio-warning strong, .tio-warning > .tio-severity, span.tio-warning { color: var(--r-orange); }
.tio-card.tio-ok strong { color: var(--r-green); }
.tio-info > .tio-severity { color: var(--r-blue); }
.tio-severity { font-weight: 700; text-transform: uppercase; font-size: .8em; letter-spacing: .04em; }
.tio-advice-list { padding-left: 1.2em; }
.tio-advice { margin: .4em 0; }
.tio-evidence { color: var(--r-muted); margin: .2em 0; }
.tio-table-wrap { overflow-x: auto; }
.tio-report table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
.tio-report th, .tio-report td { border-bottom: 1px solid var(--r-line); padding: 3px 8px; text-align: left; vertical-align: top; }
.tio-report th { font-weight: 600; color: var(--r-muted); }
.tio-report .num { text-align: right; white-space: nowrap; }
.tio-facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: .3em 0; }
.tio-facts dt { color: var(--r-muted); }
.tio-facts dd { margin: 0; }
.tio-dataset { border: 1px solid var(--r-line); border-radius: 6px; padding: 4px 12px; margin: 8px 0; break-inside: avoid; }
.tio-better { color: var(--r-green); font-weight: 600; }
.tio-differs { font-weight: 600; }
.tio-svg-chart { width: 100%; max-width: 900px; height: auto; display: block; }
.tio-svg-chart text { fill: var(--r-muted); font-size: 11px; }
.tio-svg-chart .grid { stroke: var(--r-line); }
.tio-svg-chart .a { stroke: var(--r-blue); fill: none; stroke-width: 1.5; }
.tio-svg-chart .b { stroke: var(--r-orange); fill: none; stroke-width: 1.5; }
.tio-legend-a { color: var(--r-blue); font-weight: 700; }
.tio-legend-b { color: var(--r-orange); font-weight: 700; }
.tio-charts-title { margin-top: 1.6em; }
.tio-footer { color: var(--r-muted); font-size: .85em; margin-top: 2em; }
/* once the panel has drawn, it shows what the fallback summary holds (screen and print alike) */
body:has(#trainio-panel > .section) .tio-fallback { display: none; }
.tio-panel-host:empty { display: none; }
@media print {
  .tio-report { max-width: none; padding: 0; }
  .tio-report h2 { break-after: avoid; }
  .tio-report tr, .tio-card, .tio-advice { break-inside: avoid; }
}
`;
