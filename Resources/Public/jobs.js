// Following jobs: one WebSocket per job (/ws?job=ID) delivering a snapshot, then results.
// On a lost connection the job is resumed from GET /api/jobs/{id} and the socket reopened; the
// snapshot it starts with covers anything missed. Results are keyed by imageId, so a result that
// arrives twice (at-least-once delivery, or around a reconnect) is shown once.

import { ReconnectingSocket, socketURL } from './util.js';

export class JobTracker {
  /**
   * onResults(results): new results (deduplication is the caller's, by imageId);
   * onJobLost(jobId, reason): the server cannot serve the job any more;
   * onConnection(state): "live" | "connecting" | "offline", summarised over all jobs.
   */
  constructor({ getToken, onResults, onJobLost, onConnection }) {
    this.getToken = getToken;
    this.onResults = onResults;
    this.onJobLost = onJobLost;
    this.onConnection = onConnection;
    this.jobs = new Map();
  }

  /** Starts following `jobId` until each of `imageIds` has a result. */
  follow(jobId, imageIds) {
    if (this.jobs.has(jobId) || imageIds.length === 0) return;
    const job = { jobId, waiting: new Set(imageIds), state: 'connecting', socket: null };
    job.socket = new ReconnectingSocket(socketURL(`/ws?job=${encodeURIComponent(jobId)}`), {
      onMessage: (message) => this.handle(job, message),
      onState: (state) => { job.state = state; this.reportConnection(); },
      onReconnecting: () => this.resume(job),
    });
    this.jobs.set(jobId, job);
    job.socket.start();
  }

  stopAll() {
    for (const job of this.jobs.values()) job.socket.close();
    this.jobs.clear();
    this.reportConnection();
  }

  handle(job, message) {
    switch (message.type) {
      case 'snapshot':
        if (Array.isArray(message.results)) this.deliver(job, message.results);
        break;
      case 'result':
        this.deliver(job, [message]);
        break;
      case 'error':
        if (message.code === 'unknownJob' || message.code === 'badRequest') {
          this.finish(job);
          this.onJobLost(job.jobId, message.message || 'the server does not know this job');
        }
        // slowConsumer and shuttingDown: the server closes the socket; reconnecting resumes.
        break;
      default:
        break;  // kinds this page does not know are ignored
    }
  }

  deliver(job, results) {
    const fresh = results.filter((result) => result && typeof result.imageId === 'string'
      && job.waiting.delete(result.imageId));
    if (fresh.length > 0) this.onResults(fresh);
    if (job.waiting.size === 0) this.finish(job);
  }

  async resume(job) {
    const headers = {};
    const token = this.getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(`/api/jobs/${encodeURIComponent(job.jobId)}`, { headers, cache: 'no-store' });
    if (response.status === 404) {
      this.finish(job);
      this.onJobLost(job.jobId, 'the server no longer knows this job');
      return;
    }
    if (!response.ok) return;
    const status = await response.json();
    if (Array.isArray(status.results)) this.deliver(job, status.results);
  }

  finish(job) {
    job.socket.close();
    this.jobs.delete(job.jobId);
    this.reportConnection();
  }

  reportConnection() {
    const states = [...this.jobs.values()].map((job) => job.state);
    this.onConnection(states.includes('offline') ? 'offline' : states.includes('connecting') ? 'connecting' : 'live');
  }
}
