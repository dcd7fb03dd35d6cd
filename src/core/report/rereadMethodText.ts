import type { RereadMethod } from '../../shared/model';

/** How the bytes read were counted, in the report's words. */
export function rereadMethodText(method: RereadMethod | undefined): string {
  switch (method) {
    case undefined:
    case 'read':
      return 'counted from read() (rchar)';
    case 'opens':
      return 'counted from read(), capped by the dataset files opened';
    case 'mmap':
      return 'counted from the pages of the memory-mapped files';
    case 'read+mmap':
      return 'counted from read() and the memory-mapped pages';
    case 'opens+mmap':
      return 'counted from read() capped by the files opened, and the memory-mapped pages';
  }
}
