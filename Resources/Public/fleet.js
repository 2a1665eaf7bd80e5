// The fleet panel: /ws/fleet sends one snapshot per autoscaler tick; the panel shows the current
// counts and a chart of the last few minutes, drawn on a canvas (no chart library, no CDN).

import { ReconnectingSocket, socketURL } from './util.js';

const WINDOW_MS = 5 * 60 * 1000;
const MIN_WINDOW_MS = 60 * 1000;
const SERIES = [
  { key: 'visible', color: '--series-visible', label: 'waiting', value: (s) => s.queue.visible },
  { key: 'inFlight', color: '--series-inflight', label: 'in flight', value: (s) => s.queue.inFlight },
  { key: 'pending', color: '--series-pending', label: 'starting', value: (s) => s.instances.pending },
  { key: 'running', color: '--series-running', label: 'running', value: (s) => s.instances.running },
];

export class FleetPanel {
  constructor({ canvas, connection, explanation, counts, warmPool = null }) {
    this.canvas = canvas;
    this.warmPool = warmPool;
    this.connection = connection;
    this.explanation = explanation;
    this.counts = counts;
    this.samples = [];
    this.frame = 0;
    this.colors = null;
    this.socket = new ReconnectingSocket(socketURL('/ws/fleet'), {
      onMessage: (message) => { if (message.type === 'fleet') this.add(message); },
      onState: (state) => this.showConnection(state),
    });
    new ResizeObserver(() => this.schedule()).observe(canvas);
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
      this.colors = null;
      this.schedule();
    });
  }

  start() { this.socket.start(); }

  showConnection(state) {
    this.connection.dataset.state = state;
    this.connection.textContent = { live: 'Live', connecting: 'Connecting…', offline: 'Offline, retrying' }[state];
  }

  add(snapshot) {
    if (!isSnapshot(snapshot)) return;
    this.samples.push(snapshot);
    const horizon = snapshot.at - WINDOW_MS;
    while (this.samples.length > 0 && this.samples[0].at < horizon) this.samples.shift();
    this.counts.visible.textContent = snapshot.queue.visible;
    this.counts.inFlight.textContent = snapshot.queue.inFlight;
    this.counts.pending.textContent = snapshot.instances.pending;
    this.counts.running.textContent = snapshot.instances.running;
    const ofMaximum = document.createElement('small');
    ofMaximum.textContent = Number.isFinite(snapshot.max) ? ` / ${snapshot.max}` : '';
    const drain = drainText(snapshot);
    const drainLine = document.createElement('small');
    drainLine.className = 'drain';
    drainLine.textContent = drain ? ` (${drain})` : '';
    this.counts.desired.replaceChildren(String(snapshot.desired), ofMaximum, drainLine);
    if (typeof snapshot.explanation === 'string') this.explanation.textContent = snapshot.explanation;
    const warm = warmPoolText(snapshot);
    if (this.warmPool) {
      this.warmPool.hidden = !warm;
      this.warmPool.textContent = warm;
    }
    this.canvas.setAttribute('aria-label',
      `Fleet over the last few minutes. Now: ${snapshot.queue.visible} waiting, ${snapshot.queue.inFlight} in flight, `
      + `${snapshot.instances.pending} starting, ${snapshot.instances.running} running, desired ${snapshot.desired}`
      + `${drain ? ` (${drain})` : ''}${warm ? `; ${warm}` : ''}.`);
    this.schedule();
  }

  schedule() {
    if (!this.frame) this.frame = requestAnimationFrame(() => { this.frame = 0; this.draw(); });
  }

  readColors() {
    const style = getComputedStyle(document.documentElement);
    const read = (name) => style.getPropertyValue(name).trim();
    const colors = { grid: read('--grid-line'), text: read('--muted'), desired: read('--series-desired') };
    for (const series of SERIES) colors[series.key] = read(series.color);
    return colors;
  }

  draw() {
    const ratio = window.devicePixelRatio || 1;
    const width = this.canvas.clientWidth;
    const height = this.canvas.clientHeight;
    if (width === 0 || height === 0) return;
    if (this.canvas.width !== Math.round(width * ratio) || this.canvas.height !== Math.round(height * ratio)) {
      this.canvas.width = Math.round(width * ratio);
      this.canvas.height = Math.round(height * ratio);
    }
    this.colors ??= this.readColors();
    const colors = this.colors;
    const context = this.canvas.getContext('2d');
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);
    context.font = '11px system-ui, sans-serif';

    const samples = this.samples;
    const end = samples.length > 0 ? samples[samples.length - 1].at : Date.now();
    // The time axis grows with the history (a fresh page is not a sliver at the right edge) up to
    // five minutes; the server's clock ("at") sets it, so a skewed client clock does not matter.
    const span = Math.min(WINDOW_MS, Math.max(MIN_WINDOW_MS, samples.length > 0 ? end - samples[0].at : 0));
    const start = end - span;
    let top = 4;
    for (const sample of samples) {
      top = Math.max(top, sample.desired, sample.max ?? 0, ...SERIES.map((series) => series.value(sample)));
    }
    top = niceCeiling(top);

    const plot = { left: 34, right: width - 8, top: 8, bottom: height - 20 };
    const x = (at) => plot.left + ((at - start) / span) * (plot.right - plot.left);
    const y = (value) => plot.bottom - (value / top) * (plot.bottom - plot.top);

    // Grid and axes.
    context.strokeStyle = colors.grid;
    context.fillStyle = colors.text;
    context.lineWidth = 1;
    context.textAlign = 'right';
    context.textBaseline = 'middle';
    for (let step = 0; step <= 4; step += 1) {
      const value = (top / 4) * step;
      const lineY = Math.round(y(value)) + 0.5;
      context.beginPath();
      context.moveTo(plot.left, lineY);
      context.lineTo(plot.right, lineY);
      context.stroke();
      context.fillText(String(Math.round(value)), plot.left - 6, lineY);
    }
    context.textAlign = 'center';
    context.textBaseline = 'top';
    const tick = span <= 60_000 ? 15_000 : span <= 150_000 ? 30_000 : 60_000;
    for (let ago = 0; ago <= span; ago += tick) {
      const label = ago === 0 ? 'now' : tick < 60_000 ? `−${ago / 1000} s` : `−${ago / 60_000} min`;
      context.fillText(label, Math.min(Math.max(x(end - ago), plot.left + 18), plot.right - 12), plot.bottom + 5);
    }
    if (samples.length === 0) return;

    // The maximum, then desired (dashed), then the four series; running gets a soft area.
    const last = samples[samples.length - 1];
    if (Number.isFinite(last.max) && last.max > 0) {
      context.setLineDash([2, 3]);
      context.strokeStyle = colors.desired;
      const maxY = Math.round(y(last.max)) + 0.5;
      context.beginPath();
      context.moveTo(plot.left, maxY);
      context.lineTo(plot.right, maxY);
      context.stroke();
      context.textAlign = 'right';
      // Above the line when there is room, else below it: a maximum at the chart's top had its
      // label drawn above the canvas.
      const above = maxY - 2 - 12 >= 0;
      context.textBaseline = above ? 'bottom' : 'top';
      context.fillText(`max ${last.max}`, plot.right, above ? maxY - 2 : maxY + 3);
    }
    context.setLineDash([5, 4]);
    this.line(context, samples, x, y, (s) => s.desired, colors.desired, 1.5);
    context.setLineDash([]);

    context.beginPath();
    context.moveTo(x(samples[0].at), plot.bottom);
    for (const sample of samples) context.lineTo(x(sample.at), y(sample.instances.running));
    context.lineTo(x(last.at), plot.bottom);
    context.closePath();
    context.globalAlpha = 0.12;
    context.fillStyle = colors.running;
    context.fill();
    context.globalAlpha = 1;

    for (const series of SERIES) this.line(context, samples, x, y, series.value, colors[series.key], 2);
  }

  /** A step line: counts change at ticks, they do not glide between them. */
  line(context, samples, x, y, value, color, width) {
    context.strokeStyle = color;
    context.lineWidth = width;
    context.lineJoin = 'round';
    context.beginPath();
    samples.forEach((sample, index) => {
      const pointX = x(sample.at);
      const pointY = y(value(sample));
      if (index === 0) context.moveTo(pointX, pointY);
      else {
        context.lineTo(pointX, y(value(samples[index - 1])));
        context.lineTo(pointX, pointY);
      }
    });
    context.stroke();
  }
}

/** The SLO policy's "target 30 s, projected 24 s"; empty under the backlog policy. */
function drainText(snapshot) {
  if (!Number.isFinite(snapshot.drainTargetSeconds)) return '';
  const projected = Number.isFinite(snapshot.projectedDrainSeconds)
    ? `${Math.ceil(snapshot.projectedDrainSeconds)} s` : 'never (no capacity)';
  return `target ${Math.round(snapshot.drainTargetSeconds)} s, projected ${projected}`;
}

/**
 * "3 running · 1 starting · 5 stopped (warm pool of 5)", when the fleet has a warm pool
 * (`warmPool`, its size) or stopped instances; empty otherwise. Stopped members are not capacity,
 * so they have no box of their own among the counts.
 */
function warmPoolText(snapshot) {
  const stopped = Number.isFinite(snapshot.instances.stopped) ? snapshot.instances.stopped : 0;
  const size = Number.isFinite(snapshot.warmPool) ? snapshot.warmPool : 0;
  if (size <= 0 && stopped <= 0) return '';
  const pool = size > 0 ? `warm pool of ${size}` : 'warm';
  return `${snapshot.instances.running} running · ${snapshot.instances.pending} starting · ${stopped} stopped (${pool})`;
}

function isSnapshot(message) {
  return Number.isFinite(message.at) && message.queue && message.instances
    && Number.isFinite(message.queue.visible) && Number.isFinite(message.queue.inFlight)
    && Number.isFinite(message.instances.pending) && Number.isFinite(message.instances.running)
    && Number.isFinite(message.desired);
}

/** The chart's top: the next of 4, 8, 12, 20, 40, ... (its quarters are whole numbers). */
function niceCeiling(value) {
  const steps = [4, 8, 12, 20, 40, 60, 80, 100, 200, 400, 800, 1000];
  for (const step of steps) if (value <= step) return step;
  return Math.ceil(value / 1000) * 1000;
}
