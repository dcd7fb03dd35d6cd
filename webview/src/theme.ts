/**
 * The panel's colours come from VS Code's theme variables (through media/panel.css, which gives
 * fallbacks for the static report). Charts draw on a canvas, so their colours are read from the
 * computed CSS and read again whenever VS Code switches the theme (it changes the body's class).
 */

export interface Palette {
  foreground: string;
  muted: string;
  background: string;
  grid: string;
  red: string;
  orange: string;
  yellow: string;
  green: string;
  blue: string;
  purple: string;
  fontFamily: string;
  fontSize: number;
  highContrast: boolean;
}

/** body class that switches media/panel.css to print colours */
const PRINT_CLASS = 'tio-print';

type Rgba = [number, number, number, number];

let probe: HTMLElement | undefined;

/** resolves any CSS colour (names, #hex, var() results) to rgba components */
function resolveColour(value: string, fallback: string): Rgba {
  if (!probe) {
    probe = document.createElement('span');
    probe.hidden = true;
    document.body.appendChild(probe);
  }
  probe.style.color = '';
  probe.style.color = value.trim() || fallback;
  if (!probe.style.color) probe.style.color = fallback;
  const parts = getComputedStyle(probe)
    .color.match(/[\d.]+/g)
    ?.map(Number) ?? [0, 0, 0];
  return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0, parts[3] ?? 1];
}

function css(rgba: Rgba, alpha = 1): string {
  const [r, g, b, a] = rgba;
  return `rgba(${r}, ${g}, ${b}, ${+(a * alpha).toFixed(3)})`;
}

/** the colour with its opacity multiplied by `alpha` */
export function withAlpha(colour: string, alpha: number): string {
  return css(resolveColour(colour, '#808080'), alpha);
}

export function readPalette(): Palette {
  const style = getComputedStyle(document.body);
  const colour = (name: string, fallback: string): string =>
    css(resolveColour(style.getPropertyValue(name), fallback));
  const foreground = colour('--tio-fg', '#333333');
  const highContrast = document.body.classList.contains('vscode-high-contrast');
  return {
    foreground,
    muted: colour('--tio-muted', '#717171'),
    background: colour('--tio-bg', '#ffffff'),
    grid: withAlpha(foreground, highContrast ? 0.35 : 0.12),
    red: colour('--tio-red', '#e51400'),
    orange: colour('--tio-orange', '#d18616'),
    yellow: colour('--tio-yellow', '#bf8803'),
    green: colour('--tio-green', '#388a34'),
    blue: colour('--tio-blue', '#1a85ff'),
    purple: colour('--tio-purple', '#652d90'),
    fontFamily: style.fontFamily || 'sans-serif',
    fontSize: Math.max(10, Math.round(parseFloat(style.fontSize) * 0.85) || 11),
    highContrast,
  };
}

/**
 * calls `onChange` with a fresh palette when the theme changes: VS Code swaps the body's class and
 * theme attributes and rewrites its variables on the root element's style; a static report follows
 * the OS colour scheme. Returns what stops watching.
 */
export function watchTheme(onChange: (palette: Palette) => void): () => void {
  const changed = () => onChange(readPalette());
  const observer = new MutationObserver(changed);
  observer.observe(document.body, {
    attributes: true,
    attributeFilter: ['class', 'data-vscode-theme-id', 'data-vscode-theme-kind'],
  });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
  const scheme = window.matchMedia('(prefers-color-scheme: dark)');
  scheme.addEventListener('change', changed);
  // charts are pixels: redraw them in print colours before printing and back afterwards
  const printing = (on: boolean) => () => {
    document.body.classList.toggle(PRINT_CLASS, on);
    changed();
  };
  const beforePrint = printing(true);
  const afterPrint = printing(false);
  window.addEventListener('beforeprint', beforePrint);
  window.addEventListener('afterprint', afterPrint);
  return () => {
    observer.disconnect();
    scheme.removeEventListener('change', changed);
    window.removeEventListener('beforeprint', beforePrint);
    window.removeEventListener('afterprint', afterPrint);
  };
}
