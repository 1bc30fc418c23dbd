/**
 * The seed catalogue (PRODUCT.md §5): departments and categories written to a
 * fresh store on first start. Admins edit them afterwards through the API.
 */

export const DEPARTMENT_LEVELS = ['municipal', 'regional', 'federal'] as const;
export type DepartmentLevel = (typeof DEPARTMENT_LEVELS)[number];

export interface SeedDepartment {
  code: string;
  name: string;
  region: string;
  level: DepartmentLevel;
  /** The department above it (escalation goes there): its code, or absent at the top. */
  parentCode?: string;
}

/** Rank of a level: escalation goes only to a department of a higher rank (PRODUCT.md §7). */
export const LEVEL_RANK: Record<DepartmentLevel, number> = { municipal: 0, regional: 1, federal: 2 };

/** A field a category adds to the appeal form. */
export interface ExtraField {
  key: string;
  label: string;
  kind: 'text' | 'date' | 'number';
  required: boolean;
}

export interface SeedCategory {
  code: string;
  name: string;
  departmentCode: string;
  deadlineDays: number;
  requiredDocuments: string[];
  extraFields: ExtraField[];
  keywords: string[];
}

/** The general term for answering a citizen's appeal (59-ФЗ, art. 12). */
export const DEFAULT_DEADLINE_DAYS = 30;

/** Region code used when nothing else is known (Москва). */
export const DEFAULT_REGION = '77';

export const SEED_DEPARTMENTS: SeedDepartment[] = [
  { code: 'housing', name: 'Департамент жилищно-коммунального хозяйства', region: '77', level: 'regional', parentCode: 'minstroy' },
  { code: 'social', name: 'Департамент труда и социальной защиты населения', region: '77', level: 'regional' },
  { code: 'health', name: 'Департамент здравоохранения', region: '77', level: 'regional' },
  { code: 'education', name: 'Департамент образования и науки', region: '77', level: 'regional' },
  { code: 'tax', name: 'Управление ФНС России по г. Москве', region: '77', level: 'federal' },
  { code: 'migration', name: 'Управление по вопросам миграции ГУ МВД России по г. Москве', region: '77', level: 'federal' },
  { code: 'portal', name: 'Служба поддержки портала государственных услуг', region: '77', level: 'federal' },
  { code: 'minstroy', name: 'Министерство строительства и жилищно-коммунального хозяйства Российской Федерации', region: '77', level: 'federal' },
];

const accountField: ExtraField = { key: 'accountNumber', label: 'Лицевой счёт', kind: 'text', required: true };
const addressField: ExtraField = { key: 'propertyAddress', label: 'Адрес помещения', kind: 'text', required: true };

export const SEED_CATEGORIES: SeedCategory[] = [
  {
    code: 'housing_billing',
    name: 'ЖКХ — начисления',
    departmentCode: 'housing',
    deadlineDays: 30,
    requiredDocuments: ['Квитанция за спорный период'],
    extraFields: [accountField, addressField],
    keywords: ['квитанция', 'начисление', 'перерасчет', 'перерасчёт', 'оплата', 'счет', 'счёт', 'тариф', 'долг'],
  },
  {
    code: 'housing_outage',
    name: 'ЖКХ — отсутствие услуги',
    departmentCode: 'housing',
    deadlineDays: 10,
    requiredDocuments: [],
    extraFields: [addressField, { key: 'outageSince', label: 'Когда пропала услуга', kind: 'date', required: true }],
    keywords: ['отключили', 'нет воды', 'отопление', 'свет', 'горячая', 'холодная', 'лифт', 'авария', 'вывоз мусора'],
  },
  {
    code: 'social_benefits',
    name: 'Социальная поддержка — пособия',
    departmentCode: 'social',
    deadlineDays: 30,
    requiredDocuments: ['Справка о составе семьи', 'Документ о доходах'],
    extraFields: [],
    keywords: ['пособие', 'выплата', 'детские', 'материнский', 'капитал', 'безработица'],
  },
  {
    code: 'social_privileges',
    name: 'Социальная поддержка — льготы',
    departmentCode: 'social',
    deadlineDays: 30,
    requiredDocuments: ['Удостоверение льготника'],
    extraFields: [{ key: 'privilegeCategory', label: 'Льготная категория', kind: 'text', required: true }],
    keywords: ['льгота', 'льготы', 'ветеран', 'инвалид', 'многодетн', 'пенсионер', 'компенсация'],
  },
  {
    code: 'health_appointment',
    name: 'Здравоохранение — запись к врачу',
    departmentCode: 'health',
    deadlineDays: 10,
    requiredDocuments: [],
    extraFields: [{ key: 'clinic', label: 'Поликлиника', kind: 'text', required: true }],
    keywords: ['запись', 'врач', 'поликлиника', 'талон', 'терапевт', 'прием', 'приём'],
  },
  {
    code: 'health_complaint',
    name: 'Здравоохранение — жалоба на обслуживание',
    departmentCode: 'health',
    deadlineDays: 30,
    requiredDocuments: [],
    extraFields: [{ key: 'clinic', label: 'Медицинская организация', kind: 'text', required: true }],
    keywords: ['грубость', 'больница', 'лечение', 'медицинск', 'скорая', 'отказали в помощи'],
  },
  {
    code: 'education_schools',
    name: 'Образование — школы и детские сады',
    departmentCode: 'education',
    deadlineDays: 30,
    requiredDocuments: ['Свидетельство о рождении ребёнка'],
    extraFields: [{ key: 'institution', label: 'Учреждение', kind: 'text', required: false }],
    keywords: ['школа', 'детский сад', 'садик', 'очередь в сад', 'зачисление', 'класс', 'учитель'],
  },
  {
    code: 'education_certificates',
    name: 'Образование — справки',
    departmentCode: 'education',
    deadlineDays: 15,
    requiredDocuments: [],
    extraFields: [{ key: 'certificateKind', label: 'Какая справка нужна', kind: 'text', required: true }],
    keywords: ['справка', 'аттестат', 'диплом', 'об обучении'],
  },
  {
    code: 'taxes',
    name: 'Налоги',
    departmentCode: 'tax',
    deadlineDays: 30,
    requiredDocuments: ['Налоговое уведомление'],
    extraFields: [],
    keywords: ['налог', 'инн', 'вычет', 'фнс', 'налоговая', 'декларация', 'ндфл', 'имущественный'],
  },
  {
    code: 'registration',
    name: 'Регистрация',
    departmentCode: 'migration',
    deadlineDays: 30,
    requiredDocuments: ['Паспорт', 'Документ-основание для вселения'],
    extraFields: [addressField],
    keywords: ['регистрация', 'прописка', 'паспорт', 'по месту жительства', 'по месту пребывания', 'миграционный учет'],
  },
  {
    code: 'portal_issues',
    name: 'Технические проблемы портала',
    departmentCode: 'portal',
    deadlineDays: 10,
    requiredDocuments: [],
    extraFields: [],
    keywords: ['ошибка', 'портал', 'не работает', 'сайт', 'госуслуги', 'вход', 'страница', 'зависает', 'кнопка'],
  },
];
