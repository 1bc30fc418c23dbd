/** What a correction of a rejected appeal changes, field by field (server/domain/case-entries/field-changes.ts). */
import { describe, expect, it } from 'vitest';
import type { DraftInput } from '../../shared/schemas/appeal.schema.js';
import { correctionOf, isPersonalField } from '../../server/domain/case-entries/field-changes.js';
import { makeAppeal } from '../helpers/factories.js';

describe('correctionOf', () => {
  const appeal = makeAppeal({
    status: 'rejected',
    subject: 'Оплата зависает',
    type: 'complaint',
    details: { expected: 'Оплата проходит', replyContact: 'anna@example.ru' },
    extra: { accountNumber: '7701234567' },
    applicant: { kind: 'individual' },
  });

  it('lists each changed field with its earlier value and patches whole records; the description and version are left to their owners', () => {
    const input = {
      subject: 'Оплата зависает в Chrome',
      type: 'complaint',
      description: 'Новый текст',
      version: 3,
      details: { expected: 'Оплата проходит', actual: 'Ошибка 504' },
      extra: { accountNumber: '7701234568' },
    } as DraftInput & { version: number };
    const { changes, patch } = correctionOf(appeal, input);
    expect(changes).toEqual([
      { field: 'subject', before: 'Оплата зависает', after: 'Оплата зависает в Chrome' },
      { field: 'details.actual', before: '', after: 'Ошибка 504' },
      { field: 'details.replyContact', before: 'anna@example.ru', after: '' },
      { field: 'extra.accountNumber', before: '7701234567', after: '7701234568' },
    ]);
    expect(patch).toEqual({
      subject: 'Оплата зависает в Chrome',
      details: { expected: 'Оплата проходит', actual: 'Ошибка 504' },
      extra: { accountNumber: '7701234568' },
    });
  });

  it('covers a field the draft gains, and a record replaced by null, key by key', () => {
    const withNested = { ...appeal, complaint: { conduct: 'action', concerned: 'ЕИРЦ' } } as unknown as typeof appeal;
    // A field the draft schema may gain (a complaint's subject): the input is whatever the schema parsed.
    const input: Record<string, unknown> = { complaint: null };
    const { changes, patch } = correctionOf(withNested, input);
    expect(changes).toEqual(
      [
        { field: 'complaint.concerned', before: 'ЕИРЦ', after: '' },
        { field: 'complaint.conduct', before: 'action', after: '' },
      ].sort((a, b) => a.field.localeCompare(b.field)),
    );
    expect(patch).toEqual({ complaint: null });
  });

  it('finds nothing when the values are the same', () => {
    expect(correctionOf(appeal, { subject: 'Оплата зависает', applicant: { kind: 'individual' }, details: { ...appeal.details } })).toEqual({
      changes: [],
      patch: {},
    });
  });

  it('names the contact for the reply and the applicant as personal data', () => {
    expect(['details.replyContact', 'applicant.orgInn', 'details.expected', 'subject'].map(isPersonalField)).toEqual([true, true, false, false]);
  });
});
