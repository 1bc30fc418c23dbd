import { describe, expect, it } from 'vitest';
import { findTransition, ROLES, STATUSES, TRANSITIONS, type Actor, type Status } from '../../shared/status-machine.js';

/** PRODUCT.md §2 written out independently of the table under test: from → to → who. */
const EXPECTED: Record<string, Actor[]> = {
  'draft→registered': ['citizen'],
  'registered→in_progress': ['operator', 'supervisor'],
  'in_progress→info_requested': ['operator', 'supervisor'],
  'info_requested→in_progress': ['citizen', 'operator', 'supervisor'],
  'in_progress→awaiting_confirmation': ['operator', 'supervisor'],
  'awaiting_confirmation→completed': ['citizen', 'system'],
  'awaiting_confirmation→in_progress': ['citizen'],
  'registered→rejected': ['operator', 'supervisor'],
  'in_progress→rejected': ['operator', 'supervisor'],
  'info_requested→rejected': ['operator', 'supervisor'],
  'rejected→registered': ['citizen'],
  'completed→in_progress': ['supervisor'],
};

const ACTORS: Actor[] = [...ROLES, 'system'];
const cases: [Actor, Status, Status, boolean][] = [];
for (const actor of ACTORS) {
  for (const from of STATUSES) {
    for (const to of STATUSES) {
      cases.push([actor, from, to, EXPECTED[`${from}→${to}`]?.includes(actor) ?? false]);
    }
  }
}

describe('status machine table (every role × from × to)', () => {
  it.each(cases)('%s: %s → %s allowed=%s', (actor, from, to, allowed) => {
    expect(findTransition(actor, from, to) !== undefined).toBe(allowed);
  });

  it('rejection needs a reason and the resolution steps need a comment', () => {
    for (const t of TRANSITIONS) {
      if (t.to === 'rejected') expect(t.requires).toBe('reason');
      if (['request_info', 'propose_resolution', 'dispute', 'reopen'].includes(t.action)) expect(t.requires).toBe('comment');
    }
  });

  it('experts and admins take no transition at all', () => {
    expect(TRANSITIONS.filter((t) => t.actors.includes('expert') || t.actors.includes('admin'))).toEqual([]);
  });
});
