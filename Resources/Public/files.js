// Collecting files from pickers and drops (folders included), and the client-side checks that
// spare the user a wasted upload. The server checks again; these only explain early.

import { extensionOf, formatBytes } from './util.js';

/** Files from a drop: folders are walked (webkitGetAsEntry); plain file lists are taken as they are. */
export async function filesFromDrop(dataTransfer) {
  // Entries must be taken synchronously, while the drop event is still being dispatched.
  const entries = [];
  for (const item of dataTransfer.items ?? []) {
    if (item.kind !== 'file') continue;
    const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
    if (entry) entries.push(entry);
  }
  if (entries.length === 0) {
    return [...(dataTransfer.files ?? [])].map((file) => ({ file, path: file.name }));
  }
  const found = [];
  for (const entry of entries) await walk(entry, found);
  return found;
}

/** Files from an <input type="file">, with their folder path when a folder was picked. */
export function filesFromInput(input) {
  return [...input.files].map((file) => ({ file, path: file.webkitRelativePath || file.name }));
}

async function walk(entry, found) {
  if (entry.isFile) {
    const file = await new Promise((resolve) => entry.file(resolve, () => resolve(null)));
    if (file) found.push({ file, path: entry.fullPath.replace(/^\//, '') || file.name });
    return;
  }
  if (!entry.isDirectory) return;
  const reader = entry.createReader();
  // readEntries returns the directory in chunks (100 at a time in Chromium) until an empty one.
  for (;;) {
    const chunk = await new Promise((resolve) => reader.readEntries(resolve, () => resolve([])));
    if (chunk.length === 0) break;
    for (const child of chunk) await walk(child, found);
  }
}

/** Why the page will not upload a file, or null when it will. */
export function refusalReason(file, config) {
  const name = file.name;
  if (name.startsWith('.')) return 'hidden file';
  const extension = extensionOf(name);
  if (!config.allowedExtensions.includes(extension)) {
    return extension ? `.${extension} files are not accepted` : 'no file extension';
  }
  if (file.size === 0) return 'empty file';
  if (file.size > config.maxFileBytes) {
    return `${formatBytes(file.size)} is over the ${formatBytes(config.maxFileBytes)} limit`;
  }
  return null;
}
