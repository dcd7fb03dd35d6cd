// Builds the bundles: extension (node, cjs, vscode external) | cli (node) | webview (browser, iife)
// | extension-host test suite. Copies the Python hook next to them so the VSIX and the CLI ship it.
import * as esbuild from 'esbuild';
import { cpSync, existsSync, rmSync, mkdirSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const node = {
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

const builds = [
  {
    ...node,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    external: ['vscode'],
  },
  {
    ...node,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    platform: 'browser',
    target: 'chrome114',
    format: 'iife',
    bundle: true,
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    entryPoints: ['webview/src/main.ts'],
    outfile: 'dist/webview/panel.js',
  },
  {
    ...node,
    entryPoints: ['test/extension/suite/index.ts'],
    outfile: 'out/test/suite/index.js',
    external: ['vscode', 'mocha'],
  },
].filter((b) => existsSync(b.entryPoints[0]));

rmSync('dist/python', { recursive: true, force: true });
if (existsSync('python')) {
  mkdirSync('dist', { recursive: true });
  cpSync('python', 'dist/python', { recursive: true, filter: (p) => !p.includes('__pycache__') });
}

// The demo (`trainio demo`) runs the reference workloads: ship them next to the CLI.
rmSync('dist/workloads', { recursive: true, force: true });
if (existsSync('test/workloads')) {
  mkdirSync('dist', { recursive: true });
  cpSync('test/workloads', 'dist/workloads', {
    recursive: true,
    filter: (p) => !p.includes('__pycache__') && !p.endsWith('.md'),
  });
}

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  // Build every bundle even when one fails (one broken entry must not hide the others), then fail.
  const results = await Promise.allSettled(builds.map((b) => esbuild.build(b)));
  if (results.some((r) => r.status === 'rejected')) process.exit(1);
}
