/**
 * Serves the exposition format at GET /metrics on the address given. When the recording ends the
 * server can wait until every scraper still coming (scrapers.ts) has fetched the final counts once
 * more: at most two of its scrape intervals, never longer than `maxWaitMs`, and not at all when
 * nobody is scraping.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TrainioError } from '../errors';
import type { ListenAddress } from './listenAddress';
import { Scrapers } from './scrapers';

export interface MetricsSource {
  text(): Promise<string>;
  contentType: string;
}

export class MetricsServer {
  private readonly scrapers = new Scrapers();
  /** scrapes answered */
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

  /** how long the final scrapes may take to come, ms (0 when nobody is scraping) */
  finalScrapeWaitMs(maxWaitMs: number, nowMs = Date.now()): number {
    return this.scrapers.finalWaitMs(maxWaitMs, nowMs);
  }

  /** waits until every scraper still coming has scraped again (at most `ms`); true when they did */
  finalScrapes(ms: number): Promise<boolean> {
    return this.scrapers.everyScraperAgain(ms);
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
    this.scrapers.begin(`${req.socket.remoteAddress ?? ''} ${req.headers['user-agent'] ?? ''}`);
    try {
      const body = await source.text();
      res.writeHead(200, { 'Content-Type': source.contentType, 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
      this.scrapeCount++;
      this.scrapers.answered();
    } catch (e) {
      res
        .writeHead(500, { 'Content-Type': 'text/plain' })
        .end(`${e instanceof Error ? e.message : String(e)}\n`);
    }
  }
}
