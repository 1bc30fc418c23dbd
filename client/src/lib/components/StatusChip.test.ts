import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { STATUSES } from '../../../../shared/status-machine';
import { i18n } from '../i18n/i18n.svelte';
import ConnectionBadge from './ConnectionBadge.svelte';
import StatusChip from './StatusChip.svelte';

let app: Record<string, unknown> | undefined;

afterEach(() => {
  if (app) void unmount(app);
  app = undefined;
  document.body.innerHTML = '';
});

describe('status marks are inline SVG, never font glyphs', () => {
  it('draws each status chip’s mark as a hidden SVG beside the label, with no other character', () => {
    i18n.setLocale('ru');
    const seen: string[] = [];
    for (const status of STATUSES) {
      app = mount(StatusChip, { target: document.body, props: { status } });
      flushSync();
      const svg = document.querySelector('svg');
      expect(svg?.getAttribute('aria-hidden'), status).toBe('true');
      expect(svg?.querySelectorAll('path').length, status).toBeGreaterThan(0);
      // The text is exactly the label: no symbol a font may lack (⧗ showed as an empty box).
      expect(document.body.textContent.trim(), status).toBe(i18n.t(`status.${status}`));
      seen.push(svg?.dataset.icon ?? '');
      void unmount(app);
      app = undefined;
      document.body.innerHTML = '';
    }
    // A different mark for every status.
    expect(new Set(seen).size).toBe(STATUSES.length);
  });

  it('draws the connection badge’s mark as SVG too, with the ended session in words', () => {
    i18n.setLocale('ru');
    app = mount(ConnectionBadge, { target: document.body, props: { state: 'ended' } });
    flushSync();
    expect(document.querySelector('svg')?.dataset.icon).toBe('lock');
    expect(document.body.textContent.trim()).toBe('Сеанс завершён');
  });
});
