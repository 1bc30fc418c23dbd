import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { detailQuestionsOf, GENERAL_QUESTIONS } from '../../../../shared/detail-questions';
import { CATEGORY, catalogueRoutes, draftAppeal, installFakeApi, type Call } from '../../test/fake-api';
import { memoryDraftFiles, type DraftFileStore } from '../draft-files';
import { i18n } from '../i18n/i18n.svelte';
import { CatalogueState } from './CatalogueState.svelte';
import { stepFromQuery, WizardState, wizardHref } from './WizardState.svelte';

let calls: Call[];
let version: number;

beforeEach(() => {
  i18n.setLocale('ru');
  version = 0;
  calls = installFakeApi({
    ...catalogueRoutes,
    'POST /api/appeals': () => ({ status: 201, json: { appeal: draftAppeal(++version) } }),
    'PATCH /api/appeals/appeal_000000000001': () => ({ json: { appeal: draftAppeal(++version) } }),
    'POST /api/appeals/appeal_000000000001/submit': () => ({
      json: { appeal: draftAppeal(++version, { status: 'registered', number: '77-2026-000042', deadlineAt: 1 }), accessCode: 'ABCD2345' },
    }),
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

async function loadedCatalogue(): Promise<CatalogueState> {
  const catalogue = new CatalogueState();
  await catalogue.load();
  return catalogue;
}

async function wizardOnTopic(): Promise<WizardState> {
  return new WizardState(await loadedCatalogue(), memoryDraftFiles());
}

function fillTopic(w: WizardState): void {
  w.subject = 'Неверное начисление';
  w.description = 'В квитанции за март начислено вдвое больше';
  w.type = 'complaint';
  w.chooseCategory(CATEGORY.id);
}

const writes = (): Call[] => calls.filter((c) => c.method !== 'GET');

describe('WizardState', () => {
  it('does not leave the topic step while required fields are empty, and saves nothing', async () => {
    const w = await wizardOnTopic();
    expect(await w.next()).toBe(false);
    expect(w.step).toBe('topic');
    expect(Object.keys(w.errors).sort()).toEqual(['categoryId', 'description', 'subject', 'type']);
    expect(w.errors.subject).toBe('Заполните это поле');
    expect(writes()).toHaveLength(0);
  });

  it('asks for a subject of at least 5 characters', async () => {
    const w = await wizardOnTopic();
    fillTopic(w);
    w.subject = 'ЖКХ';
    expect(await w.next()).toBe(false);
    expect(w.errors.subject).toBe('Не короче 5 символов');
  });

  it('saves the draft with POST on the first step and PATCH with the version afterwards', async () => {
    const w = await wizardOnTopic();
    fillTopic(w);
    expect(await w.next()).toBe(true);
    expect(w.step).toBe('documents');
    expect(writes()[0]).toMatchObject({
      method: 'POST',
      path: '/api/appeals',
      body: { categoryId: CATEGORY.id, type: 'complaint', applicant: { kind: 'individual' } },
    });

    w.extra.accountNumber = '1234567';
    expect(await w.next()).toBe(true);
    expect(writes()[1]).toMatchObject({ method: 'PATCH', body: { version: 1, extra: { accountNumber: '1234567' } } });
  });

  it("requires the category's required extra fields and checks date fields", async () => {
    const w = await wizardOnTopic();
    fillTopic(w);
    await w.next();
    w.extra.since = '31.03.2026';
    expect(await w.next()).toBe(false);
    expect(w.step).toBe('documents');
    expect(w.errors['extra.accountNumber']).toBe('Заполните это поле');
    expect(w.errors['extra.since']).toBeDefined();
  });

  it("checks the legal entity's INN and OGRN before the summary", async () => {
    const w = await wizardOnTopic();
    fillTopic(w);
    await w.next();
    w.extra.accountNumber = '1234567';
    await w.next();
    expect(w.step).toBe('details');
    w.applicantKind = 'legal_entity';
    w.orgName = 'ООО «Ромашка»';
    w.orgInn = '7707083894';
    w.ogrn = '123';
    expect(await w.next()).toBe(false);
    expect(w.errors['applicant.orgInn']).toBe('ИНН организации — 10 цифр с верной контрольной суммой');
    expect(w.errors['applicant.ogrn']).toBe('ОГРН — 13 цифр');

    w.orgInn = '7707083893';
    w.ogrn = '1027700132195';
    w.details.happenedOn = '2026-03-31';
    expect(await w.next()).toBe(true);
    expect(w.step).toBe('summary');
    expect(writes().at(-1)?.body).toMatchObject({ applicant: { kind: 'legal_entity', orgInn: '7707083893' }, details: { happenedOn: '2026-03-31' } });
  });

  it('submits from the summary and keeps the number and the access code', async () => {
    const w = await wizardOnTopic();
    fillTopic(w);
    await w.next();
    w.extra.accountNumber = '1234567';
    await w.next();
    await w.next();
    expect(await w.submit()).toBe(true);
    expect(w.step).toBe('done');
    expect(w.result?.appeal.number).toBe('77-2026-000042');
    expect(w.result?.accessCode).toBe('ABCD2345');
    // Three step saves, one last save on submit, then submission with the version that save returned.
    expect(writes().at(-1)).toMatchObject({ path: '/api/appeals/appeal_000000000001/submit', body: { version: 4 } });
  });

  it('goes back to the first invalid step when submitting with a hole in it', async () => {
    const w = await wizardOnTopic();
    fillTopic(w);
    await w.next();
    w.extra.accountNumber = '1234567';
    await w.next();
    await w.next();
    w.extra.accountNumber = '';
    expect(await w.submit()).toBe(false);
    expect(w.step).toBe('documents');
    expect(w.errors['extra.accountNumber']).toBeDefined();
  });

  it("shows the server's field errors when it refuses the draft", async () => {
    installFakeApi({
      ...catalogueRoutes,
      'POST /api/appeals': () => ({ status: 400, json: { error: { code: 'VALIDATION_FAILED', message: 'x', fields: { subject: 'слишком длинно' } } } }),
    });
    const w = await wizardOnTopic();
    fillTopic(w);
    expect(await w.next()).toBe(false);
    expect(w.step).toBe('topic');
    expect(w.errors.subject).toBe('слишком длинно');
    expect(w.formError).toBe('Проверьте введённые данные.');
  });
});

/** A File with a name and a few bytes. */
const fileNamed = (name: string): File => new File(['%PDF-1.4'], name, { type: 'application/pdf' });

/** Answers every upload with one attachment, after a tick; returns the names sent. */
function fakeUploads(): string[] {
  const sent: string[] = [];
  class FakeXhr {
    status = 0;
    responseText = '';
    upload: { onprogress?: (e: { lengthComputable: boolean; loaded: number; total: number }) => void } = {};
    onload: (() => void) | null = null;
    onerror: (() => void) | null = null;
    open(): void {}
    setRequestHeader(): void {}
    send(form: FormData): void {
      const file = form.get('file') as File;
      sent.push(file.name);
      setTimeout(() => {
        this.status = 201;
        this.responseText = JSON.stringify({ items: [{ id: `att-${sent.length}`, fileName: file.name }] });
        this.onload?.();
      }, 0);
    }
  }
  vi.stubGlobal('XMLHttpRequest', FakeXhr);
  return sent;
}

/** The fake draft as saved by a wizard that passed steps 1–3 (what GET answers after a reload). */
function savedDraft(patch: Partial<ReturnType<typeof draftAppeal>> = {}): ReturnType<typeof draftAppeal> {
  return draftAppeal(3, {
    subject: 'Неверное начисление',
    description: 'В квитанции за март начислено вдвое больше',
    type: 'complaint',
    categoryId: CATEGORY.id,
    extra: { accountNumber: '1234567' },
    details: { service: 'Отопление', happenedOn: '2026-03-31' },
    ...patch,
  });
}

async function reopened(files: DraftFileStore, url: string, draft = savedDraft()): Promise<WizardState> {
  installFakeApi({ ...catalogueRoutes, [`GET /api/appeals/${draft.id}`]: () => ({ json: { appeal: draft } }) });
  const w = new WizardState(new CatalogueState(), files);
  await w.open(new URLSearchParams(url));
  return w;
}

describe('WizardState: the place in the URL and the files kept', () => {
  it('names the draft and the step in its href once the draft is saved', async () => {
    const w = await wizardOnTopic();
    expect(w.href).toBe('/appeals/new');
    fillTopic(w);
    await w.next();
    expect(w.href).toBe('/appeals/new?draft=appeal_000000000001&step=documents');
    expect(wizardHref('x', 'summary')).toBe('/appeals/new?draft=x&step=summary');
    expect(stepFromQuery(new URLSearchParams('step=details'))).toBe('details');
    expect(stepFromQuery(new URLSearchParams('step=nonsense'))).toBe('topic');
  });

  it('reopens the draft on the step its URL names, with the files kept for it (a reload on step 4)', async () => {
    const files = memoryDraftFiles();
    const w = new WizardState(await loadedCatalogue(), files);
    fillTopic(w);
    await w.next();
    w.uploads.add([fileNamed('Квитанция.pdf'), fileNamed('bad.exe'), fileNamed('Акт.pdf')]);
    await w.uploads.whenKept();
    expect((await files.list('appeal_000000000001')).map((k) => k.file.name)).toEqual(['Квитанция.pdf', 'Акт.pdf']);

    const after = await reopened(files, 'draft=appeal_000000000001&step=summary');
    expect(after.isReady).toBe(true);
    expect(after.step).toBe('summary');
    expect(after.subject).toBe('Неверное начисление');
    expect(after.uploads.pending.map((i) => i.file.name)).toEqual(['Квитанция.pdf', 'Акт.pdf']);
    expect(after.href).toBe('/appeals/new?draft=appeal_000000000001&step=summary');
  });

  it('opens the first incomplete step when the URL names a later one, without marking its fields', async () => {
    const w = await reopened(memoryDraftFiles(), 'draft=appeal_000000000001&step=summary', savedDraft({ extra: {} }));
    expect(w.step).toBe('documents');
    expect(w.errors).toEqual({});
    expect(w.showStep('done')).toBe('documents');
    const fresh = await wizardOnTopic();
    expect(fresh.showStep('details')).toBe('topic');
  });

  it('moves back and forward between completed steps and keeps the errors of the step it stays on', async () => {
    const w = await reopened(memoryDraftFiles(), 'draft=appeal_000000000001&step=summary');
    expect(w.showStep('topic')).toBe('topic');
    expect(w.showStep('summary')).toBe('summary');
    w.extra.accountNumber = '';
    expect(await w.submit()).toBe(false);
    expect(w.step).toBe('documents');
    // The URL follows to «documents»; showing that step again keeps its errors.
    expect(w.showStep('documents')).toBe('documents');
    expect(w.errors['extra.accountNumber']).toBe('Заполните это поле');
  });

  it('forgets a removed file, sends the others after submission and then forgets them', async () => {
    const sent = fakeUploads();
    const files = memoryDraftFiles();
    const w = new WizardState(await loadedCatalogue(), files);
    fillTopic(w);
    await w.next();
    w.uploads.add([fileNamed('a.pdf'), fileNamed('b.pdf')]);
    await w.uploads.whenKept();
    w.uploads.remove(w.uploads.items[0]?.id ?? 0);
    expect((await files.list('appeal_000000000001')).map((k) => k.file.name)).toEqual(['b.pdf']);
    w.extra.accountNumber = '1234567';
    await w.next();
    await w.next();
    expect(await w.submit()).toBe(true);
    await vi.waitFor(() => {
      expect(w.uploads.items.map((i) => i.status)).toEqual(['done']);
    });
    expect(sent).toEqual(['b.pdf']);
    await vi.waitFor(async () => {
      expect(await files.list('appeal_000000000001')).toEqual([]);
    });
  });

  it('opens a submitted appeal on «done», without the access code, and sends the files still kept for it', async () => {
    const sent = fakeUploads();
    const files = memoryDraftFiles();
    await files.put('appeal_000000000001', fileNamed('late.pdf'));
    const w = await reopened(
      files,
      'draft=appeal_000000000001&step=details',
      savedDraft({ status: 'registered', number: '77-2026-000042', deadlineAt: 1, actions: [] }),
    );
    expect(w.step).toBe('done');
    expect(w.isSubmitted).toBe(true);
    expect(w.result?.appeal.number).toBe('77-2026-000042');
    expect(w.result?.accessCode).toBeNull();
    expect(w.showStep('topic')).toBe('done');
    await vi.waitFor(() => {
      expect(sent).toEqual(['late.pdf']);
    });
  });
});

describe("WizardState: the category's own questions", () => {
  it('asks the questions of the chosen category and sends only their answers and the reply contact', async () => {
    const w = await wizardOnTopic();
    fillTopic(w);
    expect(w.detailQuestions.map((q) => q.key)).toEqual(['service', 'happenedOn', 'actual', 'expected', 'stepsTaken']);
    expect(w.detailQuestions[0]?.label).toBe('За какую услугу спорное начисление');
    await w.next();
    w.extra.accountNumber = '1234567';
    await w.next();
    w.details.service = 'Отопление';
    w.details.errorText = 'осталось от другой категории';
    w.details.replyContact = 'ivanov@example.ru';
    expect(await w.next()).toBe(true);
    expect(writes().at(-1)?.body).toMatchObject({ details: { service: 'Отопление', replyContact: 'ivanov@example.ru' } });
    expect((writes().at(-1)?.body as { details: Record<string, string> }).details).not.toHaveProperty('errorText');
  });

  it('asks a portal problem for the error text, and a category without its own list the general questions', () => {
    expect(detailQuestionsOf('portal_issues').map((q) => q.label)).toContain('Текст сообщения об ошибке');
    for (const code of ['housing_billing', 'housing_outage', 'social_benefits', 'health_appointment', 'taxes', 'registration']) {
      expect(
        detailQuestionsOf(code).map((q) => q.key),
        code,
      ).not.toContain('errorText');
    }
    expect(detailQuestionsOf('made_by_admin')).toBe(GENERAL_QUESTIONS);
    expect(detailQuestionsOf(null)).toBe(GENERAL_QUESTIONS);
  });
});
