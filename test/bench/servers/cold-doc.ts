/**
 * The cold-load document: n small updates as typing produces them (one
 * character each into Tiptap's `default` fragment, a new paragraph every 200
 * characters, a backspace every 50th update), deterministic for a given n.
 */
import * as Y from 'yjs';

/**
 * `merged` is the whole document's state; `mergedAt` the state after the first
 * `snapshotAt` updates (taken with encodeStateAsUpdate: Y.mergeUpdates over
 * 100k small updates is far too slow — ~37 s for 40k here).
 */
export function buildColdDocument(
  n: number,
  snapshotAt = n,
  clientId = 4242,
): { updates: Uint8Array[]; merged: Uint8Array; mergedAt: Uint8Array; textLength: number } {
  const doc = new Y.Doc();
  doc.clientID = clientId;
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => {
    updates.push(u);
  });
  const frag = doc.getXmlFragment('default');
  let text: Y.XmlText | null = null;
  let len = 0;
  let mergedAt: Uint8Array | null = null;
  const alphabet = 'абвгдежзийклмнопрстуфхцчшщэюя ';
  for (let i = 0; updates.length < n; i++) {
    if (mergedAt === null && updates.length >= snapshotAt) mergedAt = Y.encodeStateAsUpdate(doc);
    if (!text || len >= 200) {
      const p = new Y.XmlElement('paragraph');
      const t = new Y.XmlText();
      p.insert(0, [t]);
      frag.insert(frag.length, [p]);
      text = t;
      len = 0;
      continue;
    }
    if (i % 50 === 49 && len > 0) {
      text.delete(len - 1, 1);
      len--;
    } else {
      text.insert(len, alphabet[i % alphabet.length]!);
      len++;
    }
  }
  const merged = Y.encodeStateAsUpdate(doc);
  mergedAt ??= merged;
  const textLength = frag.toJSON().length;
  doc.destroy();
  return { updates, merged, mergedAt, textLength };
}
