// Downloads of a job's results: links to GET /api/jobs/{id}?format=csv|json, which answer with
// Content-Disposition: attachment (job-<id>.csv / .json). CSV columns are in API.md.

import { plural } from './util.js';

/** The CSV and JSON links of one job; `what` names the job for screen readers. */
export function downloadLinks(jobId, what = 'this job') {
  return ['csv', 'json'].map((format) => {
    const link = document.createElement('a');
    link.className = 'download';
    link.href = `/api/jobs/${encodeURIComponent(jobId)}?format=${format}`;
    link.download = `job-${jobId}.${format}`;
    link.textContent = format.toUpperCase();
    link.setAttribute('aria-label', `Download the results of ${what} as ${format.toUpperCase()}`);
    return link;
  });
}

/** The results panel's downloads: one line per job shown (an upload of many files is several jobs). */
export class Downloads {
  constructor(container) {
    this.container = container;
    this.shown = '';
  }

  /** jobs: [{ jobId, count }] in the order they were submitted. */
  render(jobs) {
    const key = jobs.map((job) => `${job.jobId}:${job.count}`).join(',');
    if (key === this.shown) return;
    this.shown = key;
    this.container.hidden = jobs.length === 0;
    const rows = jobs.map((job, index) => {
      const row = document.createElement('li');
      const name = jobs.length === 1 ? 'Download results' : `Job ${index + 1} (${plural(job.count, 'image')})`;
      const what = jobs.length === 1 ? 'this job' : `job ${index + 1}`;
      row.append(`${name}: `, ...withSeparator(downloadLinks(job.jobId, what)));
      return row;
    });
    this.container.replaceChildren(...rows);
  }
}

function withSeparator(links) {
  return links.flatMap((link, index) => (index === 0 ? [link] : [' · ', link]));
}
