/**
 * Advice from the health checks: `shm-size` (/dev/shm filling up), `file-descriptors` (open files
 * near the limit) and `worker-memory` (workers' private memory growing: copy-on-write of Python
 * objects). These end runs rather than slow them: nothing is claimed as saved, and a critical one
 * sorts first.
 */
import { formatBytes, formatCount } from '../../../shared/format';
import type { Advice } from '../../../shared/model';
import type { AdviceInput, HealthFinding } from './adviceInput';

interface HealthRule {
  health: string[];
  id: string;
  action: string;
}

const RULES: HealthRule[] = [
  {
    health: ['shm'],
    id: 'shm-size',
    action:
      'Give the job more shared memory (docker run --shm-size, a larger /dev/shm), lower batch_size × ' +
      'prefetch_factor × num_workers, or use torch.multiprocessing.set_sharing_strategy("file_system").',
  },
  {
    health: ['fds'],
    id: 'file-descriptors',
    action:
      'Raise the descriptor limit (ulimit -n), close files after reading them in __getitem__, or use the ' +
      '"file_system" sharing strategy.',
  },
  {
    health: ['worker-memory', 'memory'],
    id: 'worker-memory',
    action:
      'Hold the dataset’s index in arrays (numpy, torch tensors, Arrow), not Python lists or dicts: ' +
      'reference counts copy the pages into every worker.',
  },
];

const RANK = { critical: 0, warning: 1, info: 2 };

export function healthAdvice(input: AdviceInput): Advice[] {
  const out: Advice[] = [];
  for (const rule of RULES) {
    const found = (input.health ?? [])
      .filter((h) => rule.health.includes(h.id) && h.severity !== 'info')
      .sort((a, b) => RANK[a.severity] - RANK[b.severity]);
    if (found.length === 0) continue;
    const worst = found[0];
    out.push({
      id: rule.id,
      severity: worst.severity,
      message: `${sentence(worst.message)} ${rule.action}`,
      evidence: found.slice(0, 3).map(evidenceOf),
    });
  }
  return out;
}

function evidenceOf(h: HealthFinding): string {
  const amount = (x: number): string => (h.unit === 'bytes' ? formatBytes(x) : formatCount(x));
  const share = h.limit > 0 ? ` (${Math.round((100 * h.value) / h.limit)}%)` : '';
  return `${h.id}: ${amount(h.value)} of ${amount(h.limit)}${share}, ${h.severity}`;
}

function sentence(message: string): string {
  const m = message.trim();
  return /[.!?]$/.test(m) ? m : `${m}.`;
}
