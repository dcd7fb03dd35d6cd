/**
 * Exports a recording's metrics while it runs: feeds every record of the Recorder to JobMetrics,
 * takes what only the report knows at most once a second (on a scrape or a textfile write), and
 * serves them over HTTP and/or writes them to a textfile.
 *
 * `open()` binds the address before anything is recorded (a busy port fails the command before the
 * job starts), `attach()` follows the recording once it runs, and `close()` after it ended
 * publishes the final counts: the textfile is rewritten and the server waits for one last scrape.
 */
import type { SessionRecord, SessionReport } from '../../shared/model';
import { JobMetrics, type HealthReading } from './jobMetrics';
import type { ListenAddress } from './listenAddress';
import { MetricsServer, type MetricsSource } from './metricsServer';
import { MetricsTextfile } from './metricsTextfile';

export interface ExporterOptions {
  listen?: ListenAddress;
  textfile?: string;
  version: string;
  /** the recording's settings.minCheckpointBytes: smaller saves are not checkpoints */
  minCheckpointBytes: number;
  /** a textfile write failed (said once per distinct failure) */
  onError?: (message: string) => void;
}

/** what the exporter needs of a live recording (a Recorder has it) */
export interface RecordingFeed {
  report(): SessionReport;
  onRecord(listener: (r: SessionRecord) => void): () => void;
}

/** report-derived values are refreshed at most this often */
const REFRESH_MS = 1000;
/** the longest the end of a recording waits for Prometheus' final scrape */
export const MAX_FINAL_SCRAPE_WAIT_MS = 30_000;

const PLAIN_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

export class MetricsExporter implements MetricsSource {
  private metrics: JobMetrics | undefined;
  private feed: RecordingFeed | undefined;
  private server: MetricsServer | undefined;
  private textfile: MetricsTextfile | undefined;
  private refreshedMs = 0;
  private unsubscribe: () => void = () => undefined;

  private constructor(private readonly options: ExporterOptions) {}

  /** binds the metrics address (if any); nothing is exported until attach() */
  static async open(options: ExporterOptions): Promise<MetricsExporter> {
    const exporter = new MetricsExporter(options);
    if (options.listen) exporter.server = await MetricsServer.start(options.listen, exporter);
    return exporter;
  }

  /** where the server listens (the port bound when 0 was asked for) */
  get address(): ListenAddress | undefined {
    return this.server?.address;
  }

  /** follows a recording that has started */
  attach(feed: RecordingFeed): void {
    const report = feed.report();
    const metrics = new JobMetrics({
      host: report.env.host,
      version: this.options.version,
      mode: report.target.mode,
      startedAtMs: Date.parse(report.startedAt),
      minCheckpointBytes: this.options.minCheckpointBytes,
    });
    this.metrics = metrics;
    this.feed = feed;
    this.unsubscribe = feed.onRecord((r) => metrics.add(r as SessionRecord | HealthReading));
    metrics.refresh(report);
    this.refreshedMs = Date.now();
    if (this.options.textfile) {
      this.textfile = new MetricsTextfile(
        this.options.textfile,
        this,
        this.options.onError ?? (() => undefined),
      );
      void this.textfile.write();
    }
  }

  get contentType(): string {
    return this.metrics?.contentType ?? PLAIN_TEXT;
  }

  async text(): Promise<string> {
    if (!this.metrics || !this.feed) return '';
    const now = Date.now();
    if (now - this.refreshedMs >= REFRESH_MS) {
      this.refreshedMs = now;
      this.metrics.refresh(this.feed.report());
    }
    return this.metrics.text();
  }

  /** how long close() may wait for the final scrape, ms (0 when nobody scrapes) */
  finalScrapeWaitMs(maxWaitMs = MAX_FINAL_SCRAPE_WAIT_MS): number {
    return this.server?.finalScrapeWaitMs(maxWaitMs) ?? 0;
  }

  /** the recording ended (or never started: no report): publish the final values, stop serving */
  async close(finalReport?: SessionReport, maxWaitMs = MAX_FINAL_SCRAPE_WAIT_MS): Promise<void> {
    this.unsubscribe();
    if (finalReport && this.metrics) {
      this.metrics.refresh(finalReport);
      this.refreshedMs = Date.now();
    }
    await this.textfile?.close();
    if (this.server) {
      if (finalReport) await this.server.finalScrapes(this.server.finalScrapeWaitMs(maxWaitMs));
      await this.server.close();
    }
  }
}
