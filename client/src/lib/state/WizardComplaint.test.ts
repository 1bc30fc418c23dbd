/**
 * The wizard's complaint form (seed 004, docs/after-decision.md): a complaint
 * may name what is complained about, the officer or body and that body — all
 * three or none; a half-filled one keeps the citizen on the topic step with
 * each missing part said, and a whole one is sent with the draft.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CATEGORY, DEPARTMENT, catalogueRoutes, draftAppeal, installFakeApi, type Call } from '../../test/fake-api';
import { memoryDraftFiles } from '../draft-files';
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
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

async function complaintWizard(): Promise<WizardState> {
  const catalogue = new CatalogueState();
  await catalogue.load();
  const w = new WizardState(catalogue, memoryDraftFiles());
  w.subject = 'Не отвечают на обращения';
  w.description = 'Третий месяц инспектор не отвечает на мои письма';
  w.type = 'complaint';
  w.chooseCategory(CATEGORY.id);
  return w;
}

const writes = (): Call[] => calls.filter((c) => c.method !== 'GET');

describe('the complaint form', () => {
  it('may be left empty: the complaint is sent without a subject named', async () => {
    const w = await complaintWizard();
    expect(await w.next()).toBe(true);
    expect(writes()[0]?.body).toMatchObject({ type: 'complaint', complaint: null });
  });

  it('half filled keeps the citizen on the topic step and names each missing part', async () => {
    const w = await complaintWizard();
    w.complaintConcerned = 'Инспектор Смирнова';
    expect(await w.next()).toBe(false);
    expect(w.step).toBe('topic');
    expect(Object.keys(w.errors).sort()).toEqual(['complaint.conduct', 'complaint.departmentId']);
    expect(w.errors['complaint.conduct']).toBe('Заполните это поле');
    expect(w.errors['complaint.departmentId']).toBe('Заполните это поле');
    expect(writes()).toHaveLength(0);
  });

  it('whole is sent with the draft', async () => {
    const w = await complaintWizard();
    w.complaintConduct = 'inaction';
    w.complaintConcerned = '  Инспектор Смирнова  ';
    w.complaintDepartmentId = DEPARTMENT.id;
    expect(await w.next()).toBe(true);
    expect(writes()[0]?.body).toMatchObject({ complaint: { conduct: 'inaction', concerned: 'Инспектор Смирнова', departmentId: DEPARTMENT.id } });
  });
});
