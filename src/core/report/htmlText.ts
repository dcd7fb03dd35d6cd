/**
 * Escaping for HTML text, attribute values and JSON embedded in a `<script type="application/json">`.
 */
import { visibleText } from './visibleText';

const HTML_SPECIAL = /[&<>"']/g;
const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Safe in element text and in double- or single-quoted attribute values. */
export function htmlText(s: string): string {
  return visibleText(s).replace(HTML_SPECIAL, (c) => HTML_ENTITIES[c]);
}

/**
 * JSON that can sit inside a `<script>` element: `<`, `>`, `&` and U+2028/2029 become \u escapes, so a
 * value holding `</script>` or `<!--` cannot end the element. JSON.parse gives back the same value.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Markup that is already safe: built by the `html` tag below, never from raw strings. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlValue = SafeHtml | string | number | null | undefined | false | readonly HtmlValue[];

/**
 * Template tag that escapes every interpolated value (strings, numbers) unless it is SafeHtml; arrays
 * are joined, null/undefined/false render nothing. The only way report markup is put together.
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0];
  values.forEach((v, i) => {
    out += htmlValue(v) + strings[i + 1];
  });
  return new SafeHtml(out);
}

function htmlValue(v: HtmlValue): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map(htmlValue).join('');
  return htmlText(String(v));
}
