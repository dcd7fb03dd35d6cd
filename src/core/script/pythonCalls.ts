/**
 * Just enough of Python's lexical structure to find calls in a training script: comments and
 * strings are masked (so a `DataLoader(` inside a comment is not a call), calls are read with their
 * balanced parentheses across lines, and their arguments are split at top-level commas.
 * Pure: no I/O, no vscode.
 */

export interface PythonCall {
  /** the callee as written, e.g. `torch.utils.data.DataLoader` */
  callee: string;
  /** 1-based line of the callee's first character */
  line: number;
  /** 1-based line of the closing parenthesis */
  endLine: number;
  /** 0-based column of the callee's first character */
  column: number;
  /** positional arguments, source text trimmed */
  positional: string[];
  /** keyword arguments by name, source text trimmed */
  keywords: Record<string, string>;
}

/**
 * Replaces the contents of comments and string literals with spaces (keeping quotes and line
 * breaks), so offsets and line numbers of the masked text equal the original's.
 */
export function maskCommentsAndStrings(text: string): string {
  const out = text.split('');
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') out[i++] = ' ';
      continue;
    }
    if (c === '"' || c === "'") {
      const triple = text.startsWith(c.repeat(3), i);
      const quote = triple ? c.repeat(3) : c;
      i += quote.length;
      while (i < text.length && !text.startsWith(quote, i)) {
        if (!triple && text[i] === '\n') break; // unterminated single-line string
        if (text[i] === '\\') {
          if (text[i + 1] !== '\n') out[i + 1] = ' ';
          out[i] = ' ';
          i += 2;
          continue;
        }
        if (text[i] !== '\n') out[i] = ' ';
        i++;
      }
      i += text.startsWith(quote, i) ? quote.length : 0;
      continue;
    }
    i++;
  }
  return out.join('');
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return starts;
}

function lineOf(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** Offset of the parenthesis closing the one at `open` (in masked text), or -1. */
function closingParen(masked: string, open: number): number {
  let depth = 0;
  for (let i = open; i < masked.length; i++) {
    const c = masked[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** Splits `a, b=(1, 2), c` at top-level commas; returns [start, end) offsets of each part. */
function splitTopLevel(masked: string, from: number, to: number): [number, number][] {
  const parts: [number, number][] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < to; i++) {
    const c = masked[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      parts.push([start, i]);
      start = i + 1;
    }
  }
  parts.push([start, to]);
  return parts;
}

const KEYWORD = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)/;

/** A parsed script: its text, its masked twin, and every call whose callee matches `pattern`. */
export function findCalls(
  text: string,
  calleePattern: RegExp,
  masked = maskCommentsAndStrings(text),
): PythonCall[] {
  const starts = lineStarts(text);
  const calls: PythonCall[] = [];
  const re = /([A-Za-z_][A-Za-z0-9_]*(?:\s*\.\s*[A-Za-z_][A-Za-z0-9_]*)*)\s*\(/g;
  for (let m = re.exec(masked); m !== null; m = re.exec(masked)) {
    const callee = m[1].replace(/\s+/g, '');
    if (m.index > 0 && masked[m.index - 1] === '.') continue; // tail of a longer attribute chain
    if (!calleePattern.test(callee)) continue;
    const open = m.index + m[0].length - 1;
    const close = closingParen(masked, open);
    if (close < 0) continue;
    const positional: string[] = [];
    const keywords: Record<string, string> = {};
    for (const [a, b] of splitTopLevel(masked, open + 1, close)) {
      const source = text.slice(a, b);
      if (masked.slice(a, b).trim() === '' && source.trim() === '') continue;
      const kw = KEYWORD.exec(masked.slice(a, b));
      if (kw) keywords[kw[1]] = source.slice(kw[0].length).trim();
      else positional.push(source.trim());
    }
    const line = lineOf(starts, m.index);
    calls.push({
      callee,
      line,
      endLine: lineOf(starts, close),
      column: m.index - starts[line - 1],
      positional,
      keywords,
    });
  }
  return calls;
}

/** The value of a plain string literal (`'x'`, `"x"`, `r'x'`), or undefined for anything else. */
export function stringLiteral(expr: string | undefined): string | undefined {
  if (expr === undefined) return undefined;
  const m = /^([rRuU]?)(['"])((?:\\.|(?!\2).)*)\2$/s.exec(expr.trim());
  if (!m) return undefined;
  return m[1].toLowerCase() === 'r' ? m[3] : m[3].replace(/\\(.)/g, '$1');
}

/** `NAME = 'literal'` assignments at any indentation (last one wins). */
export function literalAssignments(text: string): Map<string, string> {
  const found = new Map<string, string>();
  const re =
    /^[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*(?::[^=\n]+)?=[ \t]*([rRuU]?(['"])(?:\\.|(?!\3).)*\3)[ \t]*(?:#.*)?$/gm;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const value = stringLiteral(m[2]);
    if (value !== undefined) found.set(m[1], value);
  }
  return found;
}
