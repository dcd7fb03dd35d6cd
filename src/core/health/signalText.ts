/** Signals named the way PyTorch describes them ("is killed by signal: Bus error.") → SIGBUS. */

const SIGNAL_TEXT: [RegExp, string][] = [
  [/bus error/i, 'SIGBUS'],
  [/killed by signal: killed/i, 'SIGKILL'],
  [/segmentation fault/i, 'SIGSEGV'],
  [/killed by signal: aborted/i, 'SIGABRT'],
  [/killed by signal: terminated/i, 'SIGTERM'],
];

export function signalInText(text: string): string | undefined {
  return SIGNAL_TEXT.find(([re]) => re.test(text))?.[1];
}
