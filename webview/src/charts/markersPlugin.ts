/**
 * A small chart.js plugin that marks the training's structure behind the data: a line at each epoch
 * start (labelled E0, E1, …), a shaded span for each checkpoint write, and optional horizontal
 * threshold lines. Each chart gets its own instance (no global registration, no options typing).
 */
import type { Chart, Plugin } from 'chart.js';

export interface Markers {
  epochs: readonly { index: number; startS: number }[];
  checkpoints: readonly { startS: number; durationS: number }[];
  thresholds: readonly { value: number; colour: string }[];
}

export interface MarkerColours {
  epoch: string;
  label: string;
  checkpoint: string;
  font: string;
}

export interface MarkersControl {
  plugin: Plugin<'line'>;
  set(markers: Markers): void;
  setColours(colours: MarkerColours): void;
}

const MIN_SPAN_PX = 2;
const LABEL_GAP_PX = 4;
/** epoch lines closer than this to the previous one drawn are left out (a day of short epochs) */
const MIN_EPOCH_GAP_PX = 8;

function drawCheckpoints(chart: Chart, markers: Markers, colours: MarkerColours): void {
  const { ctx, chartArea: area, scales } = chart;
  const x = scales.x;
  if (!x) return;
  ctx.fillStyle = colours.checkpoint;
  for (const c of markers.checkpoints) {
    const left = x.getPixelForValue(c.startS);
    const right = Math.max(x.getPixelForValue(c.startS + c.durationS), left + MIN_SPAN_PX);
    if (right < area.left || left > area.right) continue;
    ctx.fillRect(left, area.top, right - left, area.bottom - area.top);
  }
}

function drawEpochs(chart: Chart, markers: Markers, colours: MarkerColours): void {
  const { ctx, chartArea: area, scales } = chart;
  const x = scales.x;
  if (!x) return;
  ctx.strokeStyle = colours.epoch;
  ctx.fillStyle = colours.label;
  ctx.font = colours.font;
  ctx.textBaseline = 'top';
  ctx.lineWidth = 1;
  ctx.setLineDash([4, 3]);
  let labelEnd = -Infinity;
  let lastLine = -Infinity;
  for (const e of markers.epochs) {
    const px = Math.round(x.getPixelForValue(e.startS)) + 0.5;
    if (px < area.left - 0.5 || px > area.right || px - lastLine < MIN_EPOCH_GAP_PX) continue;
    lastLine = px;
    ctx.beginPath();
    ctx.moveTo(px, area.top);
    ctx.lineTo(px, area.bottom);
    ctx.stroke();
    const label = `E${e.index}`;
    const width = ctx.measureText(label).width;
    if (px + 3 > labelEnd && px + 3 + width <= area.right) {
      ctx.fillText(label, px + 3, area.top + 2);
      labelEnd = px + 3 + width + LABEL_GAP_PX;
    }
  }
  ctx.setLineDash([]);
}

function drawThresholds(chart: Chart, markers: Markers): void {
  const { ctx, chartArea: area, scales } = chart;
  const y = scales.y;
  if (!y) return;
  ctx.lineWidth = 1;
  ctx.setLineDash([2, 3]);
  for (const t of markers.thresholds) {
    const py = Math.round(y.getPixelForValue(t.value)) + 0.5;
    if (py < area.top || py > area.bottom) continue;
    ctx.strokeStyle = t.colour;
    ctx.beginPath();
    ctx.moveTo(area.left, py);
    ctx.lineTo(area.right, py);
    ctx.stroke();
  }
  ctx.setLineDash([]);
}

export function createMarkers(colours: MarkerColours): MarkersControl {
  let markers: Markers = { epochs: [], checkpoints: [], thresholds: [] };
  let current = colours;
  const plugin: Plugin<'line'> = {
    id: 'trainioMarkers',
    beforeDatasetsDraw(chart) {
      const { ctx, chartArea: area } = chart;
      ctx.save();
      ctx.beginPath();
      ctx.rect(area.left, area.top, area.right - area.left, area.bottom - area.top);
      ctx.clip();
      drawCheckpoints(chart as unknown as Chart, markers, current);
      drawThresholds(chart as unknown as Chart, markers);
      drawEpochs(chart as unknown as Chart, markers, current);
      ctx.restore();
    },
  };
  return {
    plugin,
    set: (next) => (markers = next),
    setColours: (next) => (current = next),
  };
}
