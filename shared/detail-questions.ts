/**
 * The questions of the wizard's third step, per category of the seed
 * catalogue. Each asks for one field of the appeal's structured details
 * (PRODUCT.md §2, `detailsSchema`), worded for the category: a billing dispute
 * asks for the amount charged, a portal problem for the error text. A category
 * without its own list (one an admin created) gets the general questions. The
 * answers are optional: the required text is the description of step 1.
 */

/** The structured details' fields a question may ask for; the contact for the reply is asked in every category. */
export const DETAIL_KEYS = ['service', 'happenedOn', 'stepsTaken', 'errorText', 'expected', 'actual'] as const;
export type DetailKey = (typeof DETAIL_KEYS)[number];

/** One question: the field it fills, its wording and, when it helps, an example. */
export interface DetailQuestion {
  key: DetailKey;
  label: string;
  hint?: string;
}

/** How a field is answered: `happenedOn` is a date, `service` one line, the others a few lines. */
export function answerKindOf(key: DetailKey): 'date' | 'line' | 'text' {
  return key === 'happenedOn' ? 'date' : key === 'service' ? 'line' : 'text';
}

/** The questions of a category the catalogue has no list for. */
export const GENERAL_QUESTIONS: readonly DetailQuestion[] = [
  { key: 'happenedOn', label: 'Когда это произошло' },
  { key: 'stepsTaken', label: 'Что вы уже предприняли' },
  { key: 'actual', label: 'Что происходит сейчас' },
  { key: 'expected', label: 'Какого результата вы ждёте' },
];

/** The questions by category code (shared/catalogue.ts). */
export const CATEGORY_QUESTIONS: Readonly<Record<string, readonly DetailQuestion[]>> = {
  housing_billing: [
    { key: 'service', label: 'За какую услугу спорное начисление', hint: 'Например: отопление, горячая вода, вывоз мусора' },
    { key: 'happenedOn', label: 'Дата квитанции' },
    { key: 'actual', label: 'Сколько начислено' },
    { key: 'expected', label: 'Сколько, по-вашему, должно быть начислено и почему' },
    { key: 'stepsTaken', label: 'Обращались ли вы в управляющую компанию и что вам ответили' },
  ],
  housing_outage: [
    { key: 'service', label: 'Какой услуги нет', hint: 'Например: холодная вода, отопление, лифт' },
    { key: 'stepsTaken', label: 'Куда вы уже сообщали', hint: 'Аварийная служба, управляющая компания — с датой и номером заявки, если есть' },
    { key: 'actual', label: 'Что вам ответили' },
    { key: 'expected', label: 'Что нужно сделать' },
  ],
  social_benefits: [
    { key: 'service', label: 'Какое пособие или выплата' },
    { key: 'happenedOn', label: 'Когда вы подали заявление на выплату' },
    { key: 'actual', label: 'Что произошло с выплатой', hint: 'Например: не пришла, пришла не полностью, отказали' },
    { key: 'stepsTaken', label: 'Куда вы уже обращались' },
    { key: 'expected', label: 'Какого решения вы ждёте' },
  ],
  social_privileges: [
    { key: 'service', label: 'Какая льгота' },
    { key: 'actual', label: 'Что мешает ею воспользоваться' },
    { key: 'stepsTaken', label: 'Куда вы уже обращались' },
    { key: 'expected', label: 'Какого решения вы ждёте' },
  ],
  health_appointment: [
    { key: 'service', label: 'К какому врачу нужна запись' },
    { key: 'happenedOn', label: 'Когда вы пытались записаться' },
    { key: 'actual', label: 'Что помешало записаться', hint: 'Например: нет талонов, не отвечает регистратура' },
    { key: 'expected', label: 'К какому сроку вам нужен приём' },
  ],
  health_complaint: [
    { key: 'service', label: 'Отделение или врач' },
    { key: 'happenedOn', label: 'Дата обращения в медицинскую организацию' },
    { key: 'actual', label: 'Что произошло' },
    { key: 'expected', label: 'Какого решения вы ждёте' },
  ],
  education_schools: [
    { key: 'service', label: 'О чём обращение', hint: 'Например: зачисление в школу, очередь в детский сад, перевод' },
    { key: 'happenedOn', label: 'Когда вы подали заявление' },
    { key: 'actual', label: 'Что происходит сейчас' },
    { key: 'expected', label: 'Какого результата вы ждёте' },
  ],
  education_certificates: [
    { key: 'happenedOn', label: 'Когда вы запросили справку' },
    { key: 'stepsTaken', label: 'Куда вы обращались за справкой' },
    { key: 'actual', label: 'Что вам ответили' },
    { key: 'expected', label: 'К какому сроку нужна справка' },
  ],
  taxes: [
    { key: 'service', label: 'Какой налог или вычет', hint: 'Например: налог на имущество, имущественный вычет' },
    { key: 'happenedOn', label: 'Дата налогового уведомления или декларации' },
    { key: 'actual', label: 'В чём ошибка или проблема' },
    { key: 'stepsTaken', label: 'Обращались ли вы в инспекцию' },
    { key: 'expected', label: 'Какого решения вы ждёте' },
  ],
  registration: [
    { key: 'service', label: 'Вид регистрации', hint: 'По месту жительства или по месту пребывания' },
    { key: 'happenedOn', label: 'Когда вы подали документы' },
    { key: 'actual', label: 'Что произошло', hint: 'Например: отказ, задержка, ошибка в документе' },
    { key: 'expected', label: 'Чего вы ожидаете' },
  ],
  // The help desk's own questions (PRODUCT.md §2 lists them for a problem with a service or page).
  portal_issues: [
    { key: 'service', label: 'Услуга или страница', hint: 'Например: оплата госпошлины, вход через Госуслуги' },
    { key: 'happenedOn', label: 'Когда это произошло' },
    { key: 'stepsTaken', label: 'Какие шаги вы предприняли', hint: 'По порядку, до появления ошибки' },
    { key: 'errorText', label: 'Текст сообщения об ошибке' },
    { key: 'expected', label: 'Ожидаемый результат' },
    { key: 'actual', label: 'Фактический результат' },
  ],
};

/** The questions of the category with this code (the general ones for a code without its own list, or none chosen). */
export function detailQuestionsOf(categoryCode: string | null | undefined): readonly DetailQuestion[] {
  return (categoryCode ? CATEGORY_QUESTIONS[categoryCode] : undefined) ?? GENERAL_QUESTIONS;
}
