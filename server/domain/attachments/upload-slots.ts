/**
 * How many uploads may be in progress at once, per person and on the whole
 * server. An upload holds its slot from the moment its body starts to be read
 * until its files are stored or refused; one over a cap is refused at once
 * with RATE_LIMITED (no queue: a queued upload would still hold a connection).
 * Counted in this process only; each instance has its own caps.
 */
import { DomainError } from '../errors.js';

export interface UploadCaps {
  /** Uploads of one person at once. */
  perPerson: number;
  /** Uploads at once on this server. */
  total: number;
}

/** Seconds a refused sender is told to wait: about one upload of 10 files on a slow line. */
export const UPLOAD_RETRY_AFTER_S = 10;

export class UploadSlots {
  private readonly byPerson = new Map<string, number>();
  private inUse = 0;

  constructor(private readonly caps: UploadCaps) {}

  /** Takes a slot for `personId` or throws RATE_LIMITED; the returned function gives it back (once). */
  take(personId: string): () => void {
    const mine = this.byPerson.get(personId) ?? 0;
    if (mine >= this.caps.perPerson) {
      throw new DomainError(
        'RATE_LIMITED',
        `Одновременно можно отправлять не больше ${this.caps.perPerson} загрузок; дождитесь окончания текущих и повторите`,
        undefined,
        UPLOAD_RETRY_AFTER_S,
      );
    }
    if (this.inUse >= this.caps.total) {
      throw new DomainError(
        'RATE_LIMITED',
        `Сервер сейчас принимает слишком много файлов; повторите через ${UPLOAD_RETRY_AFTER_S} с`,
        undefined,
        UPLOAD_RETRY_AFTER_S,
      );
    }
    this.byPerson.set(personId, mine + 1);
    this.inUse++;
    let isReturned = false;
    return () => {
      if (isReturned) return;
      isReturned = true;
      this.inUse--;
      const left = (this.byPerson.get(personId) ?? 1) - 1;
      if (left > 0) this.byPerson.set(personId, left);
      else this.byPerson.delete(personId);
    };
  }
}
