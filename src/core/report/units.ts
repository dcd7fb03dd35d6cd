/**
 * Numbers as a reader wants them in a summary, written exactly as the live panel writes them (one
 * implementation in src/shared/format.ts). Machine formats (JSON, CSV, trace) never go through here:
 * they carry numbers unformatted.
 */
export {
  formatBytes,
  formatCount,
  formatFactor,
  formatPct,
  formatRate,
  formatDuration as formatSeconds,
} from '../../shared/format';
