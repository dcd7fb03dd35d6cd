/**
 * Escaping for Markdown as GitHub renders it (GFM), for text that sits inside a line or a table cell.
 * Nothing a user's file name holds can open a link, an image, raw HTML, emphasis or a new table column.
 */
import { visibleText } from './visibleText';

const MARKDOWN_SPECIAL = /[\\`*_[\]|~<>&$@]/g;
/** what GitHub would turn into a link by itself: `scheme://`, `www.` (and e-mail addresses, by `@` above) */
const AUTOLINK = /(\b[a-z][\w+.-]*):(?=\/\/)|(\bwww)\./gi;
/** what only means something at the start of a line: headings, list items, setext underlines, quotes */
const LINE_START = /^([#+=-]|\d+(?=[.)]))/;
const ENTITIES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;' };

/** Plain text inside a line: every character that means something to Markdown there is escaped. */
export function markdownText(s: string): string {
  return visibleText(s)
    .replace(MARKDOWN_SPECIAL, (c) => ENTITIES[c] ?? `\\${c}`)
    .replace(AUTOLINK, (_m, scheme?: string, www?: string) => (scheme ? `${scheme}\\:` : `${www}\\.`));
}

/** Plain text that starts a line: also cannot become a heading, list item or quote. */
export function markdownLine(s: string): string {
  return markdownText(s).replace(LINE_START, (m) => (/^\d/.test(m) ? m + '\\' : `\\${m}`));
}

/**
 * Inline code (paths, commands): a fence longer than any run of backticks inside. In a table cell
 * (`inTable`) `|` is escaped so the cell stays one cell (GFM unescapes `\|` inside code in tables).
 */
export function markdownCode(s: string, inTable = true): string {
  const text = inTable ? visibleText(s).replace(/\|/g, '\\|') : visibleText(s);
  if (text === '') return '` `';
  const longestRun = (text.match(/`+/g) ?? []).reduce((a, r) => Math.max(a, r.length), 0);
  const fence = '`'.repeat(longestRun + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || /^ .* $/.test(text) ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A GFM table; every cell must already be escaped. */
export function markdownTable(header: string[], rows: string[][], align?: ('l' | 'r')[]): string {
  const rule = header.map((_, i) => (align?.[i] === 'r' ? '---:' : '---'));
  return [header, rule, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
