import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CATEGORY, catalogueRoutes, draftAppeal, installFakeApi, type Call } from '../../test/fake-api';
import { i18n } from '../i18n/i18n.svelte';
import { CatalogueState } from './CatalogueState.svelte';
import { WizardState } from './WizardState.svelte';

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

async function wizardOnTopic(): Promise<WizardState> {
  const catalogue = new CatalogueState();
  await catalogue.load();
  return new WizardState(catalogue);
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
