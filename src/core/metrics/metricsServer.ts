/**
 * Serves the exposition format at GET /metrics on the address given. Each scrape refreshes what
 * comes from the report first (at most once a second). When the recording ends the server can wait
 * for one more scrape, so the final counts reach Prometheus: about one scrape interval (learned from
 * the scrapes so far), never longer than `maxWaitMs`, and not at all when nobody scraped.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TrainioError } from '../errors';
import type { ListenAddress } from './listenAddress';

export interface MetricsSource {
  text(): Promise<string>;
  contentType: string;
}

/** a scraper that comes back later than this counts as gone */
const SCRAPE_GAP_SLACK = 1.5;

export class MetricsServer {
  private scrapes: number[] = [];
  private onScrape: ((seq: number) => void) | undefined;
  /** scrapes begun so far (each one numbered) */
  private begun = 0;
  scrapeCount = 0;

  private constructor(
    private readonly server: Server,
    /** where it listens (the port bound when 0 was asked for) */
    public address: ListenAddress,
  ) {}

  static async start(listen: ListenAddress, source: MetricsSource): Promise<MetricsServer> {
    const server = createServer();
    const self = new MetricsServer(server, listen);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void self.answer(req, res, source));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) =>
        reject(
          new TrainioError(
            'USAGE',
            `record: cannot serve metrics on ${listen.host}:${listen.port}: ${e.code ?? e.message}` +
              (e.code === 'EADDRINUSE' ? ' (another program listens there: choose another port)' : ''),
          ),
        ),
      );
      server.listen(listen.port, listen.host, () => resolve());
    });
    self.address = { host: listen.host, port: (server.address() as AddressInfo).port };
    return self;
  }

  /** the typical time between scrapes so far, ms (undefined before the second scrape) */
  get scrapeIntervalMs(): number | undefined {
    const s = this.scrapes;
    if (s.length < 2) return undefined;
    const gaps = s.slice(1).map((t, i) => t - s[i]);
    return gaps.sort((a, b) => a - b)[Math.floor(gaps.length / 2)];
  }

  /** how long a final scrape may take to come (0 when nobody is scraping) */
  finalScrapeWaitMs(maxWaitMs: number, nowMs = Date.now()): number {
    const interval = this.scrapeIntervalMs;
    const lastMs = this.scrapes.at(-1);
    if (interval === undefined || lastMs === undefined) return 0;
    const due = lastMs + SCRAPE_GAP_SLACK * interval - nowMs;
    return Math.max(0, Math.min(maxWaitMs, due));
  }

  /** waits for the next scrape (at most `ms`) */
  nextScrape(ms: number): Promise<boolean> {
    if (ms <= 0) return Promise.resolve(false);
    // a scrape already under way carries values from before this call: it does not count
    const after = this.begun;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.onScrape = undefined;
        resolve(false);
      }, ms);
      this.onScrape = (seq) => {
        if (seq <= after) return;
        clearTimeout(timer);
        this.onScrape = undefined;
        resolve(true);
      };
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async answer(req: IncomingMessage, res: ServerResponse, source: MetricsSource): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('GET /metrics\n');
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('trainio serves its metrics at /metrics\n');
      return;
    }
    const seq = ++this.begun;
    try {
      const body = await source.text();
      res.writeHead(200, { 'Content-Type': source.contentType, 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
      this.scrapeCount++;
      this.scrapes.push(Date.now());
      if (this.scrapes.length > 16) this.scrapes.shift();
      this.onScrape?.(seq);
    } catch (e) {
      res
        .writeHead(500, { 'Content-Type': 'text/plain' })
        .end(`${e instanceof Error ? e.message : String(e)}\n`);
    }
  }
}
