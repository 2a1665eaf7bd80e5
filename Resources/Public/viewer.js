// The image viewer: a card opens a modal <dialog> with the image larger and its top-5 with bars.
// The image comes from the file the user picked (an object URL, released on close); a job
// reopened after a reload has no file any more, and the viewer says so.

import { formatDuration, formatPercent } from './util.js';

export class ImageViewer {
  constructor(dialog) {
    this.dialog = dialog;
    this.title = dialog.querySelector('.viewer-title');
    this.image = dialog.querySelector('.viewer-image img');
    this.noImage = dialog.querySelector('.viewer-no-image');
    this.status = dialog.querySelector('.viewer-status');
    this.top5 = dialog.querySelector('.viewer-top5');
    this.meta = dialog.querySelector('.viewer-meta');
    this.url = null;
    dialog.querySelector('.viewer-close').addEventListener('click', () => dialog.close());
    // A click on the backdrop (outside the dialog's box) closes it too.
    dialog.addEventListener('click', (event) => { if (event.target === dialog) dialog.close(); });
    dialog.addEventListener('close', () => this.release());
  }

  show(entry) {
    this.release();
    this.title.textContent = entry.name;
    if (entry.file) {
      this.url = URL.createObjectURL(entry.file);
      this.image.src = this.url;
      this.image.alt = entry.result?.label ? `${entry.name}, classified as ${entry.result.label}` : entry.name;
    }
    this.image.hidden = !entry.file;
    this.noImage.hidden = Boolean(entry.file);
    const result = entry.result;
    this.status.textContent = result ? (result.error ? `Failed: ${result.error}` : result.label ?? 'Done')
      : entry.error || 'Not classified yet';
    const top = Array.isArray(result?.top5) ? result.top5 : [];
    this.top5.replaceChildren(...top.map((prediction) => {
      const item = document.createElement('li');
      const label = document.createElement('span');
      label.className = 'viewer-label';
      label.textContent = prediction.label;
      const score = document.createElement('span');
      score.className = 'viewer-score numeric';
      score.textContent = formatPercent(prediction.score);
      const bar = document.createElement('span');
      bar.className = 'bar';
      bar.setAttribute('aria-hidden', 'true');
      const fill = document.createElement('span');
      fill.className = 'bar-fill';
      fill.style.setProperty('--confidence', String(Math.min(1, Math.max(0, prediction.score))));
      bar.append(fill);
      item.append(label, score, bar);
      return item;
    }));
    this.top5.hidden = top.length === 0;
    const meta = [];
    if (result?.worker) meta.push(`worker ${result.worker}`);
    if (Number.isFinite(result?.latencyMs)) meta.push(`${formatDuration(result.latencyMs)} end to end`);
    if (result && !result.error && Number.isFinite(result.inferenceMs)) meta.push(`model ${formatDuration(result.inferenceMs)}`);
    this.meta.textContent = meta.join(' · ');
    if (!this.dialog.open) this.dialog.showModal();
  }

  release() {
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = null;
    this.image.removeAttribute('src');
  }
}
