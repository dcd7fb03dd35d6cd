/**
 * Which processes of a training job's tree are its ranks (one process per GPU in DDP, each driving its
 * own DataLoader) and which one is a launcher (torchrun, `mp.spawn`, `start_processes`, `accelerate
 * launch`) that only waits for them.
 *
 * Evidence, strongest first:
 * - `RANK` in a process's environment (/proc/PID/environ, readable for our own user): the topmost
 *   process of the tree with a given RANK is that rank (its workers inherit the variable).
 *   Ranks forked by `start_processes` that set RANK in `os.environ` do not show it there (the file
 *   is the environment at exec), so:
 * - structure: a *driver* is a process with DataLoader workers of its own (children that are forks of
 *   it, or spawned multiprocessing children). A driver whose worker-like children are themselves
 *   drivers is a launcher, and those children are ranks.
 * Roles are sticky: a rank stays a rank between epochs when its non-persistent workers are gone, and
 * a launcher stays a launcher. The root stays `undecided` until its role is clear (it has workers
 * that have lived long enough without children of their own, or a dataset-reading loop of its own
 * is confirmed by the caller), so that callers can hold back what they measured of it meanwhile.
 *
 * Ranks are numbered by RANK where known, else by start order after the known ones.
 */
import { isHelperCommand } from './workerCommand';

export interface RankCandidate {
  pid: number;
  ppid: number;
  startMs: number;
  cmdline: readonly string[];
  /** a worker-like child of its parent (a fork of it or a spawned multiprocessing child) */
  isWorker: boolean;
  /** CPU ticks of the process itself */
  cpuTicks: number;
}

export interface RankEnv {
  rank?: number;
  localRank?: number;
  worldSize?: number;
  /** the launcher the environment names, e.g. 'torchrun' for TORCHELASTIC_* */
  launcher?: string;
}

export interface KnownRank {
  rank: number;
  pid: number;
  startMs: number;
  localRank?: number;
  worldSize?: number;
  source: 'env' | 'hook' | 'order';
  launcher?: string;
}

export type RootRole = 'undecided' | 'rank' | 'launcher';

/**
 * A root whose workers have lived this long without children of their own, while it kept computing,
 * is the job's only rank. (DDP ranks may take longer than that to create their loaders, but their
 * launcher sits blocked meanwhile.)
 */
export const ROOT_CONFIRM_MS = 4000;
/** CPU share of one core above which the root is training, not waiting for ranks */
const ROOT_BUSY_SHARE = 0.02;
const TICKS_PER_MS = 0.1;

export class RankFinder {
  private readonly ranks = new Map<number, KnownRank>();
  private readonly launchers = new Set<number>();
  private readonly envs = new Map<number, RankEnv | null>();
  private rootRoleValue: RootRole = 'undecided';
  private nextOrder = 0;
  /** worker-like children of the root seen so far: whether each ever had workers of its own */
  private readonly rootKids = new Map<number, boolean>();
  /** the root's CPU ticks over time, for its CPU share over the last ROOT_CONFIRM_MS */
  private readonly rootCpu: { atMs: number; ticks: number }[] = [];

  constructor(
    readonly rootPid: number,
    private readonly readEnv: (pid: number) => RankEnv | null,
  ) {}

  get rootRole(): RootRole {
    return this.rootRoleValue;
  }

  /** true once the tree has two or more ranks, or one rank below a launcher */
  get multiRank(): boolean {
    return this.ranks.size >= 2 || (this.launchers.size > 0 && this.ranks.size > 0);
  }

  /** ranks by number */
  list(): KnownRank[] {
    return [...this.ranks.values()].sort((a, b) => a.rank - b.rank);
  }

  rankOf(pid: number): KnownRank | undefined {
    return this.ranks.get(pid);
  }

  isLauncher(pid: number): boolean {
    return this.launchers.has(pid);
  }

  /** The caller saw the root load data itself (num_workers = 0, or exact events from it). */
  confirmRootRank(): void {
    if (this.rootRoleValue === 'undecided') this.rootRoleValue = 'rank';
  }

  /** A rank learned from inside the process (the hook's `rank`), overriding the order number. */
  setHookRank(pid: number, rank: number): void {
    const known = this.ranks.get(pid);
    if (known === undefined || known.source === 'env') return;
    known.rank = rank;
    known.source = 'hook';
  }

  /**
   * Feeds one sample of the tree (parents before children); returns the ranks recognised now
   * (new since the last call).
   */
  update(live: readonly RankCandidate[], nowMs: number): KnownRank[] {
    const byPid = new Map(live.map((p) => [p.pid, p]));
    const children = new Map<number, RankCandidate[]>();
    for (const p of live) {
      const list = children.get(p.ppid) ?? [];
      list.push(p);
      children.set(p.ppid, list);
    }
    const workerKids = (pid: number): RankCandidate[] =>
      (children.get(pid) ?? []).filter((c) => c.isWorker && !isHelperCommand(c.cmdline));
    const isDriver = (pid: number): boolean => workerKids(pid).length > 0;
    const fresh: KnownRank[] = [];
    for (const p of live) {
      if (this.ranks.has(p.pid) || this.launchers.has(p.pid)) continue;
      const env = this.envOf(p, byPid);
      const parentEnv = byPid.has(p.ppid) ? this.envOf(byPid.get(p.ppid)!, byPid) : null;
      const topmostWithRank = env?.rank !== undefined && parentEnv?.rank !== env.rank;
      const kids = workerKids(p.pid);
      if (kids.some((k) => isDriver(k.pid) || this.ranks.has(k.pid))) {
        this.launchers.add(p.pid);
        if (p.pid === this.rootPid) this.rootRoleValue = 'launcher';
        continue;
      }
      const parentIsLauncher = this.launchers.has(p.ppid);
      if (topmostWithRank || (parentIsLauncher && kids.length > 0)) {
        fresh.push(this.add(p, env, byPid));
        if (p.pid !== this.rootPid && this.rootRoleValue === 'undecided' && p.ppid === this.rootPid) {
          this.rootRoleValue = 'launcher';
          this.launchers.add(this.rootPid);
        }
      }
    }
    // children of a launcher that drive a loader are ranks too (the launcher may be found later)
    for (const launcher of this.launchers) {
      for (const kid of workerKids(launcher)) {
        if (this.ranks.has(kid.pid) || this.launchers.has(kid.pid) || !isDriver(kid.pid)) continue;
        fresh.push(this.add(kid, this.envOf(kid, byPid), byPid));
      }
    }
    // a wrapper above the launcher (a shell, `timeout`) is not a training process either
    if (this.rootRoleValue === 'undecided' && this.launchers.size > 0 && !this.ranks.has(this.rootPid)) {
      this.rootRoleValue = 'launcher';
    }
    this.decideRoot(byPid, workerKids, nowMs);
    return fresh;
  }

  private decideRoot(
    byPid: Map<number, RankCandidate>,
    workerKids: (pid: number) => RankCandidate[],
    nowMs: number,
  ): void {
    if (this.rootRoleValue !== 'undecided') return;
    const root = byPid.get(this.rootPid);
    if (root === undefined) return;
    const kids = workerKids(this.rootPid);
    for (const k of kids)
      this.rootKids.set(k.pid, (this.rootKids.get(k.pid) ?? false) || workerKids(k.pid).length > 0);
    // a child that lived long without workers of its own, or exited without ever having any, was a
    // DataLoader worker: the root loads data itself
    this.rootCpu.push({ atMs: nowMs, ticks: root.cpuTicks });
    while (this.rootCpu.length > 2 && nowMs - this.rootCpu[1].atMs >= ROOT_CONFIRM_MS) this.rootCpu.shift();
    const first = this.rootCpu[0];
    const spanMs = nowMs - first.atMs;
    const busy =
      spanMs >= ROOT_CONFIRM_MS / 2 && root.cpuTicks - first.ticks >= ROOT_BUSY_SHARE * spanMs * TICKS_PER_MS;
    const settled =
      busy &&
      (kids.some((k) => nowMs - k.startMs >= ROOT_CONFIRM_MS && workerKids(k.pid).length === 0) ||
        [...this.rootKids].some(([pid, hadKids]) => !hadKids && !byPid.has(pid)));
    if (settled) {
      this.rootRoleValue = 'rank';
      if (!this.ranks.has(this.rootPid)) this.add(root, this.envOf(root, byPid), byPid);
    }
  }

  private add(p: RankCandidate, env: RankEnv | null, byPid: Map<number, RankCandidate>): KnownRank {
    const taken = new Set([...this.ranks.values()].map((r) => r.rank));
    let rank = env?.rank;
    let source: KnownRank['source'] = 'env';
    if (rank === undefined || taken.has(rank)) {
      while (taken.has(this.nextOrder)) this.nextOrder++;
      rank = this.nextOrder++;
      source = 'order';
    }
    const known: KnownRank = { rank, pid: p.pid, startMs: p.startMs, source };
    if (env?.localRank !== undefined) known.localRank = env.localRank;
    if (env?.worldSize !== undefined) known.worldSize = env.worldSize;
    const launcher = env?.launcher ?? launcherOf(byPid.get(p.ppid)?.cmdline ?? [], p.cmdline);
    if (launcher !== undefined) known.launcher = launcher;
    this.ranks.set(p.pid, known);
    return known;
  }

  private envOf(p: RankCandidate, byPid: Map<number, RankCandidate>): RankEnv | null {
    if (!this.envs.has(p.pid)) {
      // a worker of a known rank inherits its environment: no need to read it
      const parent = byPid.get(p.ppid);
      const inherit = p.isWorker && parent !== undefined && this.envs.has(parent.pid);
      this.envs.set(p.pid, inherit ? (this.envs.get(parent.pid) ?? null) : this.readEnv(p.pid));
    }
    return this.envs.get(p.pid) ?? null;
  }

  /** forget processes that left the tree */
  prune(livePids: ReadonlySet<number>): void {
    for (const pid of this.envs.keys()) if (!livePids.has(pid)) this.envs.delete(pid);
  }
}

/** The launcher a job was started with, judged by the command lines of a rank and its parent. */
export function launcherOf(parentCmdline: readonly string[], cmdline: readonly string[]): string | undefined {
  const parent = parentCmdline.join(' ');
  if (/torchrun|torch\.distributed\.(run|launch)/.test(parent)) return 'torchrun';
  if (/\baccelerate\b/.test(parent)) return 'accelerate';
  if (/lightning|pytorch_lightning/.test(parent)) return 'lightning';
  if (cmdline.some((a) => a.includes('spawn_main'))) return 'mp.spawn';
  if (parentCmdline.length > 0) return 'mp.start_processes';
  return undefined;
}

/** RANK / LOCAL_RANK / WORLD_SIZE and launcher hints from the text of /proc/PID/environ. */
export function parseRankEnv(text: string): RankEnv | null {
  const out: RankEnv = {};
  for (const entry of text.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    const key = entry.slice(0, eq);
    const value = entry.slice(eq + 1);
    if (key === 'RANK') out.rank = intOrUndefined(value);
    else if (key === 'LOCAL_RANK') out.localRank = intOrUndefined(value);
    else if (key === 'WORLD_SIZE') out.worldSize = intOrUndefined(value);
    else if (key === 'TORCHELASTIC_RUN_ID') out.launcher = 'torchrun';
    else if (key.startsWith('ACCELERATE_') && out.launcher === undefined) out.launcher = 'accelerate';
    else if (key === 'PL_TRAINER_GPUS' || key === 'PL_GLOBAL_SEED') out.launcher ??= 'lightning';
  }
  if (out.rank === undefined) delete out.launcher;
  return out.rank === undefined ? null : out;
}

function intOrUndefined(v: string): number | undefined {
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}
