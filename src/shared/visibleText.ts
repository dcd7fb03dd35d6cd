/**
 * Text from the user's disk (file names, paths, command lines) may hold anything: newlines, tabs, other
 * control characters, bidirectional overrides. The panel and every report format first make such characters visible
 * (U+2400 "control pictures", e.g. a newline shows as ␤), so one line stays one line and nothing invisible
 * can reorder or hide what a reader sees. Non-UTF-8 bytes already arrive as U+FFFD from the session reader.
 */

/** C0 and C1 controls, DEL, bidirectional marks, embeddings, overrides and isolates, line/paragraph separators */
const CONTROL = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/gu;

export function visibleText(s: string): string {
  // a damaged value that is not text shows as nothing rather than "undefined" or "[object Object]"
  if (typeof s !== 'string') return typeof s === 'number' && Number.isFinite(s) ? String(s) : '';
  return s.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    if (code === 0x0a) return '\u2424';
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    if (code === 0x7f) return '\u2421';
    return '\ufffd';
  });
}

/** A command line as one string a shell user would recognize (arguments with spaces or quotes are quoted). */
export function commandLine(argv: readonly string[]): string {
  return argv.map(shellWord).join(' ');
}

function shellWord(arg: string): string {
  if (arg !== '' && /^[\w@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
