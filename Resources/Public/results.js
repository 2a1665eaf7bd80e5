// The results grid: one card per file, updated in batches once per animation frame so that
// hundreds of progress events and results cost one layout, not hundreds.

import { formatClock, formatDuration, formatPercent, plural } from './util.js';

const LIVE_SUMMARY_INTERVAL_MS = 2000;

export class ResultsView {
  /** onFlush() runs after each batch of cards is rendered (sorting and search re-apply there). */
  constructor({ grid, template, summary, elapsed, onFlush = () => {} }) {
    this.grid = grid;
    this.onFlush = onFlush;
    this.template = template;
    this.summary = summary;
    this.elapsed = elapsed;
    this.entries = [];
    this.dirty = new Set();
    this.frame = 0;
    this.startedAt = 0;
    this.finishedAt = 0;
    this.clock = 0;
    this.lastLiveUpdate = 0;
    this.liveTimer = 0;
  }

  add(entries) {
    const fragment = document.createDocumentFragment();
    for (const entry of entries) {
      entry.view = this.createCard(entry);
      fragment.append(entry.view.card);
      this.entries.push(entry);
      this.dirty.add(entry);
    }
    this.grid.append(fragment);
    if (!this.startedAt || this.finishedAt) {
      this.startedAt = this.startedAt || performance.now();
      this.finishedAt = 0;
      this.startClock();
    }
    this.schedule();
  }

  update(entries) {
    for (const entry of entries) this.dirty.add(entry);
    this.schedule();
  }

  clear() {
    for (const entry of this.entries) {
      if (entry.thumbURL) URL.revokeObjectURL(entry.thumbURL);
      entry.thumbURL = null;
    }
    this.entries = [];
    this.dirty.clear();
    this.grid.replaceChildren();
    this.startedAt = 0;
    this.finishedAt = 0;
    clearInterval(this.clock);
    this.clock = 0;
    this.elapsed.textContent = '';
    this.summary.textContent = 'No images yet.';
  }

  schedule() {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.flush());
  }

  flush() {
    this.frame = 0;
    for (const entry of this.dirty) this.render(entry);
    this.dirty.clear();
    this.renderSummary();
    this.onFlush();
  }

  /** For a job reopened after a reload: its clock runs from when it was submitted (and stops
   * when its last result came), not from when this page showed it. */
  resumeClock(startedAgoMs, finishedAgoMs = null) {
    const now = performance.now();
    this.startedAt = Math.min(this.startedAt || now, now - startedAgoMs);
    this.finishedAt = finishedAgoMs === null ? 0 : Math.max(this.finishedAt, now - finishedAgoMs);
    if (this.finishedAt) {
      clearInterval(this.clock);
      this.clock = 0;
      this.renderElapsed();
    } else {
      this.startClock();
    }
  }

  createCard(entry) {
    const card = this.template.content.firstElementChild.cloneNode(true);
    const view = {
      card,
      img: card.querySelector('.thumb'),
      name: card.querySelector('.file-name'),
      status: card.querySelector('.status'),
      progress: card.querySelector('.file-progress'),
      confidence: card.querySelector('.confidence'),
      fill: card.querySelector('.bar-fill'),
      value: card.querySelector('.confidence-value'),
      meta: card.querySelector('.meta'),
      top5: card.querySelector('.top5'),
      top5List: card.querySelector('.top5 ol'),
      shown: {},
    };
    view.name.textContent = entry.name;
    view.name.title = entry.path;
    view.progress.setAttribute('aria-label', `Upload of ${entry.name}`);
    card.querySelector('.thumb-box').setAttribute('aria-label', `View ${entry.name} larger`);
    if (!entry.file) {  // reopened after a reload: the page no longer has the file
      view.img.hidden = true;
      card.classList.add('no-thumbnail');
      return view;
    }
    // The object URL lives only until the thumbnail has decoded (or failed to).
    entry.thumbURL = URL.createObjectURL(entry.file);
    const release = () => {
      if (entry.thumbURL) URL.revokeObjectURL(entry.thumbURL);
      entry.thumbURL = null;
    };
    view.img.addEventListener('load', release, { once: true });
    view.img.addEventListener('error', () => {
      release();
      view.img.hidden = true;  // the browser cannot show it; the placeholder stays (the server decides)
      view.card.classList.add('no-thumbnail');
    }, { once: true });
    view.img.src = entry.thumbURL;
    return view;
  }

  render(entry) {
    const view = entry.view;
    if (!view) return;
    const shown = view.shown;
    if (shown.state !== entry.state) {
      view.card.dataset.state = entry.state;
      shown.state = entry.state;
    }
    const status = statusText(entry);
    if (shown.status !== status) {
      view.status.textContent = status;
      shown.status = status;
    }
    if (entry.state === 'uploading' && shown.progress !== entry.progress) {
      view.progress.value = entry.progress;
      shown.progress = entry.progress;
    }
    if (entry.result && shown.result !== entry.result) {
      this.renderResult(view, entry.result);
      shown.result = entry.result;
    }
  }

  renderResult(view, result) {
    const top = Array.isArray(result.top5) ? result.top5 : [];
    const best = top.find((prediction) => prediction.label === result.label) ?? top[0];
    if (!result.error && best && Number.isFinite(best.score)) {
      // A custom property set through the CSSOM: allowed under a CSP without 'unsafe-inline'.
      view.fill.style.setProperty('--confidence', String(Math.min(1, Math.max(0, best.score))));
      view.value.textContent = formatPercent(best.score);
      view.confidence.hidden = false;
      view.confidence.title = `Confidence ${formatPercent(best.score)}`;
    }
    const meta = [];
    if (result.worker) meta.push(result.worker);
    if (Number.isFinite(result.latencyMs)) meta.push(formatDuration(result.latencyMs));
    if (!result.error && Number.isFinite(result.inferenceMs)) meta.push(`model ${formatDuration(result.inferenceMs)}`);
    view.meta.textContent = meta.join(' · ');
    if (top.length > 1) {
      const items = top.map((prediction) => {
        const item = document.createElement('li');
        const label = document.createElement('span');
        label.textContent = prediction.label;
        label.title = prediction.label;
        const score = document.createElement('span');
        score.textContent = formatPercent(prediction.score);
        item.append(label, score);
        return item;
      });
      view.top5List.replaceChildren(...items);
      view.top5.hidden = false;
    }
  }

  counts() {
    const counts = { total: this.entries.length, done: 0, failed: 0, pending: 0, uploading: 0 };
    for (const entry of this.entries) {
      if (entry.state === 'done') counts.done += 1;
      else if (entry.state === 'failed') counts.failed += 1;
      else {
        counts.pending += 1;
        if (entry.state === 'uploading' || entry.state === 'waiting') counts.uploading += 1;
      }
    }
    return counts;
  }

  renderSummary() {
    const counts = this.counts();
    if (counts.total > 0 && counts.pending === 0 && !this.finishedAt) {
      this.finishedAt = performance.now();
      clearInterval(this.clock);
      this.clock = 0;
      this.renderElapsed();
    }
    const text = counts.total === 0
      ? 'No images yet.'
      : `${plural(counts.total, 'image')}: ${counts.done} done · ${counts.failed} failed · ${counts.pending} pending`;
    if (text === this.summary.textContent) return;
    // The summary is a live region: screen readers hear it at most every two seconds, and at once
    // when the job finishes.
    const now = performance.now();
    const wait = LIVE_SUMMARY_INTERVAL_MS - (now - this.lastLiveUpdate);
    clearTimeout(this.liveTimer);
    if (wait <= 0 || counts.pending === 0) {
      this.summary.textContent = text;
      this.lastLiveUpdate = now;
    } else {
      this.liveTimer = setTimeout(() => this.renderSummary(), wait);
    }
  }

  startClock() {
    clearInterval(this.clock);
    this.clock = setInterval(() => this.renderElapsed(), 1000);
    this.renderElapsed();
  }

  renderElapsed() {
    if (!this.startedAt) return;
    const end = this.finishedAt || performance.now();
    const clock = formatClock(end - this.startedAt);
    this.elapsed.textContent = this.finishedAt ? `Finished in ${clock}` : `Elapsed ${clock}`;
  }
}

function statusText(entry) {
  switch (entry.state) {
    case 'waiting': return 'Waiting to upload';
    case 'uploading': return `Uploading ${Math.floor(entry.progress * 100)}%`;
    case 'queued': return 'In the queue';
    case 'done': return entry.result?.label ?? 'Done';
    case 'failed': return entry.error || 'Failed';
    default: return '';
  }
}
