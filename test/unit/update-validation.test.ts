/**
 * Bounded decoding of untrusted Yjs updates: real updates pass with the right
 * summary; truncated, random, oversized and count-inflated bytes are refused
 * before Yjs sees them, in time proportional to their size.
 */
import * as encoding from 'lib0/encoding';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  DEFAULT_UPDATE_LIMITS,
  hasAllDependencies,
  inspectStateVector,
  inspectUpdate,
  UpdateRejected,
} from '../../server/domain/description/update-validation.js';

function docWithText(text: string): Y.Doc {
  const doc = new Y.Doc();
  const p = new Y.XmlElement('paragraph');
  p.insert(0, [new Y.XmlText(text)]);
  doc.getXmlFragment('default').insert(0, [p]);
  return doc;
}

const stateOf = (doc: Y.Doc): Map<number, number> => Y.decodeStateVector(Y.encodeStateVector(doc));

function bomb(structs: number): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 1);
  encoding.writeVarUint(e, structs);
  encoding.writeVarUint(e, 7);
  encoding.writeVarUint(e, 0);
  encoding.writeUint8(e, 0);
  encoding.writeVarUint(e, 1);
  return encoding.toUint8Array(e);
}

describe('inspectUpdate', () => {
  it('accepts real updates, including formatting, attributes and deletions, and summarises them', () => {
    const doc = docWithText('Привет, мир');
    const text = (doc.getXmlFragment('default').get(0) as Y.XmlElement).get(0) as Y.XmlText;
    text.format(0, 6, { bold: true });
    text.delete(0, 2);
    (doc.getXmlFragment('default').get(0) as Y.XmlElement).setAttribute('level', '2');
    const update = Y.encodeStateAsUpdate(doc);
    const s = inspectUpdate(update);
    expect(s.structs).toBeGreaterThan(0);
    expect(s.ranges.get(doc.clientID)?.start).toBe(0);
    expect(s.deletes.length).toBeGreaterThan(0);
    expect(hasAllDependencies(s, new Map())).toBe(true);
  });

  it('refuses a tiny update claiming 2^31 structs without looping', () => {
    const started = performance.now();
    expect(() => inspectUpdate(bomb(2 ** 31))).toThrow(UpdateRejected);
    expect(() => inspectUpdate(bomb(1_000_000))).toThrow(UpdateRejected);
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('refuses a huge count in every place an update carries one, and lengths past 2^31, without looping', () => {
    const write = (...parts: (number | string)[]): Uint8Array => {
      const e = encoding.createEncoder();
      for (const p of parts) {
        if (typeof p === 'string') encoding.writeVarString(e, p);
        else encoding.writeVarUint(e, p);
      }
      return encoding.toUint8Array(e);
    };
    /** One item in the root `default` with content `ref`, then `content`. */
    const item = (ref: number, ...content: (number | string)[]): Uint8Array => write(1, 1, 4242, 0, ref, 1, 'default', ...content, 0);
    const started = performance.now();
    for (const n of [2 ** 31, 2 ** 32, Number.MAX_SAFE_INTEGER]) {
      const len = n === 2 ** 31 ? n + 1 : n;
      const crafted = [
        write(n), // clients
        write(1, n, 12345, 0, 0, 1), // structs of one client
        write(1, 1, 12345, 0, 0, len, 0), // a GC range
        write(0, n), // delete-set clients
        write(0, 1, 777, n), // delete ranges of one client
        write(0, 1, 777, 1, 0, len), // one delete range's length
        item(1, len), // deleted content's length
        item(2, n), // JSON values
        item(8, n), // any values
        item(4, n, 65), // a string's length
        item(3, n), // a binary's length
        write(1, 1, 4242, len, 4, 1, 'default', 'x', 0), // a clock
      ];
      for (const [i, update] of crafted.entries()) expect(() => inspectUpdate(update), `case ${i}, ${n}`).toThrow(UpdateRejected);
    }
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('refuses every truncation of a real update', () => {
    const update = Y.encodeStateAsUpdate(docWithText('Текст описания для проверки'));
    for (let n = 1; n < update.length; n++) expect(() => inspectUpdate(update.subarray(0, n)), `prefix ${n}`).toThrow(UpdateRejected);
  });

  it('never throws anything but UpdateRejected on random bytes, and whatever it accepts Yjs can apply', () => {
    let accepted = 0;
    for (let i = 0; i < 5000; i++) {
      const bytes = new Uint8Array(randomBytes(1 + (i % 97)));
      try {
        inspectUpdate(bytes);
        accepted++;
        Y.applyUpdate(new Y.Doc(), bytes);
      } catch (err) {
        expect(err).toBeInstanceOf(UpdateRejected);
      }
    }
    expect(accepted).toBeLessThan(5000);
  });

  it('refuses oversized updates, other root types, subdocuments and skip structs', () => {
    expect(() => inspectUpdate(new Uint8Array(DEFAULT_UPDATE_LIMITS.maxBytes + 1))).toThrow(/too large/);
    const other = new Y.Doc();
    other.getMap('evil').set('k', 'v');
    expect(() => inspectUpdate(Y.encodeStateAsUpdate(other))).toThrow(/root/);
    const withDoc = new Y.Doc();
    withDoc.getArray('default').insert(0, [new Y.Doc()]);
    expect(() => inspectUpdate(Y.encodeStateAsUpdate(withDoc))).toThrow(/subdocument/);
    // Two updates of one client with a gap between them merge into one with a skip struct.
    const a = docWithText('один');
    const u1 = Y.encodeStateAsUpdate(a);
    const text = (a.getXmlFragment('default').get(0) as Y.XmlElement).get(0) as Y.XmlText;
    text.insert(4, ' два');
    const sv2 = Y.encodeStateVector(a);
    text.insert(8, ' три');
    const u3 = Y.encodeStateAsUpdate(a, sv2);
    expect(() => inspectUpdate(Y.mergeUpdates([u1, u3]))).toThrow(/skip/);
  });

  it('detects updates whose history the document lacks (they would sit in Yjs’s pending buffer)', () => {
    const a = docWithText('начало');
    const server = new Y.Doc();
    const sv = Y.encodeStateVector(a);
    const text = (a.getXmlFragment('default').get(0) as Y.XmlElement).get(0) as Y.XmlText;
    text.insert(6, ' и продолжение');
    const tail = Y.encodeStateAsUpdate(a, sv);
    expect(hasAllDependencies(inspectUpdate(tail), stateOf(server))).toBe(false);
    Y.applyUpdate(server, Y.encodeStateAsUpdate(a));
    expect(hasAllDependencies(inspectUpdate(tail), stateOf(server))).toBe(true);
  });
});

describe('inspectStateVector', () => {
  it('accepts a real state vector and refuses inflated counts', () => {
    expect(inspectStateVector(Y.encodeStateVector(docWithText('x'))).size).toBe(1);
    expect(() => inspectStateVector(new Uint8Array([0xff, 0xff, 0xff, 0x0f, 1, 1]))).toThrow(UpdateRejected);
  });
});
