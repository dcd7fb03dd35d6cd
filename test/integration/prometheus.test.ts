/**
 * The real engine: Debian's Prometheus scrapes two trainio recorders (two real PyTorch jobs, one
 * starved by slower reads) every second; the stall per recorder that PromQL computes from the
 * counters, and the checkpoint and byte totals, are checked against each session file's own report.
 * The recorders wait for Prometheus' final scrape, so the stored totals are the sessions' totals:
 * the tolerance is rounding (0.01 points of stall), not lost samples. promtool checks a live scrape.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadSession } from '../../src/core/session/sessionReader';
import { hasCommand, hasTorch, requireTool, SYSTEM_PYTHON } from '../support/tools';
import { knobArgs, makeDataset, tempDir, workloadScript } from '../support/workloads';
import { finished, ROOT, spawnCli, waitFor } from './cliRun';

/** the PromQL of docs/metrics.md (one expression per promql block) and of the Grafana dashboard */
function documentedQueries(): string[] {
  const docs = readFileSync(join(ROOT, 'docs', 'metrics.md'), 'utf8');
  const blocks = [...docs.matchAll(/```promql\n([\s\S]*?)```/g)].map((m) => m[1].trim());
  const dashboard = JSON.parse(readFileSync(join(ROOT, 'docs', 'grafana', 'trainio-job.json'), 'utf8')) as {
    panels: { targets: { expr: string }[] }[];
  };
  const panels = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
  assert.ok(blocks.length >= 8 && panels.length >= 10);
  return [...blocks, ...panels].map((q) => q.replace(/\$__rate_interval/g, '5s').replace(/\$job/g, '.*'));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

interface Vector {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(promPort: number, promql: string): Promise<Vector[]> {
  const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as { status: string; data: { result: Vector[] }; error?: string };
  assert.equal(body.status, 'success', `${promql}: ${body.error}`);
  return body.data.result;
}

/** one value per scraped instance */
async function byInstance(promPort: number, promql: string): Promise<Map<string, number>> {
  return new Map((await query(promPort, promql)).map((v) => [v.metric.instance, Number(v.value[1])]));
}

void test('Prometheus scrapes two recorders: stall per recorder and totals equal the session files', async (t) => {
  if (!requireTool(t, hasCommand('prometheus', ['--version']), 'prometheus', 'apt-get install prometheus'))
    return;
  if (!requireTool(t, hasTorch(), 'PyTorch for /usr/bin/python3', 'apt-get install python3-torch')) return;
  const { dir, cleanup } = tempDir('prometheus');
  let prometheus: ChildProcess | undefined;
  try {
    const data = join(dir, 'data');
    makeDataset(data, { files: 320, minKb: 16, maxKb: 32, subdirs: 2 });
    const [promPort, ...ports] = await Promise.all([freePort(), freePort(), freePort()]);
    const targets = ports.map((p) => `127.0.0.1:${p}`);
    const config = join(dir, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global:',
        '  scrape_interval: 2s',
        '  scrape_timeout: 2s',
        'scrape_configs:',
        '  - job_name: trainio',
        '    static_configs:',
        `      - targets: [${targets.map((x) => `'${x}'`).join(', ')}]`,
        '',
      ].join('\n'),
    );
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--log.level=warn',
      ],
      { stdio: 'ignore' },
    );
    const ready = async (): Promise<boolean> =>
      fetch(`http://127.0.0.1:${promPort}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
    const deadline = Date.now() + 20_000;
    while (!(await ready())) {
      assert.ok(Date.now() < deadline, 'prometheus did not become ready in 20 s');
      await new Promise((r) => setTimeout(r, 200));
    }

    const slowReadMs = [0, 15];
    const sessions = ports.map((_, i) => join(dir, `node${i}`, 'session.trainio.jsonl'));
    const recorders = ports.map((port, i) => {
      const ckpt = join(dir, `ckpt${i}`);
      mkdirSync(ckpt, { recursive: true });
      const job = [
        SYSTEM_PYTHON,
        workloadScript('train_torch.py'),
        ...knobArgs({
          data,
          // long enough for several scrapes on a fast machine (3 epochs took 4 s, one scrape)
          epochs: 8,
          'batch-size': 16,
          'num-workers': 2,
          'compute-ms': 40,
          'slow-read-ms': slowReadMs[i],
          'ckpt-dir': ckpt,
          'ckpt-every': 16,
          'ckpt-mb': 2,
        }),
      ];
      return spawnCli(['record', '--out', sessions[i], '--metrics', String(port), '--', ...job]);
    });
    const runs = recorders.map((c) => finished(c));
    const stderr = ['', ''];
    recorders.forEach((c, i) => c.stderr?.on('data', (d: Buffer) => (stderr[i] += d.toString())));
    // a live scrape passes promtool
    await waitFor(() => stderr.every((s) => s.includes('/metrics')), 30_000, 'both recorders serving');
    let live = '';
    const loopSeen = Date.now() + 30_000;
    while (!/^trainio_loop_seconds_total\{/m.test(live)) {
      assert.ok(Date.now() < loopSeen, `no stall window in 30 s: ${live}`);
      await new Promise((r) => setTimeout(r, 500));
      live = await (await fetch(`http://${targets[0]}/metrics`)).text();
    }
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: live, encoding: 'utf8' });
    assert.equal(lint.status, 0, `promtool: ${lint.stdout}${lint.stderr}`);
    for (const [i, r] of (await Promise.all(runs)).entries()) {
      assert.equal(r.code, 0, `recorder ${i}: ${r.stderr}`);
    }

    // counters are final values: the largest sample of each series (the targets are gone, so an
    // instant query would see them stale)
    const last = (m: string): string => `max_over_time(${m}[10m])`;
    const stall = await byInstance(
      promPort,
      `100 * ${last('trainio_data_wait_seconds_total{method="exact"}')} / ${last('trainio_loop_seconds_total{method="exact"}')}`,
    );
    const checkpoints = await byInstance(
      promPort,
      `sum by (instance) (${last('trainio_checkpoints_total')})`,
    );
    const written = await byInstance(promPort, `sum by (instance) (${last('trainio_written_bytes_total')})`);
    const readCalls = await byInstance(
      promPort,
      `sum by (instance) (${last('trainio_read_bytes_total{source=~"page_cache|disk"}')})`,
    );
    const fetched = await byInstance(
      promPort,
      `sum by (instance) (${last('trainio_read_bytes_total{source=~"disk|mmap"}')})`,
    );
    const stalls: number[] = [];
    for (const [i, target] of targets.entries()) {
      const report = await loadSession(sessions[i]);
      assert.equal(report.dataStall.method, 'exact');
      const got = stall.get(target);
      assert.ok(got !== undefined, `no stall series for ${target}`);
      assert.ok(
        Math.abs(got - report.dataStall.pct!) <= 0.01,
        `${target}: PromQL ${got} vs session ${report.dataStall.pct}`,
      );
      assert.ok(report.checkpoints.length >= 3, `${target}: ${report.checkpoints.length} checkpoints`);
      assert.equal(checkpoints.get(target), report.checkpoints.length, `${target} checkpoints`);
      assert.equal(written.get(target), report.totals.writeBytes, `${target} written bytes`);
      // read() calls split into page-cache hits and disk reads: together exactly rchar; what came
      // from storage (disk + mmap) covers at least read_bytes
      assert.equal(readCalls.get(target), report.totals.rchar, `${target} read() bytes`);
      assert.ok(
        (fetched.get(target) ?? 0) >= report.totals.readBytes,
        `${target} fetched ${fetched.get(target)}`,
      );
      stalls.push(got);
    }
    // the starved job stalls more, and the documented "slowest rank" query names it
    assert.ok(stalls[1] > stalls[0], `starved ${stalls[1]} vs ${stalls[0]}`);
    const slowest = await query(
      promPort,
      `topk(1, ${last('trainio_data_wait_seconds_total{method="exact"}')} / ${last('trainio_loop_seconds_total{method="exact"}')})`,
    );
    assert.equal(slowest[0]?.metric.instance, targets[1]);
    // every query of docs/metrics.md and of the Grafana dashboard is one Prometheus accepts
    for (const promql of documentedQueries()) await query(promPort, promql);
  } finally {
    prometheus?.kill('SIGTERM');
    if (prometheus && prometheus.exitCode === null) await new Promise((r) => prometheus!.once('exit', r));
    cleanup();
  }
});
