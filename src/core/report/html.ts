/**
 * The HTML report: ONE self-contained file that needs no network. It holds a printable summary rendered
 * here as plain HTML, and the live panel's own script and styles inlined, booted from the embedded `init`
 * message (`live: false`), so the charts are the panel's charts. A strict CSP allows only the inline
 * script and styles by their hashes.
 */
import { createHash } from 'node:crypto';
import type { SessionReport } from '../../shared/model';
import { EMBEDDED_INIT_ID, type HostToWebview, type Thresholds } from '../../shared/protocol';
import { DEFAULTS } from '../../shared/settings';
import { html, scriptJson, SafeHtml } from './htmlText';
import { detailsHtml, fallbackSummaryHtml } from './htmlSummary';
import type { PanelAssets } from './panelAssets';
import { REPORT_CSS } from './reportCss';
import { downsampleSeries } from './seriesDownsample';
import { commandText } from './sessionFacts';

/** series longer than this are averaged down in the HTML (and Markdown) report */
export const MAX_HTML_POINTS = 2000;
/** id of the element the panel draws into */
export const PANEL_ROOT_ID = 'trainio-panel';

export interface HtmlOptions {
  thresholds?: Thresholds;
  title?: string;
}

export function renderHtml(report: SessionReport, assets: PanelAssets, options: HtmlOptions = {}): string {
  const title = options.title ?? `trainio — ${commandText(report)}`;
  const init: HostToWebview = {
    type: 'init',
    title,
    live: false,
    report: forEmbedding(report),
    thresholds: options.thresholds ?? {
      warningPct: DEFAULTS.stallWarningPct,
      errorPct: DEFAULTS.stallErrorPct,
    },
  };
  const body = html`<div class="tio-report">
      ${fallbackSummaryHtml(report)}
      <noscript
        ><p class="tio-muted">
          The interactive charts need JavaScript; the summary above holds every number.
        </p></noscript
      >
    </div>
    <div id="${PANEL_ROOT_ID}" class="tio-panel-host"></div>
    <div class="tio-report">
      ${detailsHtml(report)}
      <p class="tio-footer">
        trainio report (${report.schema}). Times are seconds from the session start; kB, MB, GB are powers of
        1000.
      </p>
    </div>
    <script type="application/json" id="${EMBEDDED_INIT_ID}">
      ${new SafeHtml(scriptJson(init))}
    </script>`;
  return htmlDocument(title, body, assets.css, assets.script);
}

/** The report as the panel receives it: the same, with long series averaged down. */
export function forEmbedding(report: SessionReport): SessionReport {
  return { ...report, series: downsampleSeries(report.series, MAX_HTML_POINTS) };
}

/**
 * A complete page: CSP by hashes of the inline style and script (no nonce needed in a static file),
 * nothing loaded from anywhere.
 */
export function htmlDocument(title: string, body: SafeHtml, panelCss: string, script: string | null): string {
  const style = inlineSafe(`${panelCss}\n${REPORT_CSS}`, 'style');
  const code = script === null ? null : inlineSafe(stripSourceMap(script), 'script');
  const csp = [
    "default-src 'none'",
    `style-src '${sha256(style)}'`,
    code === null ? "script-src 'none'" : `script-src '${sha256(code)}'`,
    'img-src data:',
    'font-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="trainio">
${html`<title>${title}</title>`}
<style>${style}</style>
</head>
<body class="tio-static">
${body}
${code === null ? '' : `<script>${code}</script>`}
</body>
</html>
`;
}

function sha256(text: string): string {
  return `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;
}

/**
 * Text that must not close its element early. A style element ends only at `</style`, written
 * `<\/style` (the same in CSS). A script element also changes state at `<!--`, written `\x3C!--`:
 * both escapes read the same in JavaScript strings, templates and regular expressions (unicode ones
 * included), which is where a bundle holds such text.
 */
function inlineSafe(text: string, tag: 'script' | 'style'): string {
  const closing = new RegExp(`</(${tag})`, 'gi');
  const safe = text.replace(closing, '<\\/$1');
  return tag === 'script' ? safe.replace(/<!--/g, '\\x3C!--') : safe;
}

function stripSourceMap(script: string): string {
  return script.replace(/\n\/\/# sourceMappingURL=\S*\s*$/, '\n');
}
