/**
 * Who scrapes /metrics and how often, so that the end of a recording can wait until every scraper
 * still coming has fetched the final counts. A scraper is its address and User-Agent (a pair of
 * Prometheus replicas are two scrapers; a person's curl is another); its interval is the median gap
 * between its scrapes. One not seen for a few of its intervals is gone and not waited for.
 */

/** a scraper not seen for this many of its intervals counts as gone */
export const GONE_AFTER_INTERVALS = 4;
/** the interval assumed for a scraper seen only once: Prometheus' default scrape_interval */
export const ONE_SCRAPE_INTERVAL_MS = 15_000;
const MAX_SCRAPERS = 32;
const KEPT_SCRAPES = 16;

interface Scraper {
  times: number[];
  /** the number of the last scrape it began */
  lastSeq: number;
}

export class Scrapers {
  private readonly byKey = new Map<string, Scraper>();
  private seq = 0;
  private waiter: (() => void) | undefined;

  /** a scrape begins; returns its number */
  begin(key: string, nowMs = Date.now()): number {
    const seq = ++this.seq;
    let s = this.byKey.get(key);
    if (!s) {
      if (this.byKey.size >= MAX_SCRAPERS) this.byKey.delete(this.byKey.keys().next().value as string);
      s = { times: [], lastSeq: 0 };
      this.byKey.set(key, s);
    }
    s.times.push(nowMs);
    if (s.times.length > KEPT_SCRAPES) s.times.shift();
    s.lastSeq = seq;
    return seq;
  }

  /** a scrape was answered: a final-scrape wait may be over */
  answered(): void {
    this.waiter?.();
  }

  /** the scrapers still coming, with their intervals (ms) */
  active(nowMs = Date.now()): { key: string; intervalMs: number; lastSeq: number }[] {
    const out = [];
    for (const [key, s] of this.byKey) {
      if (s.times.length === 0) continue;
      // seen once (a short recording): its interval is not known yet — assume Prometheus' default
      const gaps = s.times.slice(1).map((t, i) => t - s.times[i]);
      const intervalMs =
        gaps.length === 0 ? ONE_SCRAPE_INTERVAL_MS : gaps.sort((a, b) => a - b)[Math.floor(gaps.length / 2)];
      if (nowMs - s.times.at(-1)! <= GONE_AFTER_INTERVALS * intervalMs)
        out.push({ key, intervalMs, lastSeq: s.lastSeq });
    }
    return out;
  }

  /** how long the final scrapes may take: two of the slowest active scraper's intervals (0: none) */
  finalWaitMs(maxWaitMs: number, nowMs = Date.now()): number {
    const active = this.active(nowMs);
    if (active.length === 0) return 0;
    return Math.min(maxWaitMs, 2 * Math.max(...active.map((a) => a.intervalMs)));
  }

  /** resolves true once every active scraper began a scrape after this call, false after `ms` */
  everyScraperAgain(ms: number): Promise<boolean> {
    const pending = new Map(this.active().map((a) => [a.key, a.lastSeq]));
    if (ms <= 0 || pending.size === 0) return Promise.resolve(pending.size === 0);
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        this.waiter = undefined;
        resolve(ok);
      };
      const timer = setTimeout(() => done(false), ms);
      this.waiter = () => {
        for (const [key, seq] of pending) if ((this.byKey.get(key)?.lastSeq ?? 0) > seq) pending.delete(key);
        if (pending.size === 0) done(true);
      };
    });
  }
}
