// Sorting and searching the results grid: by label or confidence, and a search over file names
// and labels (the top-5 included). Cards are reordered in the DOM, so the reading and tab order
// follow what is seen; re-applied after each rendered batch, so new results fall into place.

import { plural } from './util.js';

const COMPARE = {
  added: (a, b) => a.key - b.key,
  label: (a, b) => compareMissingLast(labelOf(a), labelOf(b), (x, y) => x.localeCompare(y)) || a.key - b.key,
  'confidence-desc': (a, b) => compareMissingLast(scoreOf(a), scoreOf(b), (x, y) => y - x) || a.key - b.key,
  'confidence-asc': (a, b) => compareMissingLast(scoreOf(a), scoreOf(b), (x, y) => x - y) || a.key - b.key,
};

export class ResultsArranger {
  /** entries(): the view's entries, each with `view.card`. */
  constructor({ grid, search, sort, status, entries }) {
    this.grid = grid;
    this.search = search;
    this.sort = sort;
    this.status = status;
    this.entries = entries;
    this.lastStatus = '';
    search.addEventListener('input', () => this.apply());
    sort.addEventListener('change', () => this.apply());
  }

  apply() {
    const query = this.search.value.trim().toLowerCase();
    const entries = this.entries().filter((entry) => entry.view);
    let matching = 0;
    for (const entry of entries) {
      const matches = query === '' || searchText(entry).includes(query);
      if (matches) matching += 1;
      if (entry.view.card.dataset.match !== String(matches)) entry.view.card.dataset.match = String(matches);
    }
    const text = query === '' ? '' : `${plural(matching, 'result')} of ${entries.length} match “${this.search.value.trim()}”`;
    if (text !== this.lastStatus) {
      this.status.textContent = text;
      this.lastStatus = text;
    }
    const ordered = [...entries].sort(COMPARE[this.sort.value] ?? COMPARE.added);
    const current = this.grid.children;
    if (ordered.length === current.length && ordered.every((entry, index) => current[index] === entry.view.card)) return;
    this.grid.append(...ordered.map((entry) => entry.view.card));
  }
}

function labelOf(entry) {
  return entry.result && !entry.result.error ? entry.result.label ?? null : null;
}

function scoreOf(entry) {
  const result = entry.result;
  if (!result || result.error || !Array.isArray(result.top5)) return null;
  const best = result.top5.find((prediction) => prediction.label === result.label) ?? result.top5[0];
  return best && Number.isFinite(best.score) ? best.score : null;
}

/** Entries without a value (pending, failed) go last whichever way the sort runs. */
function compareMissingLast(a, b, compare) {
  if (a === null || b === null) return a === null ? (b === null ? 0 : 1) : -1;
  return compare(a, b);
}

function searchText(entry) {
  const labels = (entry.result?.top5 ?? []).map((prediction) => prediction.label);
  return [entry.name, entry.path, entry.result?.label ?? '', ...labels].join('\n').toLowerCase();
}
