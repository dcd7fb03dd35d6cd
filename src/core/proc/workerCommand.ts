/**
 * Which processes of a tree are data-loading workers, judged by their command lines: a worker is a
 * fork of the main process (same command line, no exec), a `multiprocessing` child started with the
 * spawn method, or a fork of a forkserver. The multiprocessing helpers themselves are not workers.
 */

import type { StartMethod } from '../../shared/model';

const HELPER_MARKERS = [
  'multiprocessing.resource_tracker',
  'multiprocessing.forkserver',
  'semaphore_tracker',
];
const SPAWN_MARKERS = ['multiprocessing.spawn', 'spawn_main'];

function sameCommand(a: readonly string[], b: readonly string[]): boolean {
  return a.length > 0 && a.length === b.length && a.every((arg, i) => arg === b[i]);
}

export function isHelperCommand(cmdline: readonly string[]): boolean {
  return cmdline.some((arg) => HELPER_MARKERS.some((m) => arg.includes(m)));
}

export function isWorkerCommand(
  cmdline: readonly string[],
  rootCmdline: readonly string[],
  parentCmdline: readonly string[] | null,
): boolean {
  const forkOfForkserver =
    parentCmdline !== null &&
    parentCmdline.some((arg) => arg.includes('multiprocessing.forkserver')) &&
    sameCommand(cmdline, parentCmdline);
  if (forkOfForkserver) return true;
  if (isHelperCommand(cmdline)) return false;
  if (sameCommand(cmdline, rootCmdline)) return true;
  return cmdline.some((arg) => SPAWN_MARKERS.some((m) => arg.includes(m)));
}

/**
 * How a worker was started: a spawned interpreter names `multiprocessing.spawn` on its command line,
 * a fork of the forkserver carries the forkserver's, and a plain fork keeps the main process's.
 */
export function workerStartMethod(
  cmdline: readonly string[],
  rootCmdline: readonly string[],
  parentCmdline: readonly string[] | null,
): StartMethod | null {
  if (cmdline.some((arg) => arg.includes('multiprocessing.forkserver'))) return 'forkserver';
  if (parentCmdline?.some((arg) => arg.includes('multiprocessing.forkserver'))) return 'forkserver';
  if (cmdline.some((arg) => SPAWN_MARKERS.some((m) => arg.includes(m)))) return 'spawn';
  if (sameCommand(cmdline, rootCmdline)) return 'fork';
  return null;
}
