/**
 * The one table of REST routes: for each endpoint its method, path, request
 * body, query and reply, as zod schemas from shared/schemas/. The server mounts
 * its Express routes from it (server/transport/http/mount-route.ts parses bodies
 * and queries with these schemas) and the client calls by key
 * (client/src/lib/api.ts), so a reply shape is written once. docs/api.md
 * describes each route.
 *
 * Bodies are JSON unless a route says `multipart` (attachment uploads: the
 * server streams the `file` parts, never through a schema). Replies are JSON
 * with the reply schema's shape, `empty` (204, no body) or `bytes` (a file
 * download with its own Content-Type).
 */
import { z } from 'zod';
import { LIMITS } from '../limits.js';
import { supportOpenSchema } from '../support.js';
import {
  codeRequestSchema,
  confirmCodeSchema,
  loginSchema,
  privacySchema,
  registerSchema,
  resendCodeSchema,
  sessionReplySchema,
  staffDirectorySchema,
  userCreateSchema,
  userListQuerySchema,
  userSchema,
  userUpdateSchema,
} from '../schemas/account.schema.js';
import {
  appealSchema,
  assignSchema,
  draftSchema,
  draftUpdateSchema,
  historyEntrySchema,
  historyQuerySchema,
  inviteSchema,
  lookupSchema,
  publicStatusSchema,
  queueQuerySchema,
  submitReplySchema,
  submitSchema,
  transitionSchema,
} from '../schemas/appeal.schema.js';
import { attachmentSummarySchema, downloadQuerySchema, fileJournalEntrySchema, restoreVersionSchema } from '../schemas/attachment.schema.js';
import { calendarQuerySchema, calendarReplySchema, calendarYearInputSchema } from '../schemas/calendar.schema.js';
import { extendSchema, redirectReplySchema, redirectSchema } from '../schemas/clocks.schema.js';
import { checklistMarkSchema, rateSchema, reviewActionSchema, reviewListQuerySchema } from '../schemas/outcome.schema.js';
import { caseEntriesQuerySchema, caseEntriesReplySchema, caseEntrySchema, entriesSeenSchema, supplementSchema } from '../schemas/case-entry.schema.js';
import { searchQuerySchema, searchReplySchema } from '../schemas/search.schema.js';
import {
  categoryInputSchema,
  categoryPatchSchema,
  categorySchema,
  departmentInputSchema,
  departmentPatchSchema,
  departmentSchema,
  suggestRequestSchema,
  suggestionSchema,
} from '../schemas/catalogue.schema.js';
import { pageOf, pageSchema } from '../schemas/common.schema.js';
import { restoredTextSchema, versionDetailSchema, versionSummarySchema } from '../schemas/description.schema.js';
import {
  notificationListQuerySchema,
  notificationListReplySchema,
  notificationMarkSchema,
  notificationSettingsSchema,
  pushKeyReplySchema,
  pushSubscriptionSchema,
  pushUnsubscribeSchema,
  unreadReplySchema,
} from '../schemas/notification.schema.js';
import {
  escalateReplySchema,
  escalateSchema,
  escalationAnswerSchema,
  linksReplySchema,
  repeatSchema,
  suggestionAnswerSchema,
  suggestionMarkSchema,
} from '../schemas/links.schema.js';
import { wallQuerySchema, wallRoomSchema } from '../schemas/wall.schema.js';
import { analyticsAppealSchema, analyticsAppealsQuerySchema, analyticsQuerySchema, analyticsReplySchema } from '../schemas/analytics.schema.js';
import { accessLogQuerySchema, accessLogReplySchema, appealPrivacySchema, myAccessLogQuerySchema } from '../schemas/privacy.schema.js';
import { dataExportListSchema, dataExportReplySchema, deleteAccountReplySchema, deleteAccountSchema } from '../schemas/personal-data.schema.js';
import {
  apiKeyInputSchema,
  apiKeySchema,
  auditEntrySchema,
  auditQuerySchema,
  auditVerifySchema,
  deliveryQuerySchema,
  publicitySchema,
  webhookDeliverySchema,
  webhookInputSchema,
  webhookSchema,
} from '../schemas/oversight.schema.js';
import {
  codeByLoginSchema,
  codeSentSchema,
  consentAcceptSchema,
  consentTermsSchema,
  contactChangeSchema,
  contactConfirmSchema,
  passwordChangeSchema,
  passwordResetSchema,
  personalDataSchema,
  sessionInfoSchema,
  unlockConfirmSchema,
} from '../schemas/profile.schema.js';
import { cannedReplyInputSchema, cannedReplySchema } from '../schemas/canned.schema.js';
import {
  duplicateSchema,
  groupLinkSchema,
  groupNoteReplySchema,
  groupNoteSchema,
  groupReplySchema,
  groupSchema,
  groupTransitionSchema,
} from '../schemas/group.schema.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A multipart/form-data body of `file` parts, streamed by the server (docs/api-files.md, "Attachments"). */
export interface MultipartBody {
  kind: 'multipart';
  /** The one accepted part name. */
  field: 'file';
  /** Files accepted in one request. */
  maxFiles: number;
}

export interface RouteSpec {
  method: HttpMethod;
  /** Express path; `:name` segments are ids (a malformed one answers 404). */
  path: `/api/${string}`;
  /** The JSON body's schema, or a multipart upload; absent: the route reads no body. */
  body?: z.ZodType | MultipartBody;
  /** The query string's schema; absent: the route reads no query. */
  query?: z.ZodType;
  /** The JSON reply's schema; `empty` answers 204, `bytes` a file. */
  reply: z.ZodType | 'empty' | 'bytes';
  /** Status of a JSON reply: 200 unless stated. */
  status?: 201;
}

const route = <const S extends RouteSpec>(spec: S): S => spec;

const appealReply = z.object({ appeal: appealSchema });
const userReply = z.object({ user: userSchema });
const attachmentReply = z.object({ attachment: attachmentSummarySchema });
const attachmentsReply = z.object({ items: z.array(attachmentSummarySchema) });

export const ROUTES = {
  health: route({ method: 'GET', path: '/api/health', reply: z.object({ ok: z.literal(true), store: z.enum(['sqlite', 'mongo']) }) }),

  // Accounts (docs/api.md, "Accounts").
  'auth.register': route({
    method: 'POST',
    path: '/api/auth/register',
    body: registerSchema,
    reply: sessionReplySchema.extend({ codes: z.array(codeRequestSchema) }),
    status: 201,
  }),
  'auth.confirm': route({ method: 'POST', path: '/api/auth/confirm', body: confirmCodeSchema, reply: sessionReplySchema }),
  'auth.resend': route({ method: 'POST', path: '/api/auth/resend', body: resendCodeSchema, reply: z.object({ request: codeRequestSchema }) }),
  'auth.login': route({ method: 'POST', path: '/api/auth/login', body: loginSchema, reply: sessionReplySchema }),
  'auth.logout': route({ method: 'POST', path: '/api/auth/logout', reply: 'empty' }),
  // Who is signed in: `{ user: null }` (200) for nobody, so that the page's first probe is not an error.
  'me.get': route({ method: 'GET', path: '/api/me', reply: z.object({ user: userSchema.nullable(), csrfToken: z.string().optional() }) }),
  'me.lock': route({ method: 'POST', path: '/api/me/lock', reply: 'empty' }),
  'me.privacy': route({ method: 'PUT', path: '/api/me/privacy', body: privacySchema, reply: userReply }),
  // The person's own data (docs/personal-data.md): the export (prepared in the background, the link the person's alone for 24 hours), deletion.
  'me.exports.create': route({ method: 'POST', path: '/api/me/exports', reply: dataExportReplySchema, status: 201 }),
  'me.exports.list': route({ method: 'GET', path: '/api/me/exports', reply: dataExportListSchema }),
  'me.exports.download': route({ method: 'GET', path: '/api/me/exports/:id/download', reply: 'bytes' }),
  'me.delete': route({ method: 'POST', path: '/api/me/delete', body: deleteAccountSchema, reply: deleteAccountReplySchema }),
  // The profile, recovery, unlock and consent (docs/accounts.md).
  'consent.get': route({ method: 'GET', path: '/api/consent', reply: z.object({ terms: consentTermsSchema }) }),
  'me.consent': route({ method: 'POST', path: '/api/me/consent', body: consentAcceptSchema, reply: userReply }),
  'me.profile': route({ method: 'PUT', path: '/api/me/profile', body: personalDataSchema, reply: userReply }),
  'me.password': route({ method: 'POST', path: '/api/me/password', body: passwordChangeSchema, reply: z.object({ endedSessions: z.number() }) }),
  'me.contact': route({ method: 'POST', path: '/api/me/contact', body: contactChangeSchema, reply: codeSentSchema }),
  'me.contactConfirm': route({ method: 'POST', path: '/api/me/contact/confirm', body: contactConfirmSchema, reply: userReply }),
  'me.sessions': route({ method: 'GET', path: '/api/me/sessions', reply: z.object({ items: z.array(sessionInfoSchema) }) }),
  'me.sessionEnd': route({ method: 'DELETE', path: '/api/me/sessions/:id', reply: 'empty' }),
  'auth.recover': route({ method: 'POST', path: '/api/auth/recover', body: codeByLoginSchema, reply: codeSentSchema }),
  'auth.recoverReset': route({ method: 'POST', path: '/api/auth/recover/reset', body: passwordResetSchema, reply: sessionReplySchema }),
  'auth.unlock': route({ method: 'POST', path: '/api/auth/unlock', body: codeByLoginSchema, reply: codeSentSchema }),
  'auth.unlockConfirm': route({ method: 'POST', path: '/api/auth/unlock/confirm', body: unlockConfirmSchema, reply: sessionReplySchema }),
  'admin.users.list': route({ method: 'GET', path: '/api/admin/users', query: userListQuerySchema, reply: pageOf(userSchema) }),
  'admin.users.create': route({ method: 'POST', path: '/api/admin/users', body: userCreateSchema, reply: userReply, status: 201 }),
  'admin.users.update': route({ method: 'PATCH', path: '/api/admin/users/:id', body: userUpdateSchema, reply: userReply }),

  // Canned replies of the viewer's department (docs/api-staff.md, "Canned replies"): staff read, supervisors write.
  'canned.list': route({ method: 'GET', path: '/api/canned-replies', reply: z.object({ items: z.array(cannedReplySchema) }) }),
  'canned.create': route({
    method: 'POST',
    path: '/api/canned-replies',
    body: cannedReplyInputSchema,
    reply: z.object({ reply: cannedReplySchema }),
    status: 201,
  }),
  'canned.update': route({ method: 'PUT', path: '/api/canned-replies/:id', body: cannedReplyInputSchema, reply: z.object({ reply: cannedReplySchema }) }),
  'canned.delete': route({ method: 'DELETE', path: '/api/canned-replies/:id', reply: 'empty' }),

  // Support conversations (docs/support.md): a citizen writes to the portal's support; its staff answer in their queue.
  'support.open': route({ method: 'POST', path: '/api/support/conversations', body: supportOpenSchema, reply: appealReply, status: 201 }),
  'support.mine': route({ method: 'GET', path: '/api/support/conversations', query: pageSchema, reply: pageOf(appealSchema) }),
  'support.queue': route({ method: 'GET', path: '/api/support/queue', query: pageSchema, reply: pageOf(appealSchema) }),

  // Oversight (docs/oversight.md): the audit journal on screen, an appeal's publication on Open311, API keys, webhooks.
  'audit.list': route({ method: 'GET', path: '/api/audit', query: auditQuerySchema, reply: pageOf(auditEntrySchema) }),
  'audit.verify': route({ method: 'POST', path: '/api/audit/verify', reply: auditVerifySchema }),
  'appeals.publicity': route({ method: 'GET', path: '/api/appeals/:id/publicity', reply: publicitySchema }),
  'appeals.setPublicity': route({ method: 'PUT', path: '/api/appeals/:id/publicity', body: publicitySchema, reply: publicitySchema }),
  'admin.apiKeys.list': route({ method: 'GET', path: '/api/admin/api-keys', reply: z.object({ items: z.array(apiKeySchema) }) }),
  'admin.apiKeys.create': route({
    method: 'POST',
    path: '/api/admin/api-keys',
    body: apiKeyInputSchema,
    reply: z.object({ key: apiKeySchema, secret: z.string() }),
    status: 201,
  }),
  'admin.apiKeys.revoke': route({ method: 'DELETE', path: '/api/admin/api-keys/:id', reply: z.object({ key: apiKeySchema }) }),
  'admin.webhooks.list': route({ method: 'GET', path: '/api/admin/webhooks', reply: z.object({ items: z.array(webhookSchema) }) }),
  'admin.webhooks.create': route({
    method: 'POST',
    path: '/api/admin/webhooks',
    body: webhookInputSchema,
    reply: z.object({ webhook: webhookSchema, secret: z.string() }),
    status: 201,
  }),
  'admin.webhooks.delete': route({ method: 'DELETE', path: '/api/admin/webhooks/:id', reply: 'empty' }),
  'admin.webhooks.deliveries': route({
    method: 'GET',
    path: '/api/admin/webhook-deliveries',
    query: deliveryQuerySchema,
    reply: pageOf(webhookDeliverySchema),
  }),
  'admin.webhooks.replay': route({
    method: 'POST',
    path: '/api/admin/webhook-deliveries/:id/replay',
    reply: z.object({ delivery: webhookDeliverySchema }),
    status: 201,
  }),

  // Linked appeals (docs/api-staff.md, "Linked appeals"): staff only; a citizen never sees a group.
  'groups.ofAppeal': route({ method: 'GET', path: '/api/appeals/:id/group', reply: groupReplySchema }),
  'groups.duplicates': route({ method: 'GET', path: '/api/appeals/:id/duplicates', reply: z.object({ items: z.array(duplicateSchema) }) }),
  'groups.unlink': route({ method: 'DELETE', path: '/api/appeals/:id/group', reply: groupReplySchema }),
  'groups.link': route({ method: 'POST', path: '/api/appeal-groups', body: groupLinkSchema, reply: z.object({ group: groupSchema }), status: 201 }),
  'groups.transition': route({
    method: 'POST',
    path: '/api/appeal-groups/:id/transitions',
    body: groupTransitionSchema,
    reply: z.object({ group: groupSchema }),
  }),
  'groups.notes': route({ method: 'GET', path: '/api/appeal-groups/:id/notes', reply: z.object({ items: z.array(groupNoteReplySchema) }) }),
  'groups.addNote': route({
    method: 'POST',
    path: '/api/appeal-groups/:id/notes',
    body: groupNoteSchema,
    reply: z.object({ note: groupNoteReplySchema }),
    status: 201,
  }),

  // Catalogue.
  'departments.list': route({ method: 'GET', path: '/api/departments', reply: z.object({ items: z.array(departmentSchema) }) }),
  'categories.list': route({ method: 'GET', path: '/api/categories', reply: z.object({ items: z.array(categorySchema) }) }),
  'categories.suggest': route({
    method: 'POST',
    path: '/api/categories/suggest',
    body: suggestRequestSchema,
    reply: z.object({ items: z.array(suggestionSchema) }),
  }),
  'admin.departments.create': route({
    method: 'POST',
    path: '/api/admin/departments',
    body: departmentInputSchema,
    reply: z.object({ department: departmentSchema }),
    status: 201,
  }),
  'admin.departments.update': route({
    method: 'PATCH',
    path: '/api/admin/departments/:id',
    body: departmentPatchSchema,
    reply: z.object({ department: departmentSchema }),
  }),
  'admin.categories.list': route({ method: 'GET', path: '/api/admin/categories', reply: z.object({ items: z.array(categorySchema) }) }),
  'admin.categories.create': route({
    method: 'POST',
    path: '/api/admin/categories',
    body: categoryInputSchema,
    reply: z.object({ category: categorySchema }),
    status: 201,
  }),
  'admin.categories.update': route({
    method: 'PATCH',
    path: '/api/admin/categories/:id',
    body: categoryPatchSchema,
    reply: z.object({ category: categorySchema }),
  }),

  // Appeals.
  'appeals.create': route({ method: 'POST', path: '/api/appeals', body: draftSchema, reply: appealReply, status: 201 }),
  'appeals.mine': route({ method: 'GET', path: '/api/appeals/mine', query: pageSchema, reply: pageOf(appealSchema) }),
  'appeals.invited': route({ method: 'GET', path: '/api/appeals/invited', query: pageSchema, reply: pageOf(appealSchema) }),
  'queue.list': route({ method: 'GET', path: '/api/queue', query: queueQuerySchema, reply: pageOf(appealSchema) }),
  // Search across the appeals one may open (docs/search.md).
  'search.appeals': route({ method: 'GET', path: '/api/search', query: searchQuerySchema, reply: searchReplySchema }),
  'appeals.get': route({ method: 'GET', path: '/api/appeals/:id', reply: appealReply }),
  'appeals.update': route({ method: 'PATCH', path: '/api/appeals/:id', body: draftUpdateSchema, reply: appealReply }),
  'appeals.submit': route({ method: 'POST', path: '/api/appeals/:id/submit', body: submitSchema, reply: submitReplySchema }),
  'appeals.transition': route({ method: 'POST', path: '/api/appeals/:id/transitions', body: transitionSchema, reply: appealReply }),
  'appeals.history': route({
    method: 'GET',
    path: '/api/appeals/:id/history',
    query: historyQuerySchema,
    reply: z.object({ items: z.array(historyEntrySchema) }),
  }),
  'appeals.assign': route({ method: 'POST', path: '/api/appeals/:id/assign', body: assignSchema, reply: appealReply }),
  'appeals.inviteExpert': route({ method: 'POST', path: '/api/appeals/:id/experts', body: inviteSchema, reply: appealReply }),
  'appeals.removeExpert': route({ method: 'DELETE', path: '/api/appeals/:id/experts/:expertId', reply: appealReply }),
  // Personal data (docs/privacy.md): the citizen's choice for experts on one appeal; the access log.
  'appeals.privacy': route({ method: 'PUT', path: '/api/appeals/:id/privacy', body: appealPrivacySchema, reply: appealReply }),
  'me.accessLog': route({ method: 'GET', path: '/api/me/access-log', query: myAccessLogQuerySchema, reply: accessLogReplySchema }),
  'accessLog.list': route({ method: 'GET', path: '/api/access-log', query: accessLogQuerySchema, reply: accessLogReplySchema }),
  // The law's clocks (docs/api-case.md, "Clocks"): a supervisor extends the answer term, an officer redirects.
  'appeals.extend': route({ method: 'POST', path: '/api/appeals/:id/extensions', body: extendSchema, reply: appealReply }),
  // Links and kinds (docs/after-decision.md): repeat, escalation, a suggestion's reply and mark.
  'appeals.links': route({ method: 'GET', path: '/api/appeals/:id/links', reply: linksReplySchema }),
  'appeals.repeat': route({ method: 'POST', path: '/api/appeals/:id/repeat', body: repeatSchema, reply: submitReplySchema, status: 201 }),
  'appeals.escalate': route({ method: 'POST', path: '/api/appeals/:id/escalations', body: escalateSchema, reply: escalateReplySchema, status: 201 }),
  'appeals.escalationAnswer': route({ method: 'POST', path: '/api/appeals/:id/escalation/answer', body: escalationAnswerSchema, reply: appealReply }),
  'appeals.suggestionAnswer': route({ method: 'POST', path: '/api/appeals/:id/suggestion/answer', body: suggestionAnswerSchema, reply: appealReply }),
  'appeals.suggestionMark': route({ method: 'PUT', path: '/api/appeals/:id/suggestion/mark', body: suggestionMarkSchema, reply: appealReply }),
  'appeals.redirect': route({ method: 'POST', path: '/api/appeals/:id/redirect', body: redirectSchema, reply: redirectReplySchema }),
  'admin.calendar.get': route({ method: 'GET', path: '/api/admin/calendar', query: calendarQuerySchema, reply: calendarReplySchema }),
  'admin.calendar.put': route({ method: 'PUT', path: '/api/admin/calendar', body: calendarYearInputSchema, reply: calendarReplySchema }),
  'public.status': route({ method: 'POST', path: '/api/public/status', body: lookupSchema, reply: z.object({ status: publicStatusSchema }) }),
  'staff.get': route({ method: 'GET', path: '/api/staff', reply: staffDirectorySchema }),

  // Notifications: the person's own journal, settings and push subscriptions (docs/api-files.md, "Notifications").
  'notifications.list': route({ method: 'GET', path: '/api/notifications', query: notificationListQuerySchema, reply: notificationListReplySchema }),
  'notifications.unread': route({ method: 'GET', path: '/api/notifications/unread', reply: unreadReplySchema }),
  'notifications.mark': route({ method: 'POST', path: '/api/notifications/marks', body: notificationMarkSchema, reply: unreadReplySchema }),
  'notifications.settings': route({ method: 'GET', path: '/api/notifications/settings', reply: notificationSettingsSchema }),
  'notifications.saveSettings': route({
    method: 'PUT',
    path: '/api/notifications/settings',
    body: notificationSettingsSchema,
    reply: notificationSettingsSchema,
  }),
  'notifications.pushKey': route({ method: 'GET', path: '/api/notifications/push/key', reply: pushKeyReplySchema }),
  'notifications.pushSubscribe': route({ method: 'POST', path: '/api/notifications/push/subscriptions', body: pushSubscriptionSchema, reply: 'empty' }),
  'notifications.pushUnsubscribe': route({ method: 'POST', path: '/api/notifications/push/unsubscribe', body: pushUnsubscribeSchema, reply: 'empty' }),
  'wall.list': route({ method: 'GET', path: '/api/wall', query: wallQuerySchema, reply: pageOf(wallRoomSchema) }),
  // Analytics (docs/analytics.md): supervisors their department, admins all.
  'analytics.get': route({ method: 'GET', path: '/api/analytics', query: analyticsQuerySchema, reply: analyticsReplySchema }),
  'analytics.appeals': route({ method: 'GET', path: '/api/analytics/appeals', query: analyticsAppealsQuerySchema, reply: pageOf(analyticsAppealSchema) }),
  'analytics.csv': route({ method: 'GET', path: '/api/analytics/csv', query: analyticsAppealsQuerySchema, reply: 'bytes' }),

  // After the decision (docs/api-case.md, "Decisions, ratings and reviews"; docs/decisions.md).
  'decisions.pdf': route({ method: 'GET', path: '/api/appeals/:id/decisions/:decisionId/pdf', reply: 'bytes' }),
  'appeals.pdf': route({ method: 'GET', path: '/api/appeals/:id/pdf', reply: 'bytes' }),
  'feedback.rate': route({ method: 'POST', path: '/api/appeals/:id/feedback', body: rateSchema, reply: appealReply, status: 201 }),
  'feedback.change': route({ method: 'PUT', path: '/api/appeals/:id/feedback', body: rateSchema, reply: appealReply }),
  'review.act': route({ method: 'POST', path: '/api/appeals/:id/review', body: reviewActionSchema, reply: appealReply }),
  'review.checklist': route({ method: 'POST', path: '/api/appeals/:id/review/checklist/:itemId', body: checklistMarkSchema, reply: appealReply }),
  'reviews.list': route({ method: 'GET', path: '/api/reviews', query: reviewListQuerySchema, reply: pageOf(appealSchema) }),

  // The case's entries: supplements and corrections (docs/api-case.md, "Case entries").
  'entries.list': route({ method: 'GET', path: '/api/appeals/:id/entries', query: caseEntriesQuerySchema, reply: caseEntriesReplySchema }),
  'entries.supplement': route({
    method: 'POST',
    path: '/api/appeals/:id/supplements',
    body: supplementSchema,
    reply: z.object({ entry: caseEntrySchema }),
    status: 201,
  }),
  'entries.seen': route({ method: 'POST', path: '/api/appeals/:id/entries/seen', body: entriesSeenSchema, reply: 'empty' }),

  // Attachments.
  'attachments.upload': route({
    method: 'POST',
    path: '/api/appeals/:id/attachments',
    body: { kind: 'multipart', field: 'file', maxFiles: LIMITS.attachmentsPerRequest },
    reply: attachmentsReply,
    status: 201,
  }),
  'attachments.addVersion': route({
    method: 'POST',
    path: '/api/appeals/:id/attachments/:attId/versions',
    body: { kind: 'multipart', field: 'file', maxFiles: 1 },
    reply: attachmentReply,
    status: 201,
  }),
  'attachments.restore': route({
    method: 'POST',
    path: '/api/appeals/:id/attachments/:attId/restore',
    body: restoreVersionSchema,
    reply: attachmentReply,
  }),
  'attachments.list': route({ method: 'GET', path: '/api/appeals/:id/attachments', reply: attachmentsReply }),
  'attachments.journal': route({
    method: 'GET',
    path: '/api/appeals/:id/attachments/journal',
    reply: z.object({ items: z.array(fileJournalEntrySchema) }),
  }),
  'attachments.download': route({
    method: 'GET',
    path: '/api/appeals/:id/attachments/:attId/download',
    query: downloadQuerySchema,
    reply: 'bytes',
  }),

  // The shared description's versions.
  'description.versions': route({
    method: 'GET',
    path: '/api/appeals/:id/description/versions',
    reply: z.object({ items: z.array(versionSummarySchema) }),
  }),
  'description.version': route({
    method: 'GET',
    path: '/api/appeals/:id/description/versions/:versionId',
    reply: z.object({ version: versionDetailSchema }),
  }),
  'description.restore': route({
    method: 'POST',
    path: '/api/appeals/:id/description/versions/:versionId/restore',
    reply: restoredTextSchema,
  }),
} as const satisfies Record<string, RouteSpec>;

export type Routes = typeof ROUTES;
export type RouteKey = keyof Routes;

/** The `:name` segments of a path. */
export type PathParamName<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | PathParamName<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

export type RouteParamName<K extends RouteKey> = PathParamName<Routes[K]['path']>;
export type RouteParams<K extends RouteKey> = Record<RouteParamName<K>, string>;

type SchemaOf<S, F extends 'body' | 'query'> = S extends Record<F, infer T extends z.ZodType> ? T : never;

/** The body as the sender writes it (JSON routes only). */
export type RouteBodyInput<K extends RouteKey> = z.input<SchemaOf<Routes[K], 'body'>>;
/** The body after parsing, as the server's handler gets it. */
export type RouteBody<K extends RouteKey> = z.output<SchemaOf<Routes[K], 'body'>>;
/** The query as the sender writes it. */
export type RouteQueryInput<K extends RouteKey> = z.input<SchemaOf<Routes[K], 'query'>>;
/** The query after parsing. */
export type RouteQuery<K extends RouteKey> = z.output<SchemaOf<Routes[K], 'query'>>;
/** The JSON reply; undefined for `empty` and `bytes` routes. */
export type RouteReply<K extends RouteKey> = Routes[K]['reply'] extends z.ZodType ? z.output<Routes[K]['reply']> : undefined;

/** Routes with a JSON body (or none) and a JSON or empty reply: what a plain JSON request can call. */
export type JsonRouteKey = {
  [K in RouteKey]: Routes[K] extends { body: MultipartBody } ? never : Routes[K]['reply'] extends 'bytes' ? never : K;
}[RouteKey];

/** Routes taking a multipart upload. */
export type UploadRouteKey = { [K in RouteKey]: Routes[K] extends { body: MultipartBody } ? K : never }[RouteKey];

/** Query values as they go on the URL; undefined, null and '' are left out. */
export type QueryValues = Record<string, string | number | boolean | null | undefined>;

/** The URL of a route: `:name` segments filled (URL-encoded) and the defined query values appended. */
export function routeUrl<K extends RouteKey>(key: K, params: RouteParams<K>, query: QueryValues = {}): string {
  const values = params as Record<string, string>;
  const path = ROUTES[key].path.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${key}: no value for :${name}`);
    return encodeURIComponent(value);
  });
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
  const s = search.toString();
  return s ? `${path}?${s}` : path;
}
