import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** Where quay keeps its journal inside the data folder (as src/app.ts opens it). */
export function journalPath(dataDir: string): string {
  return join(dataDir, 'quay.db');
}

/**
 * Opens the journal read-only for inspection: doctor and support bundles never migrate,
 * recover or write it. Undefined when there is no journal yet.
 */
export function openJournalReadOnly(dataDir: string): Database.Database | undefined {
  const path = journalPath(dataDir);
  if (!existsSync(path)) return undefined;
  return new Database(path, { readonly: true, fileMustExist: true });
}

export function hasTable(db: Database.Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
    .get(name) !== undefined;
}
