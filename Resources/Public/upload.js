// Uploading: files are sent in several POST /api/jobs requests of bounded size, two at a time,
// with XMLHttpRequest because fetch() reports no upload progress. Each request becomes a job.

const MAX_FILES_PER_BATCH = 40;
const MAX_BYTES_PER_BATCH = 24 * 1024 * 1024;
const PARALLEL_REQUESTS = 2;
const MAX_ATTEMPTS = 3;

export class Uploader {
  /**
   * callbacks: onProgress(entries) while bytes go out; onAccepted(entries, response) on 202;
   * onFailed(entries, reason) when a batch is given up; onUnauthorized() when a token is needed
   * (the uploader pauses until resume()); onCancelled(entries) for what cancel() stopped;
   * onIdle() when nothing is left to send.
   */
  constructor(config, getToken, callbacks) {
    this.config = config;
    this.getToken = getToken;
    this.callbacks = callbacks;
    this.queue = [];
    this.active = new Set();
    this.paused = false;
  }

  get busy() { return this.queue.length > 0 || this.active.size > 0; }

  enqueue(entries) {
    const maxFiles = Math.max(1, Math.min(MAX_FILES_PER_BATCH, this.config.maxFilesPerRequest));
    const maxBytes = Math.max(1, Math.min(MAX_BYTES_PER_BATCH, this.config.maxRequestBytes));
    let batch = [];
    let bytes = 0;
    for (const entry of entries) {
      if (batch.length > 0 && (batch.length >= maxFiles || bytes + entry.size > maxBytes)) {
        this.queue.push({ entries: batch, attempts: 0 });
        batch = [];
        bytes = 0;
      }
      batch.push(entry);
      bytes += entry.size;
    }
    if (batch.length > 0) this.queue.push({ entries: batch, attempts: 0 });
    this.pump();
  }

  resume() {
    this.paused = false;
    this.pump();
  }

  /** Stops everything not yet accepted: queued batches, requests in flight (aborted: the server
   * sees the client go away and drops the partial upload) and retries waiting for their turn. */
  cancel() {
    const queued = this.queue.flatMap((batch) => batch.entries);
    this.queue = [];
    if (queued.length > 0) this.callbacks.onCancelled(queued);
    for (const request of [...this.active]) request.abort();
    this.paused = false;
    this.pump();
  }

  pump() {
    while (!this.paused && this.active.size < PARALLEL_REQUESTS && this.queue.length > 0) {
      this.send(this.queue.shift());
    }
    if (!this.busy) this.callbacks.onIdle();
  }

  send(batch) {
    const xhr = new XMLHttpRequest();
    this.active.add(xhr);
    batch.attempts += 1;
    const form = new FormData();
    for (const entry of batch.entries) form.append('files', entry.file, entry.name);
    const batchBytes = batch.entries.reduce((sum, entry) => sum + entry.size, 0);

    for (const entry of batch.entries) { entry.state = 'uploading'; entry.progress = 0; }
    this.callbacks.onProgress(batch.entries);

    xhr.upload.addEventListener('progress', (event) => {
      if (!event.lengthComputable || event.total === 0) return;
      // The body holds the files in order, so the bytes sent tell which files are through.
      let sent = (event.loaded / event.total) * batchBytes;
      for (const entry of batch.entries) {
        entry.progress = entry.size === 0 ? 1 : Math.min(1, Math.max(0, sent / entry.size));
        sent -= entry.size;
      }
      this.callbacks.onProgress(batch.entries);
    });

    const finish = () => {
      this.active.delete(xhr);
      this.pump();
    };
    xhr.addEventListener('load', () => {
      const status = xhr.status;
      if (status === 202 || status === 200 || status === 415) {
        // A 415 (every file refused) has the intake reply's shape, with each file's own reason.
        let response = null;
        try { response = JSON.parse(xhr.responseText); } catch { /* handled below */ }
        if (response && typeof response.jobId === 'string' && Array.isArray(response.images)) {
          this.callbacks.onAccepted(batch.entries, response);
        } else if (status === 415) {
          this.callbacks.onFailed(batch.entries, `upload refused: ${describeStatus(xhr)}`);
        } else {
          this.callbacks.onFailed(batch.entries, 'the server sent an unreadable reply');
        }
      } else if (status === 401 || status === 403) {
        this.requeue(batch);
        this.paused = true;
        this.callbacks.onUnauthorized();
      } else if (status === 413 && batch.entries.length > 1) {
        // Too large for the server's request limit: halve the batch and try again.
        const half = Math.ceil(batch.entries.length / 2);
        this.queue.unshift({ entries: batch.entries.slice(0, half), attempts: 0 },
                           { entries: batch.entries.slice(half), attempts: 0 });
      } else if (status >= 500 && batch.attempts < MAX_ATTEMPTS) {
        this.retryLater(batch);
      } else {
        this.callbacks.onFailed(batch.entries, `upload refused: ${describeStatus(xhr)}`);
      }
      finish();
    });
    const networkFailure = (reason) => () => {
      if (batch.attempts < MAX_ATTEMPTS) this.retryLater(batch);
      else this.callbacks.onFailed(batch.entries, reason);
      finish();
    };
    xhr.addEventListener('error', networkFailure('upload failed: the server could not be reached'));
    xhr.addEventListener('timeout', networkFailure('upload failed: the server did not answer in time'));
    xhr.addEventListener('abort', () => {
      this.callbacks.onCancelled(batch.entries);
      finish();
    });

    xhr.open('POST', '/api/jobs');
    const token = this.getToken();
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.responseType = 'text';
    xhr.send(form);
  }

  /** Puts a batch back at the head of the queue; a refused token is not a failed attempt. */
  requeue(batch) {
    batch.attempts -= 1;
    for (const entry of batch.entries) { entry.state = 'waiting'; entry.progress = 0; }
    this.callbacks.onProgress(batch.entries);
    this.queue.unshift(batch);
  }

  retryLater(batch) {
    for (const entry of batch.entries) { entry.state = 'waiting'; entry.progress = 0; }
    this.callbacks.onProgress(batch.entries);
    const delay = 1000 * 2 ** (batch.attempts - 1);
    const placeholder = {
      abort: () => {
        clearTimeout(timer);
        this.active.delete(placeholder);
        this.callbacks.onCancelled(batch.entries);
      },
    };
    this.active.add(placeholder);  // keeps the uploader busy while it waits
    const timer = setTimeout(() => {
      this.active.delete(placeholder);
      this.queue.unshift(batch);
      this.pump();
    }, delay);
  }
}

function describeStatus(xhr) {
  let detail = '';
  try {
    const body = JSON.parse(xhr.responseText);
    detail = body.message || body.reason || body.error || '';
  } catch {
    detail = (xhr.responseText || '').slice(0, 160).trim();
  }
  return `HTTP ${xhr.status}${detail ? ` (${detail})` : ''}`;
}
