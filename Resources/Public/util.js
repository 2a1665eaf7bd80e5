// Small helpers shared by the page's modules: formatting and a WebSocket that reconnects.

export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

/** 850 ms → "850 ms", 12_300 → "12.3 s", 95_000 → "1:35". */
export function formatDuration(ms) {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return formatClock(ms);
}

/** 95_000 → "1:35", 3_725_000 → "1:02:05". */
export function formatClock(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

export function formatPercent(probability) {
  const percent = probability * 100;
  return `${percent >= 99.95 || percent < 0.05 ? percent.toFixed(0) : percent.toFixed(1)}%`;
}

/** The lowercase extension without the dot, or "" (".bashrc" has none). */
export function extensionOf(name) {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

export function plural(count, one, many = `${one}s`) {
  return `${count} ${count === 1 ? one : many}`;
}

/** ws(s)://<this host><path>: same origin, so the server's Origin check and the CSP's 'self' hold. */
export function socketURL(path) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${path}`;
}

/**
 * A WebSocket that reconnects with capped, jittered exponential backoff until closed.
 * `onReconnecting` runs before each retry (the job view resumes there from GET /api/jobs/{id}).
 * States reported: "connecting", "live", "offline".
 */
export class ReconnectingSocket {
  constructor(url, { onMessage, onState = () => {}, onReconnecting = async () => {} }) {
    this.url = url;
    this.onMessage = onMessage;
    this.onState = onState;
    this.onReconnecting = onReconnecting;
    this.socket = null;
    this.closed = false;
    this.attempt = 0;
    this.timer = null;
  }

  start() {
    if (this.closed || this.socket) return;
    this.onState('connecting');
    let socket;
    try {
      socket = new WebSocket(this.url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.attempt = 0;
      this.onState('live');
    });
    socket.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') return;
      let message;
      try { message = JSON.parse(event.data); } catch { return; }
      if (message && typeof message === 'object') this.onMessage(message);
    });
    socket.addEventListener('close', () => {
      if (this.socket !== socket) return;  // replaced by reconnectNow()
      this.socket = null;
      if (!this.closed) this.scheduleRetry();
    });
  }

  scheduleRetry() {
    this.onState('offline');
    const delay = Math.min(15_000, 500 * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
    this.attempt += 1;
    this.timer = setTimeout(async () => {
      this.timer = null;
      if (this.closed) return;
      try { await this.onReconnecting(); } catch { /* the socket's snapshot resumes anyway */ }
      this.start();
    }, delay);
  }

  /** Connects again at once unless open (e.g. a token cookie now lets it in): no backoff wait. */
  reconnectNow() {
    if (this.closed || this.socket?.readyState === WebSocket.OPEN) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.attempt = 0;
    const stale = this.socket;
    this.socket = null;
    stale?.close();
    this.start();
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    if (this.socket) this.socket.close(1000, 'done');
    this.socket = null;
  }
}
