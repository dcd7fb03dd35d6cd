/**
 * The arguments a user types for a launch, as a shell would split them — words, 'single' and
 * "double" quotes, backslash escapes, a leading `~` — and back (what the input box is prefilled
 * with). No variables and no globbing: what is typed is what the job receives. Pure.
 */

export type SplitResult = { args: string[] } | { error: string };

const SAFE_WORD = /^[\w@%+=:,./-]+$/;

/** `--data ~/d "a b" 'c d'` → ['--data', '/home/u/d', 'a b', 'c d'] */
export function splitArguments(text: string, home?: string): SplitResult {
  const args: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | undefined;
  let quotedStart = false;
  const finish = (): void => {
    if (!inWord) return;
    args.push(word);
    word = '';
    inWord = false;
    quotedStart = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1])) word += text[++i];
      else word += c;
      continue;
    }
    if (/\s/.test(c)) {
      finish();
      continue;
    }
    if (!inWord) {
      inWord = true;
      quotedStart = c === "'" || c === '"';
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '\\') {
      if (i + 1 < text.length) word += text[++i];
    } else if (
      c === '~' &&
      word === '' &&
      !quotedStart &&
      home &&
      /^(?:\/|\s|$)/.test(text.slice(i + 1, i + 2))
    )
      word += home;
    else word += c;
  }
  if (quote) return { error: `a ${quote === "'" ? 'single' : 'double'} quote is not closed` };
  finish();
  return { args };
}

/** One argument as it would be typed: bare when safe, else in single quotes. */
export function quoteArgument(arg: string): string {
  if (SAFE_WORD.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function joinArguments(args: readonly string[]): string {
  return args.map(quoteArgument).join(' ');
}
