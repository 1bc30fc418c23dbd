/**
 * The context a DescriptionRoom runs in, for tests: the real store, and the
 * plain-text sync through a real AppealService on it (with its journal entry
 * and event); emits and version notices are the test's to give.
 */
import { AppealService } from '../../server/domain/appeals/appeal.service.js';
import { AuditService } from '../../server/domain/audit/audit.service.js';
import { DEFAULT_DESCRIPTION_OPTIONS } from '../../server/domain/description/description.service.js';
import type { RoomContext } from '../../server/domain/description/room-context.js';
import { LocalBus } from '../../server/domain/events.js';
import { systemClock } from '../../server/lib/clock.js';
import { createLogger } from '../../server/lib/logger.js';
import type { Store } from '../../server/store/store.js';

export function roomContext(store: Store, overrides: Partial<RoomContext> = {}, bus = new LocalBus()): RoomContext {
  const appeals = new AppealService({ store, clock: systemClock, audit: new AuditService(store, systemClock), bus, secret: 'test-secret' });
  return {
    store,
    clock: systemClock,
    logger: createLogger('silent'),
    options: DEFAULT_DESCRIPTION_OPTIONS,
    emit: () => undefined,
    onVersionSaved: () => undefined,
    syncText: (id, text, knownVersion) => appeals.syncDescription(id, text, knownVersion),
    ...overrides,
  };
}
