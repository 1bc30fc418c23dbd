/**
 * One identity colour per person (shared/identity-colour.ts): the same on every
 * instance for the same user id, spread over the whole palette, and readable
 * as white text (the initials in the presence list, the caret label).
 */
import { describe, expect, it } from 'vitest';
import { colourOf, IDENTITY_PALETTE } from '../../shared/identity-colour.js';

/** WCAG 2.x relative luminance of a #rrggbb colour. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

const contrastWithWhite = (hex: string): number => 1.05 / (luminance(hex) + 0.05);

describe('colourOf', () => {
  /** The same hash written another way: Σ code·31^(n−1−i) mod 2^32, then mod 12. */
  const expected = (id: string): string => {
    let h = 0n;
    for (const ch of id) for (let k = 0; k < ch.length; k++) h = (h * 31n + BigInt(ch.charCodeAt(k))) % 2n ** 32n;
    return IDENTITY_PALETTE[Number(h % 12n)]!;
  };

  it.each(['', 'a', 'ab', 'user-1', 'Wq3v9_0bY-kZ2mQ8rT1uAg', 'x'.repeat(64), 'Иванов'])('is the same on every instance for %j', (id) => {
    expect(colourOf(id)).toBe(expected(id));
  });

  it('spreads people over the whole palette of twelve distinct colours', () => {
    expect(new Set(IDENTITY_PALETTE).size).toBe(12);
    const seen = new Set(Array.from({ length: 200 }, (_, i) => colourOf(`user-${i}`)));
    expect([...seen].sort()).toStrictEqual([...IDENTITY_PALETTE].sort());
  });

  it('gives white text on every colour at least 4.5:1 contrast (WCAG AA)', () => {
    for (const colour of IDENTITY_PALETTE) {
      expect(colour).toMatch(/^#[0-9a-f]{6}$/);
      expect(contrastWithWhite(colour), colour).toBeGreaterThanOrEqual(4.5);
    }
  });
});
