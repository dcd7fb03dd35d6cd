/**
 * The HTML report inlines the live panel's own bundle (`dist/webview/panel.js`) and stylesheet
 * (`media/panel.css`), so it draws exactly the charts the panel draws. They are found next to the running
 * bundle: `dist/cli.js` and `dist/extension.js` look in `dist/webview/` and `../media/`; code run from
 * source looks in the repository's `dist/webview/` after a build.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { TrainioError } from '../errors';

export interface PanelAssets {
  script: string;
  css: string;
}

const SCRIPT = join('dist', 'webview', 'panel.js');
const CSS = join('media', 'panel.css');

/** The folder holding `dist/webview/panel.js` and `media/panel.css`: the extension's or package's root. */
export function findAssetsRoot(from: string = __dirname): string | null {
  let dir = resolve(from);
  for (let depth = 0; depth < 6; depth++) {
    if (existsSync(join(dir, SCRIPT))) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}

export async function loadPanelAssets(root: string | null = findAssetsRoot()): Promise<PanelAssets> {
  if (root === null || !existsSync(join(root, SCRIPT))) {
    throw new TrainioError(
      'UNSUPPORTED',
      `the HTML report needs the panel bundle ${SCRIPT}, which is not built: run \`npm run build\` (or export --format md).`,
    );
  }
  const [script, css] = await Promise.all([
    readFile(join(root, SCRIPT), 'utf8'),
    readFile(join(root, CSS), 'utf8').catch(() => ''),
  ]);
  return { script, css };
}
