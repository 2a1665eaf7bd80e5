// ElasticClassifier page: wires the pickers, the drop zone, the uploader, the job sockets, the
// results grid and the fleet panel. Plain ES modules served as they are: no build step, no CDN.

import { ResultsArranger } from './arrange.js';
import { Downloads } from './export.js';
import { filesFromDrop, filesFromInput, refusalReason } from './files.js';
import { FleetPanel } from './fleet.js';
import { JobHistory } from './history.js';
import { JobTracker } from './jobs.js';
import { ResultsView } from './results.js';
import { Uploader } from './upload.js';
import { ImageViewer } from './viewer.js';
import { formatBytes, plural } from './util.js';

const DEFAULT_CONFIG = {
  allowedExtensions: ['jpg', 'jpeg', 'png'],
  maxFileBytes: 20 * 1024 * 1024,
  maxFilesPerRequest: 500,
  maxRequestBytes: 1024 * 1024 * 1024,
  uploadTokenRequired: false,
};
const TOKEN_KEY = 'elastic-classifier.upload-token';
const SKIPPED_SHOWN = 200;

const $ = (id) => document.getElementById(id);

const page = {
  config: { ...DEFAULT_CONFIG },
  allEntries: [],            // every file being uploaded or classified, in the order added
  entries: new Map(),        // imageId → entry, once accepted
  nextKey: 1,
  skipped: [],
  uploadedBytes: 0,
  shownJobs: new Map(),      // jobId → images, for every job in the grid (uploaded or reopened)
  cardEntries: new WeakMap(),  // card element → entry, for the viewer
};

const view = new ResultsView({
  grid: $('result-grid'), template: $('card-template'), summary: $('summary'), elapsed: $('elapsed'),
  onFlush: () => arranger.apply(),
});
const arranger = new ResultsArranger({
  grid: $('result-grid'), search: $('result-search'), sort: $('result-sort'), status: $('search-status'),
  entries: () => view.entries,
});
const downloads = new Downloads($('downloads'));
const viewer = new ImageViewer($('viewer'));
const jobHistory = new JobHistory({ list: $('history-list'), empty: $('history-empty'), onShow: (jobId) => reopen([jobId]) });

const tracker = new JobTracker({
  getToken,
  onResults(results) {
    const changed = [];
    for (const result of results) {
      const entry = page.entries.get(result.imageId);
      if (!entry || entry.result) continue;  // shown once, whatever arrives twice
      entry.result = result;
      entry.state = result.error ? 'failed' : 'done';
      entry.error = result.error ?? null;
      changed.push(entry);
    }
    view.update(changed);
    for (const jobId of new Set(changed.map((entry) => entry.jobId))) jobHistory.update(jobId, { counts: jobCounts(jobId) });
  },
  onJobLost(jobId, reason) {
    const changed = [];
    for (const entry of page.entries.values()) {
      if (entry.jobId === jobId && entry.state === 'queued') {
        entry.state = 'failed';
        entry.error = reason;
        changed.push(entry);
      }
    }
    view.update(changed);
  },
  onConnection(state) {
    const indicator = $('results-connection');
    indicator.hidden = state === 'live';
    indicator.dataset.state = state;
    indicator.textContent = state === 'offline' ? 'Reconnecting…' : 'Connecting…';
  },
});

const uploader = new Uploader(page.config, getToken, {
  onProgress(entries) {
    view.update(entries);
    renderOverall();
  },
  onAccepted(entries, response) {
    const changed = [];
    const imageIds = [];
    for (const image of response.images) {
      const entry = entries[image.index];
      if (!entry || typeof image.imageId !== 'string') continue;
      entry.state = 'queued';
      entry.progress = 1;
      entry.jobId = response.jobId;
      entry.imageId = image.imageId;
      page.entries.set(image.imageId, entry);
      imageIds.push(image.imageId);
      changed.push(entry);
    }
    for (const rejected of response.rejected ?? []) {
      const entry = entries[rejected.index];
      if (!entry) continue;
      entry.state = 'failed';
      entry.error = `Refused: ${rejected.reason}`;
      changed.push(entry);
    }
    for (const entry of entries) {
      if (entry.state === 'uploading') {  // neither accepted nor rejected: the reply left it out
        entry.state = 'failed';
        entry.error = 'the server did not acknowledge this file';
        changed.push(entry);
      }
    }
    page.uploadedBytes += entries.reduce((sum, entry) => sum + entry.size, 0);
    view.update(changed);
    renderOverall();
    if (imageIds.length > 0) {
      showJob(response.jobId, changed.filter((entry) => entry.imageId));
      jobHistory.remember(response.jobId, imageIds.length);
      tracker.follow(response.jobId, imageIds);
    }
  },
  onFailed(entries, reason) {
    for (const entry of entries) {
      entry.state = 'failed';
      entry.error = reason;
    }
    page.uploadedBytes += entries.reduce((sum, entry) => sum + entry.size, 0);
    view.update(entries);
    renderOverall();
  },
  onCancelled(entries) {
    for (const entry of entries) {
      entry.state = 'failed';
      entry.error = 'Upload cancelled';
    }
    page.uploadedBytes += entries.reduce((sum, entry) => sum + entry.size, 0);
    view.update(entries);
    renderOverall();
  },
  onUnauthorized() {
    showTokenForm(getToken() ? 'That token was not accepted. Enter the upload token.' : 'This server needs an upload token.');
  },
  onIdle() {
    renderOverall();
  },
});

// MARK: adding files

function addFiles(found) {
  const accepted = [];
  for (const { file, path } of found) {
    const reason = refusalReason(file, page.config);
    if (reason) {
      page.skipped.push({ path, reason });
      continue;
    }
    accepted.push({
      key: page.nextKey++, file, name: file.name, path, size: file.size,
      state: 'waiting', progress: 0, jobId: null, imageId: null, result: null, error: null,
    });
  }
  renderSkipped();
  if (accepted.length === 0) return;
  page.allEntries = page.allEntries.concat(accepted);
  addCards(accepted);
  uploader.enqueue(accepted);
  $('clear-button').disabled = false;
  renderOverall();
}

function renderSkipped() {
  const details = $('skipped');
  details.hidden = page.skipped.length === 0;
  if (details.hidden) return;
  $('skipped-summary').textContent = `${plural(page.skipped.length, 'file')} skipped`;
  const items = page.skipped.slice(0, SKIPPED_SHOWN).map(({ path, reason }) => {
    const item = document.createElement('li');
    const reasonText = document.createElement('span');
    reasonText.className = 'reason';
    reasonText.textContent = ` (${reason})`;
    item.append(path, reasonText);
    return item;
  });
  if (page.skipped.length > SKIPPED_SHOWN) {
    const more = document.createElement('li');
    more.textContent = `and ${page.skipped.length - SKIPPED_SHOWN} more`;
    items.push(more);
  }
  $('skipped-list').replaceChildren(...items);
}

let overallFrame = 0;
function renderOverall() {
  if (overallFrame) return;
  overallFrame = requestAnimationFrame(() => {
    overallFrame = 0;
    const entries = page.allEntries;
    const total = entries.reduce((sum, entry) => sum + entry.size, 0);
    const inProgress = entries.reduce((sum, entry) => sum + (entry.state === 'uploading' ? entry.progress * entry.size : 0), 0);
    const sent = Math.min(total, page.uploadedBytes + inProgress);
    const filesSent = entries.filter((entry) => entry.state !== 'waiting' && entry.state !== 'uploading').length;
    $('overall').hidden = entries.length === 0;
    $('overall-progress').value = total > 0 ? sent / total : 0;
    $('overall-label').textContent = uploader.busy ? (uploader.paused ? 'Upload paused' : 'Uploading') : 'Uploaded';
    $('overall-detail').textContent = `${filesSent} of ${entries.length} files · ${formatBytes(sent)} of ${formatBytes(total)}`;
    $('clear-button').disabled = uploader.busy || view.entries.length === 0;
    $('cancel-button').hidden = !uploader.busy;
  });
}

function addCards(entries) {
  view.add(entries);
  for (const entry of entries) page.cardEntries.set(entry.view.card, entry);
}

// MARK: jobs in the grid, history and downloads

function showJob(jobId, entries) {
  const known = page.shownJobs.get(jobId) ?? [];
  page.shownJobs.set(jobId, known.concat(entries));
  downloads.render([...page.shownJobs].map(([id, shown]) => ({ jobId: id, count: shown.length })));
}

function jobCounts(jobId) {
  const entries = page.shownJobs.get(jobId) ?? [];
  const done = entries.filter((entry) => entry.state === 'done').length;
  const failed = entries.filter((entry) => entry.state === 'failed').length;
  return { total: entries.length, done, failed, pending: entries.length - done - failed };
}

/** Puts jobs back in the grid from GET /api/jobs/{id} (after a reload, or "Show" in the history)
 * and follows those still running. A job the server no longer knows leaves the history. */
async function reopen(jobIds) {
  const wanted = jobIds.filter((jobId) => !page.shownJobs.has(jobId));
  const statuses = await Promise.all(wanted.map(async (jobId) => {
    try {
      const response = await fetch(`/api/jobs/${encodeURIComponent(jobId)}`, { cache: 'no-store' });
      if (response.status === 404 || response.status === 400) jobHistory.forget(jobId);
      return response.ok ? await response.json() : null;
    } catch {
      return null;  // offline: the history keeps it for next time
    }
  }));
  const shown = statuses.filter((status) => status && Array.isArray(status.images) && !page.shownJobs.has(status.jobId));
  if (shown.length === 0) return;
  let started = Infinity;
  let finished = 0;
  for (const status of shown) {
    const results = new Map((status.results ?? []).map((result) => [result.imageId, result]));
    const entries = status.images.map((image) => {
      const result = results.get(image.imageId) ?? null;
      return {
        key: page.nextKey++, file: null, name: image.fileName, path: image.fileName, size: 0,
        state: result ? (result.error ? 'failed' : 'done') : 'queued', progress: 1,
        jobId: status.jobId, imageId: image.imageId, result, error: result?.error ?? null,
      };
    });
    addCards(entries);
    for (const entry of entries) page.entries.set(entry.imageId, entry);
    showJob(status.jobId, entries);
    jobHistory.update(status.jobId, { open: true, counts: status.counts, submittedAt: status.submittedAt });
    tracker.follow(status.jobId, entries.filter((entry) => !entry.result).map((entry) => entry.imageId));
    started = Math.min(started, status.submittedAt);
    finished = status.complete ? Math.max(finished, ...status.results.map((result) => result.completedAt)) : Infinity;
  }
  const now = Date.now();
  view.resumeClock(now - started, Number.isFinite(finished) ? now - finished : null);
  $('clear-button').disabled = uploader.busy;
}

// MARK: pickers and drops

$('drop-zone').addEventListener('click', () => $('file-input').click());
$('folder-button').addEventListener('click', () => $('folder-input').click());
for (const input of [$('file-input'), $('folder-input')]) {
  input.addEventListener('change', () => {
    addFiles(filesFromInput(input));
    input.value = '';  // choosing the same files again still fires "change"
  });
}

// The whole window takes drops, so a near miss does not navigate away to the dropped image.
let dragDepth = 0;
const dropZone = $('drop-zone');
document.addEventListener('dragenter', (event) => {
  if (!hasFiles(event)) return;
  event.preventDefault();
  dragDepth += 1;
  dropZone.classList.add('dragging');
});
document.addEventListener('dragover', (event) => {
  if (!hasFiles(event)) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = 'copy';
});
document.addEventListener('dragleave', () => {
  dragDepth = Math.max(0, dragDepth - 1);
  if (dragDepth === 0) dropZone.classList.remove('dragging');
});
document.addEventListener('drop', async (event) => {
  if (!hasFiles(event)) return;
  event.preventDefault();
  dragDepth = 0;
  dropZone.classList.remove('dragging');
  addFiles(await filesFromDrop(event.dataTransfer));
});

function hasFiles(event) {
  return [...(event.dataTransfer?.types ?? [])].includes('Files');
}

// MARK: filters and clearing

for (const chip of document.querySelectorAll('.chip[data-filter]')) {
  chip.addEventListener('click', () => {
    for (const other of document.querySelectorAll('.chip[data-filter]')) {
      other.setAttribute('aria-pressed', String(other === chip));
    }
    $('result-grid').dataset.filter = chip.dataset.filter;
  });
}

$('cancel-button').addEventListener('click', () => {
  uploader.cancel();
  $('drop-zone').focus();
});

$('result-grid').addEventListener('click', (event) => {
  const card = event.target.closest('.card');
  // The top-5 disclosure keeps its own clicks; anything else on a card opens the viewer.
  if (!card || event.target.closest('details')) return;
  const entry = page.cardEntries.get(card);
  if (entry) viewer.show(entry);
});

$('clear-button').addEventListener('click', () => {
  if (uploader.busy) return;
  tracker.stopAll();
  view.clear();
  page.entries.clear();
  page.shownJobs.clear();
  downloads.render([]);
  jobHistory.closeAll();
  page.allEntries = [];
  page.skipped = [];
  page.uploadedBytes = 0;
  renderSkipped();
  renderOverall();
  $('drop-zone').focus();
});

// MARK: upload token

function getToken() {
  try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch { return ''; }
}

function showTokenForm(message) {
  $('token-form').hidden = false;
  $('token-message').textContent = message;
  $('token-input').focus();
  renderOverall();
}

$('token-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const token = $('token-input').value.trim();
  if (!token) return;
  try { sessionStorage.setItem(TOKEN_KEY, token); } catch { /* private mode: kept for this page only */ }
  if (await startSession(token) === false) {
    $('token-message').textContent = 'That token was not accepted. Enter the upload token.';
    return;
  }
  $('token-message').textContent = 'Token saved for this tab.';
  $('token-form').hidden = true;
  uploader.resume();
});

/** POST /api/session: the server checks the token and sets the HttpOnly cookie WebSockets need,
 * so the fleet panel connects now rather than after the first upload. False when refused; null
 * when the server could not say (offline): the uploads' own 401 will ask again. */
async function startSession(token) {
  try {
    const response = await fetch('/api/session', {
      method: 'POST', headers: { Authorization: `Bearer ${token}` }, cache: 'no-store',
    });
    if (response.status === 401 || response.status === 403) return false;
    if (!response.ok) return null;
  } catch {
    return null;
  }
  fleet.socket.reconnectNow();
  return true;
}

// MARK: start

async function loadConfig() {
  await fetchConfig();
  const extensions = page.config.allowedExtensions;
  $('accepted-types').textContent = extensions.map((extension) => `.${extension}`).join(', ');
  $('max-size').textContent = formatBytes(page.config.maxFileBytes);
  $('file-input').accept = extensions.map((extension) => `.${extension}`).join(',');
  if (page.config.uploadTokenRequired && !getToken()) showTokenForm('This server needs an upload token.');
  else if (page.config.uploadTokenRequired) startSession(getToken());
}

/** Overrides the defaults with the server's settings; without them (offline, an older server)
 * the defaults stand, and they match the server's own. */
async function fetchConfig() {
  try {
    const response = await fetch('/api/config', { cache: 'no-store' });
    if (!response.ok) return;
    const config = await response.json();
    if (Array.isArray(config.allowedExtensions) && config.allowedExtensions.length > 0) {
      page.config.allowedExtensions = config.allowedExtensions.map((extension) => String(extension).toLowerCase());
    }
    for (const key of ['maxFileBytes', 'maxFilesPerRequest', 'maxRequestBytes']) {
      if (Number.isFinite(config[key]) && config[key] > 0) page.config[key] = config[key];
    }
    page.config.uploadTokenRequired = config.uploadTokenRequired === true;
  } catch {
    // unreachable or not JSON: keep the defaults
  }
}

loadConfig();
reopen(jobHistory.openJobs);
const fleet = new FleetPanel({
  canvas: $('fleet-chart'),
  connection: $('fleet-connection'),
  explanation: $('fleet-explanation'),
  counts: {
    visible: $('count-visible'), inFlight: $('count-inflight'), pending: $('count-pending'),
    running: $('count-running'), desired: $('count-desired'),
  },
  warmPool: $('fleet-warm-pool'),
});
fleet.start();
