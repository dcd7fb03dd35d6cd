/**
 * Memory in use vs the limit that applies to the job: the limit of its cgroup where it has one,
 * else the machine's (MemTotal − MemAvailable of MemTotal). Read once a second at most; the kernel's
 * OOM-kill counter of the cgroup is watched too, so a worker killed for memory can be named.
 */
import * as fs from 'node:fs';
import type { HealthRecord } from '../../shared/model';
import type { TreeSample } from '../proc/processTree';
import { pct, size, type HealthCheck } from './healthCheck';
import { LevelTracker, severityOf, type Change, type Level, type Thresholds } from './levels';
import { cgroupDir, cgroupMemory, parseMeminfo, type CgroupMemory, type SystemMemory } from './memoryUsage';

export const MEMORY_THRESHOLDS: Thresholds = { warning: 0.9, critical: 0.97, hysteresis: 0.03, step: 0.01 };
const EVERY_S = 1;

/** What the job can still use, for the workers' growth projection. */
export interface MemoryState {
  /** bytes the job can still allocate: the smaller of MemAvailable and the cgroup's headroom */
  headroomBytes: number;
  limitBytes: number;
  usedBytes: number;
  /** 'cgroup' when the cgroup's limit is the binding one */
  limitKind: 'cgroup' | 'system';
}

export class MemoryCheck implements HealthCheck {
  private readonly levels = new LevelTracker(MEMORY_THRESHOLDS);
  private dir: string | null | undefined;
  private lastS = -Infinity;
  private oomKills: number | null = null;
  private reported = false;
  state: MemoryState | null = null;

  constructor(private readonly meminfoPath = '/proc/meminfo') {}

  check(sample: TreeSample, s: number): HealthRecord[] {
    // the OOM-kill counter is read on every tick, the job's last one included: a kill that ends
    // the job's main process is followed by its exit within a tick, before the next 1 s reading
    if (this.dir === undefined && sample.live.length > 0) this.dir = cgroupDir(sample.live[0].pid);
    const due = s - this.lastS >= EVERY_S && sample.live.length > 0;
    if (!due && (this.dir == null || this.state === null)) return [];
    const cgroup = this.dir == null ? null : cgroupMemory(this.dir);
    const out: HealthRecord[] = [];
    if (due) {
      this.lastS = s;
      const system = readMeminfo(this.meminfoPath);
      if (system === null) return [];
      const state = memoryState(system, cgroup);
      this.state = state;
      const { level, change } = this.levels.update('job', state.usedBytes / state.limitBytes);
      if (change !== null || !this.reported) out.push(memoryRecord(s, state, level, change));
      this.reported = true;
      // no limit found yet: the job may be moved into its cgroup after it started (look again)
      if (cgroup === null) this.dir = undefined;
    }
    const state = this.state;
    const kills = cgroup?.oomKills ?? null;
    if (state !== null && kills !== null && this.oomKills !== null && kills > this.oomKills) {
      out.push({
        ...memoryRecord(s, state, 'critical', 'raised'),
        message: `the kernel's OOM killer killed ${kills - this.oomKills} process(es) of the job's cgroup (memory ${pct(state.usedBytes, state.limitBytes)}% of its ${size(state.limitBytes)} limit)`,
        oomKills: kills - this.oomKills,
      });
    }
    if (kills !== null) this.oomKills = kills;
    return out;
  }
}

/** the last look when the recording stops: an OOM kill that ended the job's root after its last tick */
export function finalOomRecords(check: MemoryCheck, s: number): HealthRecord[] {
  return check.check({ live: [], spawned: [], exited: [] } as unknown as TreeSample, s);
}

function readMeminfo(path: string): SystemMemory | null {
  try {
    return parseMeminfo(fs.readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

export function memoryState(system: SystemMemory, cgroup: CgroupMemory | null): MemoryState {
  const systemUsed = system.totalBytes - system.availableBytes;
  if (cgroup !== null && cgroup.limitBytes - cgroup.usageBytes < system.availableBytes) {
    return {
      headroomBytes: Math.max(0, cgroup.limitBytes - cgroup.usageBytes),
      limitBytes: cgroup.limitBytes,
      usedBytes: cgroup.usageBytes,
      limitKind: 'cgroup',
    };
  }
  return {
    headroomBytes: system.availableBytes,
    limitBytes: system.totalBytes,
    usedBytes: systemUsed,
    limitKind: 'system',
  };
}

function memoryRecord(s: number, m: MemoryState, level: Level, change: Change | null): HealthRecord {
  const of = m.limitKind === 'cgroup' ? "of the job's cgroup limit" : 'of the machine';
  const used = `${pct(m.usedBytes, m.limitBytes)}% of memory in use (${size(m.usedBytes)} ${of}, ${size(m.limitBytes)})`;
  const message =
    change === null
      ? `memory: ${used}`
      : change === 'recovered'
        ? `memory is back to ${used}`
        : `${used}: close to the limit, the kernel's OOM killer ends a process (often a DataLoader worker)`;
  return {
    type: 'health',
    s,
    id: 'memory',
    severity: severityOf(level),
    value: m.usedBytes,
    limit: m.limitBytes,
    unit: 'bytes',
    message,
    ...(change === 'recovered' ? { recovered: true } : {}),
  };
}
