import { describe, expect, it } from 'vitest';
import { isValidInn } from '../../shared/schemas/common.schema.js';

describe('ИНН checksum', () => {
  it('accepts real-format 10- and 12-digit numbers with correct check digits', () => {
    expect(isValidInn('7707083893')).toBe(true); // Сбербанк
    expect(isValidInn('500100732259')).toBe(true);
  });
  it('refuses a changed digit, wrong lengths and non-digits', () => {
    expect(isValidInn('7707083894')).toBe(false);
    expect(isValidInn('500100732258')).toBe(false);
    expect(isValidInn('77070838')).toBe(false);
    expect(isValidInn('77070838a3')).toBe(false);
  });
});
