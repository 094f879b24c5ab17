/**
 * The wallet's storage: one IndexedDB object store of JSON values by key. The holder secret lives
 * here and nowhere else (it is never sent: the issuer gets Poseidon(secret), the verifier a proof).
 *
 * Keys: 'holderSecret' (decimal string), 'enrolment' (the issued credential), 'revocation'
 * (the downloaded bucket or snapshot, its signed root and when it was fetched), 'proofStepTimes'
 * (this device's measured time per proof step, for the progress estimate).
 */
const DB_NAME = 'zkid-wallet';
const STORE = 'kv';
const VERSION = 1;

let opening: Promise<IDBDatabase> | undefined;

function open(): Promise<IDBDatabase> {
  opening ??= new Promise<IDBDatabase>((resolve, reject) => {
    if (typeof indexedDB === 'undefined') {
      reject(new Error('this browser offers no IndexedDB (a private window may disable it): the wallet cannot keep its secret'));
      return;
    }
    const req = indexedDB.open(DB_NAME, VERSION);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('cannot open the wallet database'));
    req.onblocked = () => reject(new Error('the wallet database is blocked by another tab: close it and reload'));
  });
  opening.catch(() => {
    opening = undefined;
  });
  return opening;
}

async function run<T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest): Promise<T> {
  const db = await open();
  return new Promise<T>((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const req = f(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(req.result as T);
    tx.onerror = () => reject(tx.error ?? req.error ?? new Error('wallet database error'));
    tx.onabort = () => reject(tx.error ?? new Error('wallet database transaction aborted'));
  });
}

export function dbGet<T>(key: string): Promise<T | undefined> {
  return run<T | undefined>('readonly', (s) => s.get(key));
}

export function dbPut(key: string, value: unknown): Promise<void> {
  return run<void>('readwrite', (s) => s.put(value, key));
}

/** Delete everything the wallet keeps. */
export function dbClear(): Promise<void> {
  return run<void>('readwrite', (s) => s.clear());
}
