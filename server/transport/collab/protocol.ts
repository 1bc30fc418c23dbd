/**
 * The y-websocket wire format: a varUint message type, then for sync a varUint
 * sub-type and a varUint8Array payload, for awareness a varUint8Array update.
 */
import * as encoding from 'lib0/encoding';

export const MESSAGE = { sync: 0, awareness: 1, auth: 2, queryAwareness: 3 } as const;
export const SYNC = { step1: 0, step2: 1, update: 2 } as const;

function frame(type: number, sub: number | null, payload: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, type);
  if (sub !== null) encoding.writeVarUint(e, sub);
  encoding.writeVarUint8Array(e, payload);
  return encoding.toUint8Array(e);
}

export const syncStep1Message = (stateVector: Uint8Array): Uint8Array => frame(MESSAGE.sync, SYNC.step1, stateVector);
export const syncStep2Message = (update: Uint8Array): Uint8Array => frame(MESSAGE.sync, SYNC.step2, update);
export const updateMessage = (update: Uint8Array): Uint8Array => frame(MESSAGE.sync, SYNC.update, update);
export const awarenessMessage = (update: Uint8Array): Uint8Array => frame(MESSAGE.awareness, null, update);
