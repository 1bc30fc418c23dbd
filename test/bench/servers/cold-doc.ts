/**
 * The cold-load document: n small updates as typing produces them (one
 * character each into Tiptap's `default` fragment, a new paragraph every 200
 * characters, a backspace every 50th update), deterministic for a given n.
 */
import * as Y from 'yjs';

export function buildColdDocument(n: number, clientId = 4242): { updates: Uint8Array[]; merged: Uint8Array; textLength: number } {
  const doc = new Y.Doc();
  doc.clientID = clientId;
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => { updates.push(u); });
  const frag = doc.getXmlFragment('default');
  let text: Y.XmlText | null = null;
  let len = 0;
  const alphabet = 'абвгдежзийклмнопрстуфхцчшщэюя ';
  for (let i = 0; updates.length < n; i++) {
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
  const textLength = frag.toJSON().length;
  doc.destroy();
  return { updates, merged, textLength };
}
