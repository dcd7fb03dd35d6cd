/** A call site (file:line) shown as a button that reveals it in the editor — or as text without a host. */
import type { CallSite } from '../../../src/shared/model.js';
import { el } from '../dom.js';
import { baseName } from '../../../src/shared/format.js';
import type { HostConnection } from '../hostConnection.js';

export function siteText(site: CallSite): string {
  return `${baseName(site.file)}:${site.line}`;
}

export function siteLink(site: CallSite, connection: HostConnection): HTMLElement {
  const title = `${site.file}:${site.line}`;
  if (!connection.interactive) return el('span', { className: 'site', text: siteText(site), title });
  const button = el('button', {
    className: 'site-link',
    text: siteText(site),
    title: `Open ${title}`,
    attrs: { type: 'button' },
  });
  button.addEventListener('click', (event) => {
    event.stopPropagation();
    connection.post({ type: 'openSite', site: { file: site.file, line: site.line } });
  });
  return button;
}
