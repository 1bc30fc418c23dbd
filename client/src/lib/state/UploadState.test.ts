import { describe, expect, it } from 'vitest';
import { memoryDraftFiles } from '../draft-files';
import { LIMITS } from '../../../../shared/limits';
import { i18n } from '../i18n/i18n.svelte';
import { UploadState } from './UploadState.svelte';

describe('UploadState', () => {
  it('queues PDF, DOCX, JPG and PNG and refuses other types and oversize files before sending', () => {
    i18n.setLocale('ru');
    const u = new UploadState();
    const big = new File([new Uint8Array(LIMITS.attachmentBytes + 1)], 'scan.pdf', { type: 'application/pdf' });
    u.add([new File(['%PDF'], 'a.pdf'), new File(['x'], 'b.DOCX'), new File(['x'], 'c.jpeg'), new File(['x'], 'd.png'), new File(['x'], 'e.exe'), big]);
    expect(u.pending.map((i) => i.file.name)).toEqual(['a.pdf', 'b.DOCX', 'c.jpeg', 'd.png']);
    const refused = u.items.filter((i) => i.status === 'error');
    expect(refused.map((i) => i.error)).toEqual([
      'Этот тип файла не поддерживается: только PDF, DOCX, JPG, PNG',
      'Файл слишком большой: допустимо не больше 10 МБ (10 485 760 байт)',
    ]);
    u.remove(refused[0]?.id ?? 0);
    expect(u.items).toHaveLength(5);
  });

  it('keeps each accepted file with its keeper, restores them once, and forgets a removed one', async () => {
    const files = memoryDraftFiles();
    const keeper = { keep: (f: File) => files.put('draft-1', f), forget: (key: number) => files.remove(key) };
    const u = new UploadState(keeper);
    u.add([new File(['%PDF'], 'a.pdf'), new File(['x'], 'e.exe'), new File(['x'], 'b.png')]);
    await u.whenKept();
    const kept = await files.list('draft-1');
    expect(kept.map((k) => k.file.name)).toEqual(['a.pdf', 'b.png']);

    const reloaded = new UploadState(keeper);
    reloaded.restore(kept);
    reloaded.restore(kept);
    expect(reloaded.pending.map((i) => [i.file.name, i.keptKey])).toEqual([
      ['a.pdf', kept[0]?.key],
      ['b.png', kept[1]?.key],
    ]);
    reloaded.remove(reloaded.pending[0]?.id ?? 0);
    expect((await files.list('draft-1')).map((k) => k.file.name)).toEqual(['b.png']);
  });
});
