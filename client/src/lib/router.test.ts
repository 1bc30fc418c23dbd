import { describe, expect, it } from 'vitest';
import { matchPattern } from './router.svelte';

describe('matchPattern', () => {
  it('matches literal segments and extracts decoded parameters', () => {
    expect(matchPattern('/appeals/:id', '/appeals/abc%2Fdef')).toEqual({ id: 'abc/def' });
    expect(matchPattern('/appeals/new', '/appeals/new')).toEqual({});
  });

  it('refuses paths of another length or literal', () => {
    expect(matchPattern('/appeals/:id', '/appeals')).toBeNull();
    expect(matchPattern('/queue', '/admin')).toBeNull();
  });

  it('treats * as the catch-all', () => {
    expect(matchPattern('*', '/anything/at/all')).toEqual({});
  });
});
