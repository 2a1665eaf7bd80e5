// Job history: the jobs this browser submitted, kept in localStorage (newest first, bounded), so a
// reload reopens them from GET /api/jobs/{id}, and older ones can be shown again or downloaded.
// The server does not list jobs to a page without a token (API.md): job ids are the secret.

import { downloadLinks } from './export.js';
import { plural } from './util.js';

const STORAGE_KEY = 'elastic-classifier.jobs';
const MAX_JOBS = 50;

export class JobHistory {
  /** onShow(jobId): the user asks to see a job again in the results grid. */
  constructor({ list, empty, onShow }) {
    this.list = list;
    this.empty = empty;
    this.onShow = onShow;
    this.jobs = load();
    list.addEventListener('click', (event) => {
      const button = event.target.closest('button[data-job]');
      if (button) this.onShow(button.dataset.job);
    });
    this.render();
  }

  /** Jobs shown in the grid when the page was left: reopened on load. */
  get openJobs() { return this.jobs.filter((job) => job.open).map((job) => job.jobId); }

  remember(jobId, total, submittedAt = Date.now()) {
    const known = this.jobs.find((job) => job.jobId === jobId);
    if (known) {
      known.open = true;
    } else {
      this.jobs.unshift({ jobId, submittedAt, open: true, counts: { total, done: 0, failed: 0, pending: total } });
      this.jobs.length = Math.min(this.jobs.length, MAX_JOBS);
    }
    this.changed();
  }

  update(jobId, { open, counts, submittedAt }) {
    const job = this.jobs.find((candidate) => candidate.jobId === jobId);
    if (!job) return;
    if (open !== undefined) job.open = open;
    if (counts) job.counts = counts;
    if (Number.isFinite(submittedAt)) job.submittedAt = submittedAt;
    this.changed();
  }

  /** The server no longer has the job (expired from S3, another server): dropped from the list. */
  forget(jobId) {
    this.jobs = this.jobs.filter((job) => job.jobId !== jobId);
    this.changed();
  }

  closeAll() {
    for (const job of this.jobs) job.open = false;
    this.changed();
  }

  changed() {
    try { localStorage.setItem(STORAGE_KEY, JSON.stringify(this.jobs)); } catch { /* private mode: this page only */ }
    this.render();
  }

  render() {
    this.empty.hidden = this.jobs.length > 0;
    const items = this.jobs.map((job) => {
      const item = document.createElement('li');
      item.className = 'history-item';
      const when = document.createElement('time');
      when.dateTime = new Date(job.submittedAt).toISOString();
      when.textContent = formatWhen(job.submittedAt);
      const counts = document.createElement('span');
      counts.className = 'history-counts';
      counts.textContent = describe(job.counts);
      const actions = document.createElement('span');
      actions.className = 'history-actions';
      const what = `the job of ${when.textContent}`;
      if (!job.open) {
        const show = document.createElement('button');
        show.type = 'button';
        show.className = 'link-button';
        show.dataset.job = job.jobId;
        show.textContent = 'Show';
        show.setAttribute('aria-label', `Show ${what}`);
        actions.append(show, ' · ');
      }
      const [csv, json] = downloadLinks(job.jobId, what);
      actions.append(csv, ' · ', json);
      item.append(when, counts, actions);
      return item;
    });
    this.list.replaceChildren(...items);
  }
}

function load() {
  try {
    const stored = JSON.parse(localStorage.getItem(STORAGE_KEY) || '[]');
    if (!Array.isArray(stored)) return [];
    return stored.filter((job) => job && /^[0-9a-f]{32}$/.test(job.jobId) && Number.isFinite(job.submittedAt))
      .slice(0, MAX_JOBS);
  } catch {
    return [];
  }
}

function describe(counts) {
  if (!counts || !Number.isFinite(counts.total)) return '';
  const parts = [plural(counts.total, 'image')];
  if (counts.done) parts.push(`${counts.done} done`);
  if (counts.failed) parts.push(`${counts.failed} failed`);
  if (counts.pending) parts.push(`${counts.pending} pending`);
  return parts.join(' · ');
}

/** "14:02" today, "3 Dec 14:02" before. */
function formatWhen(at) {
  const date = new Date(at);
  const time = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  if (date.toDateString() === new Date().toDateString()) return time;
  return `${date.toLocaleDateString([], { day: 'numeric', month: 'short' })} ${time}`;
}
