/**
 * Files chosen in the new-appeal wizard, kept in the browser until they are
 * sent. A draft has no room, and the room's files are journalled and never
 * deleted, so the wizard does not upload before submission; it keeps each
 * queued file in IndexedDB under the draft's id instead. A reload, or the way
 * back to the draft from «Мои обращения» in this browser, finds them again;
 * a file leaves the store once it is uploaded or the person removes it.
 */

/** A kept file and the key to forget it by. */
export interface KeptFile {
  key: number;
  file: File;
}

/** Where the wizard keeps its files; every method resolves (a failure only means the file is not kept). */
export interface DraftFileStore {
  /** The files kept for a draft, in the order they were added. */
  list(draftId: string): Promise<KeptFile[]>;
  /** Keeps a file; resolves with its key, or null when it could not be kept. */
  put(draftId: string, file: File): Promise<number | null>;
  remove(key: number): Promise<void>;
}

const DB_NAME = 'case-room.draft-files';
const STORE = 'files';

/** What is stored: the bytes as a Blob with the File's name and dates beside them. */
interface FileRow {
  key?: number;
  draftId: string;
  name: string;
  type: string;
  lastModified: number;
  blob: Blob;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => {
      resolve(req.result);
    };
    req.onerror = () => {
      reject(req.error ?? new Error('IndexedDB request failed'));
    };
  });
}

function openDb(idb: IDBFactory): Promise<IDBDatabase> {
  const req = idb.open(DB_NAME, 1);
  req.onupgradeneeded = () => {
    const store = req.result.createObjectStore(STORE, { keyPath: 'key', autoIncrement: true });
    store.createIndex('draftId', 'draftId');
  };
  return request(req);
}

/** The IndexedDB store, or a store that keeps nothing where IndexedDB is missing or refused. */
export function browserDraftFiles(): DraftFileStore {
  // Missing in some embedded browsers (and in jsdom), whatever the DOM types say.
  const idb = globalThis.indexedDB as IDBFactory | undefined;
  if (!idb) return noDraftFiles;
  let db: Promise<IDBDatabase> | null = null;
  const open = (): Promise<IDBDatabase> => (db ??= openDb(idb));
  const run = async <T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> => {
    const store = (await open()).transaction(STORE, mode).objectStore(STORE);
    return request(work(store));
  };
  return {
    async list(draftId) {
      try {
        const rows = (await run('readonly', (s) => s.index('draftId').getAll(draftId))) as FileRow[];
        return rows
          .sort((a, b) => (a.key ?? 0) - (b.key ?? 0))
          .map((r) => ({ key: r.key ?? 0, file: new File([r.blob], r.name, { type: r.type, lastModified: r.lastModified }) }));
      } catch {
        return [];
      }
    },
    async put(draftId, file) {
      const row: FileRow = { draftId, name: file.name, type: file.type, lastModified: file.lastModified, blob: file };
      try {
        return Number(await run('readwrite', (s) => s.add(row)));
      } catch {
        return null;
      }
    },
    async remove(key) {
      try {
        await run('readwrite', (s) => s.delete(key));
      } catch {
        // Nothing to do: a file left behind is listed again next time and can be removed then.
      }
    },
  };
}

/** Keeps nothing (no IndexedDB). */
export const noDraftFiles: DraftFileStore = {
  list: () => Promise.resolve([]),
  put: () => Promise.resolve(null),
  remove: () => Promise.resolve(),
};

/** Keeps files in memory: for tests, and to model a reload (a new wizard on the same store). */
export function memoryDraftFiles(): DraftFileStore {
  const rows = new Map<number, { draftId: string; file: File }>();
  let next = 1;
  return {
    list: (draftId) => Promise.resolve([...rows.entries()].filter(([, r]) => r.draftId === draftId).map(([key, r]) => ({ key, file: r.file }))),
    put: (draftId, file) => {
      const key = next++;
      rows.set(key, { draftId, file });
      return Promise.resolve(key);
    },
    remove: (key) => {
      rows.delete(key);
      return Promise.resolve();
    },
  };
}
