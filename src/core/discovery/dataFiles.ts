/**
 * Which of the files a job has open or mapped can be its data: not Python's modules and shared
 * libraries, not the system's files (/proc, /dev, /usr, …), not pipes or sockets, not trainio's
 * own session and hook files. Pure: decides from the path alone.
 */

/** System trees no dataset or checkpoint lives in. */
const SYSTEM_PREFIXES = [
  '/proc/',
  '/sys/',
  '/dev/',
  '/run/',
  '/usr/',
  '/lib/',
  '/lib64/',
  '/lib32/',
  '/bin/',
  '/sbin/',
  '/etc/',
  '/boot/',
  '/snap/',
  '/var/lib/',
  '/var/cache/',
];

/** Path segments of installed code and caches of code. */
const CODE_SEGMENTS = new Set([
  'site-packages',
  'dist-packages',
  '__pycache__',
  'node_modules',
  '.git',
  '.vscode-server',
  '.vscode',
  '.cursor-server',
  'conda-meta',
]);

/** Endings of code, libraries and interpreter files. */
const CODE_FILE =
  /\.(?:py|pyc|pyo|pyd|pyi|so(?:\.\d+)*|dylib|a|o|egg-link|whl)$|\/(?:python\d[\d.]*|libpython[^/]*)$/;

/** trainio's own files: session files and the hook's event stream. */
const OWN_FILE = /\.trainio\.jsonl$|\/trainio-hook-[^/]*\.jsonl$/;

/**
 * true when `path` (a descriptor's link text or a mapping's path) may be a data file of the job.
 * `exclude` lists files that are never data (the session's own files).
 */
export function mayBeData(path: string, exclude: ReadonlySet<string> = new Set()): boolean {
  if (!path.startsWith('/') || path.startsWith('/memfd:') || path.endsWith(' (deleted)')) return false;
  if (exclude.has(path) || OWN_FILE.test(path) || CODE_FILE.test(path)) return false;
  if (SYSTEM_PREFIXES.some((p) => path.startsWith(p))) return false;
  // a Python installation outside /usr: …/lib/python3.11/…, …/envs/x/lib/…
  if (/\/lib\/python\d[\d.]*\//.test(path)) return false;
  for (const segment of path.split('/')) if (CODE_SEGMENTS.has(segment)) return false;
  return true;
}

/** `flags:` of /proc/PID/fdinfo/N (octal) → opened for writing (O_WRONLY or O_RDWR). */
export function openedForWriting(fdinfo: string): boolean {
  const m = /^flags:\s*([0-7]+)/m.exec(fdinfo);
  return m !== null && (parseInt(m[1], 8) & 3) !== 0;
}
