/**
 * The fallback when a thread's system call cannot be read: the kernel function it sleeps in
 * (`/proc/PID/task/TID/wchan`). Names differ between kernel versions, so this only knows the common
 * ones and answers null for the rest; another user's process always reads '0'.
 */
import type { SyscallRole } from './syscalls';

const PATTERNS: [RegExp, SyscallRole][] = [
  [/poll|select|ep_poll|epoll/, 'multiWait'],
  [/pipe_read|pipe_wait|unix_stream_read|unix_stream_data_wait|sk_wait_data|skb_recv|wait_woken/, 'fdRead'],
  [/nanosleep|hrtimer|schedule_timeout$/, 'sleep'],
  [/futex/, 'futex'],
  [/do_wait|kernel_wait/, 'process'],
];

export function roleOfWchan(wchan: string): SyscallRole | null {
  if (wchan === '' || wchan === '0') return null;
  for (const [re, role] of PATTERNS) if (re.test(wchan)) return role;
  return 'other';
}
