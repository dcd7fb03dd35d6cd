/**
 * `trainio record --metrics [HOST:]PORT --metrics-textfile FILE`: opens the Prometheus exporter
 * before the recording starts and publishes its final values after it ended.
 */
import { resolve } from 'node:path';
import pkg from '../../package.json';
import { authority, parseListenAddress } from '../core/metrics/listenAddress';
import { MetricsExporter } from '../core/metrics/metricsExporter';
import type { SessionReport } from '../shared/model';
import type { Settings } from '../shared/settings';
import { stringValue, type Parsed } from './args';

export const METRICS_OPTIONS = {
  metrics: { type: 'string' },
  'metrics-textfile': { type: 'string' },
} as const;

/** the exporter the options ask for, its address bound (undefined when none is asked for) */
export async function openMetrics(p: Parsed, settings: Settings): Promise<MetricsExporter | undefined> {
  const listen = stringValue(p, 'metrics');
  const textfile = stringValue(p, 'metrics-textfile');
  if (listen === undefined && textfile === undefined) return undefined;
  const exporter = await MetricsExporter.open({
    listen: listen === undefined ? undefined : parseListenAddress(listen),
    textfile: textfile === undefined ? undefined : resolve(textfile),
    version: pkg.version,
    minCheckpointBytes: settings.minCheckpointBytes,
    onError: (message) => process.stderr.write(`trainio: ${message}\n`),
  });
  if (exporter.address) {
    process.stderr.write(`trainio: metrics at http://${authority(exporter.address)}/metrics\n`);
  }
  return exporter;
}

/** final values out: the textfile rewritten, one last scrape waited for (said when it may take a while) */
export async function closeMetrics(
  exporter: MetricsExporter,
  report: SessionReport | undefined,
): Promise<void> {
  const waitMs = report ? exporter.finalScrapeWaitMs() : 0;
  if (waitMs > 2000) {
    process.stderr.write(
      `trainio: waiting up to ${Math.ceil(waitMs / 1000)} s for the final scrape of /metrics\n`,
    );
  }
  await exporter.close(report);
}
